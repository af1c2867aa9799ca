"""Claim provenance: what kind of claim a sentence makes, who makes it, and the date it reports.

A transparent, rule-based tagger (no model), fast enough to run over every sentence at ingest.
It follows the labelling rules written at the top of `eval/claims.yaml`:

- The claim type comes from the sentence's first attribution in a main clause: a frame
  ("According to Reuters, ..."), or a source in subject position followed by an attribution or
  action verb ("SemiAnalysis estimated", "BIS added", "Huawei executive Eric Xu said"). The kind
  of source decides the type: a government body -> official, a company or its people -> company,
  a news outlet or "reports" -> reported, an analyst, research firm or "experts" -> estimate.
  Attributions inside clauses that only describe or date something ("..., which DeepSeek said",
  "came after SAMR said ...") are ignored.
- A sentence whose subject is a rule ("The October 2022 rules created ...") is official.
- A list item with no attribution of its own takes its lead-in line's type and claimant.
- forecast wins when the sentence looks ahead of the document's `as_of` date: a future cue
  ("will", "plans to", "due in", "forecast") whose target period ends after `as_of`, a period
  that starts after it ("for the fourth quarter of 2027"), or any prediction in an undated text.
- Anything else is fact, with no claimant.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from assistant.chunk import BULLET, LONE_BULLET, split_sentences

OFFICIAL, COMPANY, REPORTED, ESTIMATE, FORECAST, FACT = (
    "official",
    "company",
    "reported",
    "estimate",
    "forecast",
    "fact",
)
CLAIM_TYPES = (OFFICIAL, COMPANY, REPORTED, ESTIMATE, FORECAST, FACT)
# Kinds of mention that are not claim types themselves:
COUNTRY = "country"  # a government named by its country: official only with a government verb
UNKNOWN = "unknown"  # a capitalised name missing from the lexicon
PRONOUN = "pronoun"  # it/he/she/they opening a clause


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who stands behind a sentence: claim type, claimant (short name or None), event date."""

    claim_type: str
    claimant: str | None
    event_date: str | None


@dataclass(frozen=True, slots=True)
class _Source:
    """A possible source in a sentence: short name (if named), kind and span of the mention."""

    name: str | None
    kind: str
    start: int
    end: int
    needs_context: bool = False  # an unnamed frame or a pronoun: the context may name it


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Named sources -------------------------------------------------------------------------

_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
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
_ALIASES = {
    alias: (name, kind)
    for kind, names in _SOURCES.items()
    for name, aliases in names.items()
    for alias in aliases
}
NAMED_SOURCE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(a) for a in sorted(_ALIASES, key=len, reverse=True))
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
CHINESE_SURNAMES = _words(
    """Bai Cai Cao Chen Cheng Cui Dai Deng Ding Dong Du Fan Fang Feng Gao Gu Guo Han Hao He Hu
    Huang Jiang Jin Kong Lei Li Liang Lin Liu Lu Luo Ma Mao Pan Peng Qian Qin Qiu Ren Shen Shi
    Song Su Sun Tan Tang Tian Wang Wei Wen Wu Xiao Xie Xiong Xu Yang Yao Ye Yin Yu Yuan Zeng Zhang
    Zhao Zheng Zhou Zhu Zou"""
)
ORG_WORDS = _words(
    """Market Markets Times Post News Daily Journal Capital Bank Group Research Securities
    Partners Institute University Agency Media Star Network Press Review Insights Labs Holdings
    Technologies Technology Semiconductor Electronics Analytics Associates Foundation Council
    Office Ministry Forum Summit"""
)
UNKNOWN_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w&'’.-]*[a-z][\w&'’.-]*(?:\s[A-Z][\w&'’.-]*){0,2}")
NOT_NAMES = _words(
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

SAY_VERBS = _words(
    """said says say claimed claims claim announced announces unveiled unveils confirmed confirms
    denied denies disclosed discloses reported reports estimated estimates estimate concluded
    concludes judged judges found finds told tells warned warns warn noted notes note argued
    argues argue described describes acknowledged acknowledges pledged pledges guided forecast
    forecasts predicted predicts posted quoted repeated rejected praised urged called positioned
    stated states wrote writes laid outlined pointed insisted admitted promised believe believes
    see sees vary differ disagree agree put puts plans planned expects expected aims intends
    hopes hoped targets"""
)
GOV_VERBS = _words(
    """added adds banned bans blocked blocks imposed imposes restricted restricts began required
    requires extended extends finalised finalized put retaliated responded opened opens allowed
    allows approved approves pressed issued issues sanctioned placed ordered orders instructed
    discouraged called told tells said says announced announces warned confirmed sees published
    moved tightened created barred fined investigated eased lifted granted denied rejected
    designated listed proposed passed signed accused summoned urged asked directed halted
    suspended"""
)
VERB_LIKE = _words(
    """is are was were be been has have had do does did can could will would may might must
    should came come comes went goes made makes took takes gave gives set sets"""
)
COPULAS = frozenset(("is", "are", "means", "mean", "refers"))
BE_FORMS = frozenset(("is", "are", "was", "were", "be", "been", "being"))
NEGATIONS = frozenset(("not", "never"))
AUXILIARIES = _words(
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
SIDE_CLAUSE = re.compile(
    r"\b(?:while|whereas|although|though|which|including|after|before|because)\b", re.IGNORECASE
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

# --- Dates ----------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
DATE = re.compile(
    rf"(?P<d1>\d{{1,2}})(?:\s*[–-]\s*\d{{1,2}})?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?\b"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,\s+(?P<y2>{_YEAR})\b"
    rf"|(?:(?:early|mid|late)[-\s])?(?P<m3>{_MONTH})\s+(?P<y3>{_YEAR})\b"
    rf"|(?:the\s+)?(?P<ord>first|second|third|fourth)\s+(?P<unit>quarter|half)\s+of\s+"
    rf"(?P<y4>{_YEAR})\b"
    rf"|\b(?P<qh>[QH])(?P<qn>[1-4])\s+(?P<y5>{_YEAR})\b"
    rf"|\b(?P<part>early|mid|late)[-\s](?P<y6>{_YEAR})\b"
    rf"|(?<![\w$£€.,/:-])(?P<y7>{_YEAR})(?![\w%]|[.,]\d)"
)
DATE_HINT = re.compile(r"(?:19[5-9]|20[0-4])\d|\d\s+[A-Z][a-z]")  # cheap test before DATE
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
PART_MONTHS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
ATTRIBUTIVE_BEFORE = re.compile(r"(?:\b(?:the|a|an|its|their|his|her)|['’]s)\s+$", re.IGNORECASE)
ATTRIBUTIVE_AFTER = re.compile(
    r"\s+(?!(?:and|or|to|as|that|when|at|in|on|by|for|from|with|of)\b)[A-Za-z]"
)

# --- Future ---------------------------------------------------------------------------------

STRONG_FUTURE = re.compile(
    r"\bwill\s+(?!and\b|or\b)[a-z]|\bgoing to\s+(?!the\b|a\b)[a-z]|\b(?:is|are) (?:expected|set|"
    r"likely|poised) to\b|\b(?:expects|plans|intends|aims) to\b|\bforecasts?\b|\bpredict(?:s|ed)?\b"
    r"|\bin the coming\b"
)
WEAK_FUTURE = re.compile(r"\b(?:would|could|may|might|due|planned|expected|hoped|roadmap)\b")
OPEN_HORIZON = re.compile(
    r"\bfor (?:a (?:relatively |very )?long time|years|a while)\b|\bin the long run\b"
    r"|\byears to come\b|\bover (?:the next )?\w+ years\b|\btake years\b"
)
AHEAD_PREPOSITION = re.compile(r"\b(?:in|for|by|until|through|during)\s+$")


@dataclass(frozen=True, slots=True)
class _Date:
    value: str  # normalised: YYYY-MM-DD, YYYY-MM or YYYY
    start: int
    first: date  # first day of the period it names
    last: date  # last day of that period
    attributive: bool  # names a thing ("the December 2024 rules") rather than dating an event


# --- Public API -----------------------------------------------------------------------------


def tag_sentence(
    sentence: str, previous: str = "", doc_meta: Mapping[str, Any] | None = None
) -> Provenance:
    """Claim type, claimant and event date of one sentence.

    `previous` is the sentence before it, or for a list item the line introducing the list
    (see `previous_context`); `doc_meta` is the document's front matter (`as_of`, `publisher`,
    `sources`), used only as the claimant fallback and to judge future against `as_of`.
    """
    meta = doc_meta or {}
    as_of = document_as_of(meta)
    dates = _dates(sentence, as_of)
    kind, claimant = _claim(sentence, previous)
    lead_in_ahead = previous.endswith(":") and _is_forecast(previous, as_of)
    if lead_in_ahead or _is_forecast(sentence, as_of, dates):
        kind = FORECAST
    elif kind == FACT:
        return Provenance(FACT, None, _dating(dates))
    return Provenance(kind, claimant or _meta_claimant(meta), _dating(dates))


def event_date(sentence: str, as_of: str | date | None = None) -> str | None:
    """The date a sentence reports, as YYYY-MM-DD, YYYY-MM or YYYY; None when it has none.

    The first date that dates an event wins; dates that only name a thing ("the December
    2024 rules", "its 2024 revenue") count only when nothing else does. A quarter, half or
    "early/late YEAR" gives the year; a day range gives its first day. A day and month
    without a year take the year of `as_of` (the year before if that would be later).
    """
    return _dating(_dates(sentence, _as_date(as_of)))


def previous_context(text: str, start: int) -> str:
    """The context `tag_sentence` wants for the sentence at `start` in a document's `text`.

    For a list item, the line introducing the list (when it ends with ':'); otherwise the
    sentence before it in the same paragraph or the last sentence of the previous line
    ("" after a heading).
    """
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].strip()
    if before and not BULLET.fullmatch(before + " "):
        pieces = split_sentences(before, 0)
        return pieces[-1].text if pieces else ""
    line, end = _line_before(text, line_start - 1)
    item = bool(before) or bool(line and LONE_BULLET.match(line))
    while line is not None:
        above, above_end = _line_before(text, end)
        in_list = bool(LONE_BULLET.match(line) or BULLET.match(line))
        in_list = in_list or bool(above and LONE_BULLET.match(above))
        if line.strip() and not (item and in_list):
            break
        line, end = above, above_end
    if line is None or line.lstrip().startswith("#"):
        return ""
    last = split_sentences(BULLET.sub("", line.strip(), count=1), 0)
    return last[-1].text if last else ""


def document_as_of(meta: Mapping[str, Any]) -> date | None:
    """The document's `as_of` date (else its ISO `date`) from front matter, if it has one."""
    for key in ("as_of", "date"):
        parsed = _as_date(meta.get(key))
        if parsed:
            return parsed
    return None


# --- Claim type and claimant ----------------------------------------------------------------


def _claim(sentence: str, previous: str) -> tuple[str, str | None]:
    """(kind, claimant): own attribution, else the list lead-in's, else a rule subject."""
    source = _attribution(sentence)
    if source:
        return source.kind, source.name or _context_name(sentence, source, previous)
    if previous.endswith(":"):
        kind, claimant = _claim(previous, "")
        if kind != FACT:
            return kind, claimant
    if _is_rule_subject(sentence):
        return OFFICIAL, _rule_issuer(sentence, previous)
    return FACT, None


def _attribution(sentence: str) -> _Source | None:
    """The first attribution in a main clause: a frame, else a source followed by its verb."""
    frame = _frame(sentence)
    if frame or _is_definition(sentence):
        return frame  # a definition ("X is ...") makes no attributed claim
    for mention in _mentions(sentence):
        if not _is_subordinate(sentence, mention.start):
            found = _attributed(sentence, mention)
            if found:
                return found
    hedge = REPORTEDLY.search(sentence)
    if hedge and not _is_subordinate(sentence, hedge.start()):
        return _Source(None, REPORTED, hedge.start(), hedge.end())
    return None


def _frame(sentence: str) -> _Source | None:
    """'According to X', 'By the X figures,' or 'Under the guidance reported on ...,'."""
    match = ACCORDING_TO.search(sentence) or LEAD_FRAME.match(sentence)
    if not match:
        return None
    src = match["src"]
    named = next(_named_in(src), None) or next(_unknown_names(src), None)
    if named:
        kind = named.kind if named.kind in (OFFICIAL, COMPANY, ESTIMATE) else REPORTED
        return _Source(named.name, kind, match.start(), match.end())
    if "reported" in src or REPORT_CUE.search(src) or match.re is ACCORDING_TO:
        return _Source(None, REPORTED, match.start(), match.end(), needs_context=True)
    return None


def _mentions(sentence: str) -> list[_Source]:
    """Possible sources in order: people with roles, listed names, cues, pronouns, other names."""
    people = list(_people(sentence))
    unknown = list(_unknown_names(sentence))
    found = people + [
        m
        for m in _named_in(sentence)
        if not _overlaps(m, people) and not _is_place(sentence, m, unknown)
    ]
    found += _cues(sentence) + _pronouns(sentence)
    found += [m for m in unknown if not _overlaps(m, found)]
    return sorted(found, key=lambda m: m.start)


def _attributed(sentence: str, mention: _Source) -> _Source | None:
    """The attribution a mention makes when a fitting verb follows it, else None."""
    verb = _verb_after(sentence, mention)
    if verb is None:
        return None
    kind = _mention_kind(sentence, mention, verb)
    name = mention.name or _cue_name(sentence, mention)
    quoted = QUOTED_AS.search(sentence, mention.end) if verb == "quoted" else None
    if quoted:
        name = _surname(quoted["name"])
    return _Source(name, kind, mention.start, mention.end, mention.needs_context)


def _verb_after(sentence: str, mention: _Source) -> str | None:
    """The first verb fitting the mention's kind in the next few words of its clause.

    None if the clause turns subordinate or negative first, or the verb is passive.
    """
    rest = sentence[mention.end :]
    rest = rest[APPOSITIVE.match(rest).end() :]  # type: ignore[union-attr]
    clause = CLAUSE_END.split(rest, maxsplit=1)[0]
    window = {COUNTRY: 3, UNKNOWN: 6}.get(mention.kind, 10)
    before = ""
    for word in WORD.findall(clause)[:window]:
        lowered = word.lower()
        if SUBORDINATE.fullmatch(lowered) or lowered in NEGATIONS:
            return None
        if lowered in AUXILIARIES:
            continue
        if _fits(lowered, mention.kind, clause):
            return None if before in BE_FORMS else lowered
        before = lowered
    return None


def _fits(verb: str, kind: str, clause: str) -> bool:
    """Whether `verb` can attribute a claim to a source of this kind."""
    if verb in ("put", "puts") and kind != COUNTRY and not PUT_AT.search(clause):
        return False
    if kind == COUNTRY:
        return verb in GOV_VERBS
    if kind in (OFFICIAL, REPORTED, ESTIMATE):
        return verb in SAY_VERBS or verb in GOV_VERBS or verb.endswith("ed")
    return verb in SAY_VERBS


def _mention_kind(sentence: str, mention: _Source, verb: str) -> str:
    if mention.kind == COUNTRY:
        return OFFICIAL
    if mention.kind == PRONOUN:
        referent = _referent(sentence, mention)
        return referent.kind if referent else _kind_of_verb(verb)
    if mention.kind == UNKNOWN:
        return _doc_noun_kind(sentence, mention) or _kind_of_verb(verb)
    return mention.kind


def _kind_of_verb(verb: str) -> str:
    """The kind of an unlisted source, judged by how it is cited."""
    if verb in {"reported", "reports", "quoted"}:
        return REPORTED
    if verb in {
        "estimated",
        "estimates",
        "estimate",
        "concluded",
        "judged",
        "found",
        "put",
        "puts",
    }:
        return ESTIMATE
    return COMPANY


def _doc_noun_kind(sentence: str, mention: _Source) -> str | None:
    """'a HyperAI summary said' -> reported; 'a report by China Star Market' -> reported."""
    after = WORD.match(sentence[mention.end :].lstrip())
    if after and after.group().lower() in DOC_NOUNS:
        return DOC_NOUNS[after.group().lower()]
    before = DOC_NOUN_BEFORE.search(_tail(sentence, mention.start))
    return DOC_NOUNS[before["noun"]] if before else None


def _people(text: str) -> Iterator[_Source]:
    if not ROLE_HINT.search(text):
        return
    for match in PERSON.finditer(text):
        group = next(g for g in (COMPANY, "company_appos", OFFICIAL, ESTIMATE) if match[g])
        kind = COMPANY if group == "company_appos" else group
        yield _Source(_surname(match[group]), kind, match.start(), match.end())


def _named_in(text: str) -> Iterator[_Source]:
    return iter(_named_tuple(text))


@lru_cache(maxsize=1024)
def _named_tuple(text: str) -> tuple[_Source, ...]:
    """Listed sources named in `text` (cached: a sentence is scanned several times)."""
    return tuple(
        _Source(*_ALIASES[match.group()], match.start(), match.end())
        for match in NAMED_SOURCE.finditer(text)
    )


def _cues(sentence: str) -> list[_Source]:
    cues = [_Source(None, REPORTED, m.start(), m.end()) for m in REPORT_CUE.finditer(sentence)]
    cues += [_Source(None, ESTIMATE, m.start(), m.end()) for m in ESTIMATE_CUE.finditer(sentence)]
    return cues


def _pronouns(sentence: str) -> list[_Source]:
    return [
        _Source(None, COMPANY if m["company"] else PRONOUN, m.start(), m.end(), needs_context=True)
        for m in PRONOUN_WORD.finditer(sentence)
    ]


def _unknown_names(text: str) -> Iterator[_Source]:
    """Capitalised names not in the lexicon ('TechStartups', 'Robin Li'), as possible sources."""
    for match in UNKNOWN_NAME.finditer(text):
        name = match.group()
        first = name.split()[0]
        if (
            first in NOT_NAMES
            or first in MONTHS
            or DIGIT.search(name)
            or name.endswith(("'s", "’s"))
            or (
                PREPOSITION_BEFORE.search(_tail(text, match.start()))
                and not DOC_NOUN_BEFORE.search(_tail(text, match.start()))
            )
        ):
            continue
        yield _Source(_surname(name), UNKNOWN, match.start(), match.end())


def _cue_name(sentence: str, cue: _Source) -> str | None:
    """A cue's named source: 'commentators, including X', else a listed source of its kind."""
    if cue.kind not in (REPORTED, ESTIMATE):
        return None
    including = INCLUDING.match(sentence, cue.end)
    if including:
        named = next(_named_in(sentence[including.end() :]), None)
        named = named or next(_unknown_names(sentence[including.end() :]), None)
        if named:
            return named.name
    same = [m for m in _named_in(sentence) if m.kind == cue.kind]
    return same[0].name if same else None


def _referent(sentence: str, pronoun: _Source) -> _Source | None:
    """What a pronoun refers to: the last listed non-country source before it."""
    earlier = [m for m in _named_in(sentence[: pronoun.start]) if m.kind != COUNTRY]
    return earlier[-1] if earlier else None


def _context_name(sentence: str, source: _Source, previous: str) -> str | None:
    """A claimant from context: a pronoun's referent, else the previous sentence's claimant."""
    if not source.needs_context:
        return None
    referent = _referent(sentence, source)
    if referent:
        return referent.name
    before = _attribution(previous) or next(
        (m for m in _named_in(previous) if m.kind == source.kind), None
    )
    return before.name if before else None


def _is_subordinate(sentence: str, start: int) -> bool:
    """True when the mention at `start` sits in a clause opened by 'that', 'after', ..."""
    boundary = max(sentence.rfind(mark, 0, start) for mark in ",;:(")
    return bool(SUBORDINATE.search(sentence[boundary + 1 : start]))


def _first_verb(text: str) -> re.Match[str] | None:
    """The first word that looks like a verb (a listed verb, or '-ed' after the first word)."""
    for position, match in enumerate(WORD.finditer(text)):
        word = match.group().lower()
        if word in VERB_LIKE or word in COPULAS or word in SAY_VERBS or word in GOV_VERBS:
            return match
        if word.endswith("ed") and position > 0:
            return match
    return None


def _is_definition(text: str) -> bool:
    """'X is ...', 'X means ...': the first verb is a copula."""
    verb = _first_verb(text)
    return verb is not None and verb.group().lower() in COPULAS


def _subject(text: str) -> str:
    """The words before the first verb (at most SUBJECT_WORDS): a rough grammatical subject."""
    verb = _first_verb(text)
    return " ".join(text[: verb.start() if verb else len(text)].split()[:SUBJECT_WORDS])


def _is_rule_subject(sentence: str) -> bool:
    """The subject is a rule or a government body ('The October 2022 rules created ...')."""
    main = INTRO_CLAUSE.sub("", sentence, count=1)
    if _is_definition(main):
        return False
    subject = _subject(main)
    lead = next(_named_in(subject), None)
    if lead and lead.start <= 4 and lead.kind in (COMPANY, REPORTED, ESTIMATE):
        return False
    return bool(RULE_NOUN.search(subject) or GOV_NOUN.search(subject))


def _rule_issuer(sentence: str, previous: str) -> str | None:
    """Who issued the rule: named in the subject, else in the previous sentence, else anywhere."""
    subject = _subject(INTRO_CLAUSE.sub("", sentence, count=1))
    issuers = [m for m in _named_in(subject) if m.kind in (OFFICIAL, COUNTRY)]
    if issuers:
        return issuers[0].name
    before = _attribution(previous) if previous else None
    if before and before.kind == OFFICIAL:
        return before.name
    agencies = [m for m in _named_in(sentence) if m.kind == OFFICIAL]
    return agencies[0].name if agencies else None


def _meta_claimant(meta: Mapping[str, Any]) -> str | None:
    """Front-matter fallback: the publisher, or the only listed source."""
    publisher = str(meta.get("publisher") or "").strip()
    if publisher and publisher.lower() not in {"unknown", "none", "n/a"}:
        return publisher
    sources = meta.get("sources")
    if isinstance(sources, list) and len(sources) == 1:
        return str(sources[0]).split(",")[0].strip() or None
    return None


def _surname(name: str) -> str:
    """Short name of a person or source: 'Jensen Huang' -> 'Huang', 'Ren Zhengfei' -> 'Ren'.

    Names that look like organisations ('China Star Market') are kept whole.
    """
    words = name.replace("’", "'").removesuffix("'s").split()
    is_person = all(w[:1].isupper() and w[1:].islower() and w not in ORG_WORDS for w in words)
    if len(words) == 1 or not is_person:
        return " ".join(words)
    chinese_order = words[0] in CHINESE_SURNAMES and words[1] not in CHINESE_SURNAMES
    return words[0] if chinese_order else words[-1]


def _tail(text: str, end: int) -> str:
    """The last few whole words before `end`, for the '...\\s+$' look-behind patterns."""
    if end <= TAIL:
        return text[:end]
    piece = text[end - TAIL : end]
    return piece[piece.find(" ") + 1 :]


def _overlaps(source: _Source, others: list[_Source]) -> bool:
    return any(o.start < source.end and source.start < o.end for o in others)


def _is_place(sentence: str, mention: _Source, names: list[_Source]) -> bool:
    """A country after a preposition ('in Washington') or starting a longer name ('China Star
    Market') is not a government acting."""
    if mention.kind != COUNTRY:
        return False
    longer = any(n.start == mention.start and n.end > mention.end for n in names)
    return longer or bool(PREPOSITION_BEFORE.search(_tail(sentence, mention.start)))


# --- Forecasts ------------------------------------------------------------------------------


def _is_forecast(sentence: str, as_of: date | None, dates: list[_Date] | None = None) -> bool:
    """True when the main clauses look ahead of `as_of` (any prediction when undated)."""
    cues = [
        cue
        for cue in (*STRONG_FUTURE.finditer(sentence), *WEAK_FUTURE.finditer(sentence))
        if not _in_side_clause(sentence, cue.start())
    ]
    if as_of is None:
        return bool(cues)
    dates = _dates(sentence, as_of) if dates is None else dates
    for cue in cues:
        target = next((d for d in dates if d.start >= cue.end()), None)
        if target is not None:
            if target.last > as_of:
                return True
        elif cue.re is STRONG_FUTURE or OPEN_HORIZON.search(sentence, cue.end()):
            return True
    return any(
        d.first > as_of
        and AHEAD_PREPOSITION.search(_tail(sentence, d.start))
        and not _in_side_clause(sentence, d.start)
        for d in dates
    )


def _in_side_clause(sentence: str, start: int) -> bool:
    boundary = max(sentence.rfind(mark, 0, start) for mark in ",;:(")
    return bool(SIDE_CLAUSE.search(sentence[boundary + 1 : start]))


# --- Dates ----------------------------------------------------------------------------------


def _dates(sentence: str, as_of: date | None) -> list[_Date]:
    """Every date expression in the sentence, in order."""
    if not DATE_HINT.search(sentence):
        return []
    dates = []
    for match in DATE.finditer(sentence):
        period = _period(match, as_of)
        if period is not None:
            attributive = bool(
                ATTRIBUTIVE_BEFORE.search(_tail(sentence, match.start()))
                and ATTRIBUTIVE_AFTER.match(sentence[match.end() :])
            )
            dates.append(_Date(period[0], match.start(), period[1], period[2], attributive))
    return dates


def _dating(dates: list[_Date]) -> str | None:
    """The first date that dates an event, else the first date naming a thing, else None."""
    dating = [d for d in dates if not d.attributive] or dates
    return dating[0].value if dating else None


def _period(match: re.Match[str], as_of: date | None) -> tuple[str, date, date] | None:
    """(normalised value, first day, last day) of a DATE match, or None if it is not a date."""
    if match["d1"] or match["d2"]:
        return _day(match, as_of)
    if match["m3"]:
        year, month = int(match["y3"]), MONTHS[match["m3"].rstrip(".")]
        return f"{year}-{month:02d}", *_months(year, month, month)
    year = int(match["y4"] or match["y5"] or match["y6"] or match["y7"])
    if match["ord"] or match["qn"]:
        size = 3 if match["unit"] == "quarter" or match["qh"] == "Q" else 6
        number = ORDINALS[match["ord"]] if match["ord"] else int(match["qn"])
        return str(year), *_months(year, size * (number - 1) + 1, size * number)
    if match["part"]:
        return str(year), *_months(year, *PART_MONTHS[match["part"]])
    return str(year), date(year, 1, 1), date(year, 12, 31)


def _day(match: re.Match[str], as_of: date | None) -> tuple[str, date, date] | None:
    day = int(match["d1"] or match["d2"])
    month = MONTHS[(match["m1"] or match["m2"]).rstrip(".")]
    year_text = match["y1"] or match["y2"]
    if year_text:
        year = int(year_text)
    elif as_of is not None:
        year = as_of.year if (month, day) <= (as_of.month, as_of.day) else as_of.year - 1
    else:
        return None
    if day > calendar.monthrange(year, month)[1]:
        return None
    when = date(year, month, day)
    return when.isoformat(), when, when


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _as_date(value: object) -> date | None:
    """A date from a `date` or an ISO 'YYYY-MM-DD' / 'YYYY-MM' / 'YYYY' text (period end)."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        return None
    year, month = int(match[1]), int(match[2] or 12)
    if not 1 <= month <= 12:
        return None
    last_day = calendar.monthrange(year, month)[1]
    day = int(match[3] or last_day)
    return date(year, month, day) if 1 <= day <= last_day else None


def _line_before(text: str, newline: int) -> tuple[str | None, int]:
    """The line ending at offset `newline` (-1: none) and the offset of the newline above it."""
    if newline < 0:
        return None, -1
    start = text.rfind("\n", 0, newline) + 1
    return text[start:newline], start - 1
