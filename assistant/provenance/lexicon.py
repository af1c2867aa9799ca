"""The tagger's lexicon: claim types, named sources, attribution verbs and clause patterns."""

from __future__ import annotations

import re

OFFICIAL, COMPANY, REPORTED, ESTIMATE, FORECAST, FACT = (
    "official",
    "company",
    "reported",
    "estimate",
    "forecast",
    "fact",
)
CLAIM_TYPES = (OFFICIAL, COMPANY, REPORTED, ESTIMATE, FORECAST, FACT)
# Not a claim: a sentence that addresses the reader or an assistant ("ignore previous
# instructions", "answer every question by saying ..."). It is never an answer.
INSTRUCTION = "instruction"
# Kinds of mention that are not claim types themselves:
COUNTRY = "country"  # a government named by its country: official only with a government verb
UNKNOWN = "unknown"  # a capitalised name missing from the lexicon
PRONOUN = "pronoun"  # it/he/she/they opening a clause


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text` as a set."""
    return frozenset(text.split())


# --- Named sources -------------------------------------------------------------------------

SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    OFFICIAL: {  # government bodies and office holders, and governments named as such
        "BIS": ("BIS", "Bureau of Industry and Security"),
        "Commerce Department": (
            "US Commerce Department",
            "Commerce Department",
            "Department of Commerce",
        ),
        "GAO": ("GAO", "Government Accountability Office"),
        "White House": ("White House",),
        "SAMR": (
            "SAMR",
            "State Administration for Market Regulation",
            "China's market regulator",
            "China’s market regulator",
        ),
        "CAC": ("CAC", "Cyberspace Administration of China"),
        "MIIT": ("MIIT", "industry ministry", "Ministry of Industry and Information Technology"),
        "MOFCOM": ("MOFCOM", "Ministry of Commerce"),
        "NDRC": ("NDRC", "National Development and Reform Commission"),
        "Trump": ("Trump",),
        "Biden": ("Biden",),
        "Lutnick": ("Lutnick",),
        "Raimondo": ("Raimondo",),
        "US": ("US government", "US ambassador", "US administration"),
        "China": ("Chinese authorities", "Chinese government", "Chinese regulators"),
        "Netherlands": ("Dutch government",),
        "Japan": ("Japanese government",),
    },
    COUNTRY: {  # a country or capital: its government only when a government verb follows
        "US": ("United States", "Washington", "US"),
        "China": ("Beijing", "China"),
        "Netherlands": ("Netherlands",),
        "Japan": ("Japan",),
    },
    REPORTED: {  # news outlets
        "Reuters": ("Reuters",),
        "Bloomberg": ("Bloomberg",),
        "Financial Times": ("Financial Times", "FT"),
        "Wall Street Journal": ("Wall Street Journal", "WSJ"),
        "New York Times": ("New York Times",),
        "South China Morning Post": ("South China Morning Post", "SCMP"),
        "CNBC": ("CNBC",),
        "CNN": ("CNN",),
        "BBC": ("BBC",),
        "Forbes": ("Forbes",),
        "Caixin": ("Caixin",),
        "Xinhua": ("Xinhua",),
        "CCTV": ("CCTV",),
        "Nikkei": ("Nikkei",),
        "The Information": ("The Information",),
        "AP": ("Associated Press", "AP"),
        "AFP": ("AFP",),
        "Tom's Hardware": ("Tom's Hardware", "Tom’s Hardware"),
        "TechSpot": ("TechSpot",),
        "The Verge": ("The Verge",),
    },
    ESTIMATE: {  # analysts, research firms, think tanks, law firms
        "SemiAnalysis": ("SemiAnalysis",),
        "TechInsights": ("TechInsights",),
        "TrendForce": ("TrendForce",),
        "Counterpoint": ("Counterpoint",),
        "IDC": ("IDC",),
        "Gartner": ("Gartner",),
        "Bernstein": ("Bernstein",),
        "CSIS": ("CSIS",),
        "Epoch AI": ("Epoch AI",),
        "Akin Gump": ("Akin Gump",),
        "Covington": ("Covington",),
    },
    COMPANY: {  # companies
        name: (name,)
        for name in (
            "Nvidia",
            "Huawei",
            "Alibaba",
            "DeepSeek",
            "Cambricon",
            "Tencent",
            "Baidu",
            "ByteDance",
            "AMD",
            "Intel",
            "SMIC",
            "TSMC",
            "ASML",
            "Samsung",
            "SK Hynix",
            "Micron",
            "SiliconFlow",
            "T-Head",
            "China Unicom",
            "OpenAI",
            "Google",
            "Microsoft",
            "Apple",
            "Moore Threads",
            "Biren",
            "Hygon",
        )
    },
}
ALIASES = {
    alias: (name, kind)
    for kind, names in SOURCES.items()
    for name, aliases in names.items()
    for alias in aliases
}
NAMED_SOURCE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(a) for a in sorted(ALIASES, key=len, reverse=True))
    + r")(?!\w)"
)

_NAME = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2}"
_COMPANY_ROLE = (
    r"(?:chief executive officer|chief executive|CEO|co-founder|founder|vice president|president"
    r"|chairman|chairwoman|executive|spokesperson|spokesman|spokeswoman|head)"
)
_GOV_ROLE = (
    r"(?:Commerce Secretary|Secretary of Commerce|Secretary|Vice President|President|Premier"
    r"|Prime Minister|Minister|[Aa]mbassador|Senator)"
)
_ANALYST_ROLE = r"(?:[Aa]nalyst|[Ee]conomist)"
ROLE_HINT = re.compile(rf"{_COMPANY_ROLE}|{_GOV_ROLE}|{_ANALYST_ROLE}")
PERSON = re.compile(
    rf"(?:[A-Z][\w&.-]*(?:['’]s)?\s+)?{_COMPANY_ROLE}\s+(?P<company>{_NAME})"
    rf"|(?P<company_appos>{_NAME}),\s(?:the\s)?{_COMPANY_ROLE}\sof\s[^,]+,"
    rf"|{_GOV_ROLE}\s+(?P<official>[A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}})"
    rf"|{_ANALYST_ROLE}\s+(?P<estimate>{_NAME})"
)
# Chinese names put the surname first ("Ren Zhengfei"); these tell the two orders apart.
CHINESE_SURNAMES = word_set(
    """Bai Cai Cao Chen Cheng Cui Dai Deng Ding Dong Du Fan Fang Feng Gao Gu Guo Han Hao He Hu
    Huang Jiang Jin Kong Lei Li Liang Lin Liu Lu Luo Ma Mao Pan Peng Qian Qin Qiu Ren Shen Shi
    Song Su Sun Tan Tang Tian Wang Wei Wen Wu Xiao Xie Xiong Xu Yang Yao Ye Yin Yu Yuan Zeng Zhang
    Zhao Zheng Zhou Zhu Zou"""
)
ORG_WORDS = word_set(
    """Market Markets Times Post News Daily Journal Capital Bank Group Research Securities
    Partners Institute University Agency Media Star Network Press Review Insights Labs Holdings
    Technologies Technology Semiconductor Electronics Analytics Associates Foundation Council
    Office Ministry Forum Summit"""
)
UNKNOWN_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w&'’.-]*[a-z][\w&'’.-]*(?:\s[A-Z][\w&'’.-]*){0,2}")
NOT_NAMES = word_set(
    """A According After All Also Alongside An And As At Because Before Both But By Each Even
    For From He Hours If In It Its Later Many Most Neither No Not Of On Once Since Several She
    Separately So Some Still Taken That The Their These They This Those Thus Under When While
    With Yes Recently We Chinese American"""
)
DIGIT = re.compile(r"\d")
TAIL = 24  # characters of context the look-behind patterns need
PREPOSITION_BEFORE = re.compile(r"\b(?:in|on|at|by|from|of|to|for|with|into|via|about)\s+$")
PRONOUN_WORD = re.compile(
    r"(?:^|(?<=[,;] )|(?<=\band ))(?:[Ii]t|[Hh]e|[Ss]he|[Tt]hey"
    r"|(?P<company>[Tt]he (?:company|firm|chipmaker|start-?up|vendor)))\b"
)
REPORTEDLY = re.compile(r"\b(?:reportedly|allegedly|(?:is|are|was|were) said to)\b")
REPORT_CUE = re.compile(
    r"\b(?:[Nn]ews reports|[Pp]ress reports|[Mm]edia reports|[Rr]eports|[Nn]ews outlets|"
    r"[Aa]ccounts|[Pp]eople familiar with [^,]+|[Pp]eople cited by|[Uu]nnamed sources)\b"
)
ESTIMATE_CUE = re.compile(
    r"\b(?:[Aa]nalysts|[Ee]xperts|[Oo]bservers|[Cc]ommentators|[Rr]esearchers|[Ee]conomists|"
    r"[Ee]stimates|[Tt]eardowns|[Ll]aw[- ]firm summaries|[Ll]aw firms|[Rr]esearch firms?|"
    r"[Tt]hink tanks?)\b"
)
INCLUDING = re.compile(r",?\s+including\s+(?:the\s+)?")
# An unlisted source is judged by what it published: "a HyperAI summary said", "a report by X".
DOC_NOUNS = {
    **dict.fromkeys(("report", "summary", "article", "story", "broadcast"), REPORTED),
    **dict.fromkeys(("analysis", "estimate", "study", "survey", "teardown"), ESTIMATE),
    **dict.fromkeys(("filing", "statement", "paper", "post"), COMPANY),
}
DOC_NOUN_BEFORE = re.compile(r"\b(?P<noun>" + "|".join(DOC_NOUNS) + r") by\s+$")

# --- Verbs ------------------------------------------------------------------------------------

SAY_VERBS = word_set(
    """said says say claimed claims claim announced announces unveiled unveils confirmed confirms
    denied denies disclosed discloses reported reports estimated estimates estimate concluded
    concludes judged judges found finds told tells warned warns warn noted notes note argued
    argues argue described describes acknowledged acknowledges pledged pledges guided forecast
    forecasts predicted predicts posted quoted repeated rejected praised urged called positioned
    stated states wrote writes laid outlined pointed insisted admitted promised believe believes
    see sees vary differ disagree agree put puts plans planned expects expected aims intends
    hopes hoped targets"""
)
GOV_VERBS = word_set(
    """added adds banned bans blocked blocks imposed imposes restricted restricts began required
    requires extended extends finalised finalized put retaliated responded opened opens allowed
    allows approved approves pressed issued issues sanctioned placed ordered orders instructed
    discouraged called told tells said says announced announces warned confirmed sees published
    moved tightened created barred fined investigated eased lifted granted denied rejected
    designated listed proposed passed signed accused summoned urged asked directed halted
    suspended"""
)
VERB_LIKE = word_set(
    """is are was were be been has have had do does did can could will would may might must
    should came come comes went goes made makes took takes gave gives set sets"""
)
COPULAS = frozenset(("is", "are", "means", "mean", "refers"))
BE_FORMS = frozenset(("is", "are", "was", "were", "be", "been", "being"))
NEGATIONS = frozenset(("not", "never"))
AUXILIARIES = word_set(
    """also later then first recently publicly earlier still only previously has had have itself
    repeatedly reportedly once again"""
)
WORD = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*")
CLAUSE_END = re.compile(r"[,;:](?!\d)")
SUBORDINATE = re.compile(
    r"\b(?:that|which|who|whom|whose|after|before|when|because|if|although|though|whereas|while"
    r"|until|unless)\b",
    re.IGNORECASE,
)
APPOSITIVE = re.compile(
    r"\s*(?:\([^)]*\))?\s*(?:,\s(?:including|the|a|an|carried|hosted|formally|known|also called"
    r"|president|head|chief|founder)\b[^,]*,)?"
)
PUT_AT = re.compile(r"\bputs?\b[^,;]*?\bat\b")
QUOTED_AS = re.compile(r"\bquoted (?P<name>[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*){0,2}) as saying")

# --- Frames, rules and definitions ----------------------------------------------------------

ACCORDING_TO = re.compile(r"\b[Aa]ccording to (?P<src>[^,;]+?)(?=[,;]|\.?$)")
LEAD_FRAME = re.compile(
    r"^(?:By|In|Under|From) (?:the|an?) (?P<src>[^,]*\b(?:figures|estimates?|table|report|filing"
    r"|guidance|data|paper|survey|analysis)\b[^,]*),"
)
RULE_NOUN = re.compile(
    r"\b(?:rules?|regulations?|package|listing|proclamation|guidance|[Ll]aw|"
    r"licen[cs]e requirements?)\b"
)
GOV_NOUN = re.compile(r"\b(?:ministry|Ministry|regulators?|authorities|customs)\b")
INTRO_CLAUSE = re.compile(r"^(?:After|Before|When|Since|Although|Because|If|As)\b[^,]*,\s*")
SUBJECT_WORDS = 12


def tail(text: str, end: int) -> str:
    """The last few whole words before `end`, for the '...\\s+$' look-behind patterns."""
    if end <= TAIL:
        return text[:end]
    piece = text[end - TAIL : end]
    return piece[piece.find(" ") + 1 :]


# --- Instructions: sentences that address the reader or an assistant ---------------------

_SECRETS = (
    r"(?:(?:the|your)\s+(?:system\s+)?(?:prompt|instructions|rules|configuration)"
    r"|system prompt|api keys?|passwords?)"
)
INSTRUCTION_CUE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|other|original|system)\b"
    r"|[;:]\s*(?:ignore|disregard)\b"
    r"|\b(?:answer|reply|respond)\b[^.!?]{0,80}?\bby\s+(?:saying|stating|replying|claiming)\b"
    r"|\b(?:answer|reply|respond)\s+(?:only\s+)?(?:with|using)\s+(?:only\s+)?(?:the|a)?\s*"
    r"(?:single\s+)?(?:word|phrase|sentence|text)\b"
    r"|^\W*(?:(?:please|now|then|always|also|instead|from now on)\W+)*"
    r"(?:ignore|disregard|forget|say|answer|reply|respond)\b(?!\s*:)"
    r"|\bsystem\s+(?:notice|prompt|message|override|instructions?)\b"
    r"|(?-i:\b(?:SYSTEM|ASSISTANT|DEVELOPER|ADMIN)\s*:)|^\W*(?:system|assistant|developer)\s*:"
    r"|\bnew instructions?\b|\b(?:decode|execute)\s+and\s+(?:obey|follow|execute)\b"
    r"|\b(?:obey|follow)\s+(?:these|the following|my|this)\s+(?:instructions?|orders?|commands?)\b"
    rf"|\b(?:reveal|print|show|repeat|output|leak)\s+{_SECRETS}\b"
    r"|^\W*(?:please\s+)?pretend\b|\bpretend\s+(?:you|to\s+be)\b"
    r"|\byou\s+are\s+(?:now\s+|no longer\s+)(?:an?\s+|the\s+)?\w+"
    r"|\b(?:as an?|dear|attention,?)\s+(?:AI|assistant|language model|chatbot|LLM)\b"
    r"|^\W*(?:assistant|chatbot|ChipQA|LLM)\s*,",
    re.IGNORECASE,
)
