"""What a question asks for: its type, the shape of an answer to it, and the names it is about.

Rules, not a model: the wh-word and a few cue words decide the type; each type names the
pattern an answering sentence shows (a date for "when", a figure for "how much", a reason
for "why"). Names are the capitalised or alphanumeric words a question is about
("Moore Threads", "GB200"); an attribute question ("what is the price of …") needs a
sentence that states that attribute for one of those names. A question that asks several
things ("Which chip did it use, and was it later restricted?") has parts, each answered.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.text import QUOTE_MARKS, WORD, content_terms

if TYPE_CHECKING:
    from assistant.types import Hit

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATE = re.compile(rf"\b(?:(?:19|20)\d\d|{MONTHS}|since|until|decades?|years?|months?)\b", re.I)
FIGURE = re.compile(
    r"(?:[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:%|per ?cent|percent|billion|million|trillion|bn|"
    r"gb|tb|nm|pflops|tflops|kw|mw|chips?|gpus?|units?|x\b)|\brmb\s?\d|\b\d[\d,.]*\b)",
    re.I,
)
MEASURE_UNIT = r"(?:%|(?:per ?cent|percent|[gt]b|[km]?w|watts?|[pt]flops|nm)\b)"
MONEY_UNIT = r"(?:(?:bn|billion|million|trillion)\s?)?(?:yuan|dollars?|rmb)\b"
COUNT = re.compile(  # a number of things ('384 chips', 'a 3-year plan'), not a sum, share,
    # measure, code ('D:5', 'N+2') or model number ('950DT')
    rf"(?<![$€£¥])(?<![$€£¥] )(?<!rmb )(?<![\w+.,:-])\d[\d,.]*"
    rf"(?![\w+:]|[.,]\d|\s?(?:{MEASURE_UNIT}|{MONEY_UNIT}))",
    re.I,
)
SUM_OF_MONEY = re.compile(  # '$4.6 billion', 'RMB 60 billion', '380 billion yuan'
    r"(?:[$€£¥]|\brmb\s?)\s?\d[\d,.]*(?:\s?(?:billion|million|trillion|bn)\b)?|"
    r"\b\d[\d,.]*\s?(?:(?:billion|million|trillion|bn)\s)?(?:yuan|dollars?)\b",
    re.I,
)
HOW_MANY = re.compile(  # things, not a measure ('how many GB') or a sum ('how many billion')
    rf"\bhow many\b(?!\s+(?:{MEASURE_UNIT}|{MONEY_UNIT}|(?:bn|billion|million|trillion)\b))",
    re.I,
)
NUMBER_WORDS = re.compile(  # a figure written out: 'seven million', 'a dozen', 'half' (not
    # the number in a compound word: 'a one-day loss', 'a two-way deal')
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|"
    r"twice|triple)\b(?![-‑][a-z])",
    re.I,
)
MONEY = re.compile(
    r"(?:[$€£¥]\s?\d|\brmb\s?\d|\b\d[\d,.]*\s?(?:billion|million|trillion|bn)\b|\byuan\b|\bdollars?\b)",
    re.I,
)
SHARE = re.compile(r"\d\s?(?:%|per ?cent|percent)|\bshare\b|\bstake\b", re.I)
REASON = re.compile(
    r"^(?:to|in order to)\b|\b(?:because|since|as a result|due to|so that|in order to|"
    r"aim(?:s|ed)? to|goal|reason|concern|fear|security|risk|critical|threat|so as to|"
    r"meant to|designed to|intended to|would|could)\b",
    re.I,
)
NAME_LIKE = re.compile(r"\b(?:[A-Z][A-Za-z0-9]+|[a-z]*\d[A-Za-z0-9]*)\b")
CONTRAST = re.compile(
    r"\b(?:but|however|although|though|disput\w*|disagree\w*|skeptic\w*|sceptic\w*|"
    r"critic\w*|contrast|differ\w*|others?|doubt\w*|challeng\w*|counter\w*|overstat\w*|"
    r"cautio\w*|behind|lag\w*|gap)\b",
    re.I,
)
LATEST = re.compile(
    r"\b(?:current(?:ly)?|now|latest|still|today|at present|presently|most recent|any ?more"
    r"|these days|so far|to date)\b",
    re.IGNORECASE,
)

FUTURE = re.compile(  # a question about what is yet to happen
    r"\b(?:will|won[’']t|going to|next (?:year|quarter|decade|generation)|eventually|someday|"
    r"in the (?:coming|future|long run)|end of the decade|years to come|over the next)\b",
    re.IGNORECASE,
)
OUTCOME = re.compile(  # a question about what came of something: 'did it ship on time?'
    r"\b(?:did|was|were|has|have|had)\b(?!.*\b(?:plan\w*|expect\w*|due|schedul\w*|suppos\w*|"
    r"meant|set to|announc\w*|unveil\w*|promis\w*|roadmap|intend\w*|target\w*|aim\w*|"
    r"pledg\w*|forecast\w*|predict\w*|said|say|says|claim\w*)\b)",
    re.IGNORECASE,
)
DEFINITION_ASKED = re.compile(  # "What is the H20?", "What's CoWoS?": the thing to define
    r"^\s*(?i:what(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+(?:the\s+|an?\s+)?)"
    r"(?P<thing>(?:[A-Z0-9][\w+.’'-]*\s?){1,4})\s*\??\s*$"
)
FORWARD = re.compile(  # a sentence that speaks of what is yet to happen
    r"\b(?:will|would|plan\w*|expect\w*|forecast\w*|due|target\w*|aim\w*|schedul\w*|roadmap|"
    r"guidance|outlook|set to|going to|intend\w*|project(?:s|ed|ion)|anticipat\w*|upcoming|"
    r"next|future|could|may|might|pledg\w*|commit\w*|by 20\d\d)\b",
    re.IGNORECASE,
)

PERIODS = {  # the span a reported figure covers, and how it is written
    "first half": r"first half|h1|first six months|six months to june|january to june",
    "second half": r"second half|h2|last six months|july to december",
    "first quarter": r"first quarter|q1|three months to march|january to march",
    "second quarter": r"second quarter|q2|three months to june|april to june",
    "third quarter": r"third quarter|q3|three months to september|july to september",
    "fourth quarter": r"fourth quarter|q4|three months to december|october to december",
    "nine months": r"(?:first )?nine months|january to september",
    "full year": r"full[- ]year|whole year|entire year|calendar (?:19|20)\d\d|"
    r"(?:the )?(?:whole|all|entirety) of (?:19|20)\d\d|twelve months|12 months",
}
MONTH_RANGE = r"\s*(?:to|through|[-–—])\s*"  # 'January to June', 'January–June'
WORD_GAP = re.compile(r"(?<=[a-z]) (?=[a-z])")  # between two words of a period's name


def _period_pattern(words: str) -> re.Pattern[str]:
    """A period as written: 'January to June' or 'January–June', 'first half' or
    'first-half'."""
    spaced = WORD_GAP.sub(r"[-\\s]", words.replace(" to ", MONTH_RANGE))
    return re.compile(rf"\b(?:{spaced})\b", re.IGNORECASE)


PERIOD = {name: _period_pattern(words) for name, words in PERIODS.items()}
CHANGE = r"(?:about\s+|almost\s+|nearly\s+)?\d[\d.,]*\s?(?:%|per ?cent|percent|-?fold)"  # 'up 40%'
UPWARD = re.compile(  # a direction a premise can take, and its contrary below
    r"\b(?:rose|rise[sn]?|rising|climb\w*|jump\w*|surg\w*|soar\w*|gain(?:s|ed)?|increas\w*|"
    r"grew|grow\w*|higher|more than|larg\w*|bigg\w*|expand\w*|lift\w*|allow\w*|permit\w*|approv\w*|"
    r"eas(?:e|ed|ing)|loosen\w*|(?:shot|shoot\w*|went|go(?:es)?) up|spik\w*|skyrocket\w*|"
    rf"leap\w*|rall(?:y|ied|ies)|balloon\w*|up(?=\s+{CHANGE}))\b",
    re.IGNORECASE,
)
DOWNWARD = re.compile(
    r"\b(?:fell|fall\w*|drop\w*|declin\w*|plung\w*|slump\w*|sank|sink\w*|shed|lost|"
    r"decreas\w*|shr[iau]nk\w*|lower|less than|fewer|smaller|ban(?:s|ned)?|block\w*|"
    r"barr(?:ed|ing)|forb[ai]d\w*|restrict\w*|tighten\w*|lapsed|never|tumbl\w*|crash\w*|"
    r"plummet\w*|slid(?:e|es|ing)?|tank(?:ed|ing)|(?:went|go(?:es)?) down|collaps\w*|"
    r"knock\w* (?:down|off)|wip(?:e|ed|es|ing) (?:out|off)|eras(?:e|ed|es|ing)|"
    rf"down(?=\s+{CHANGE}))\b",
    re.IGNORECASE,
)
PREMISED = re.compile(  # questions that take a claim for granted: why it happened, or whether
    r"^\s*(?:why|how come|what (?:led|caused|prompted|made|drove))\b|\bwhy\b",
    re.IGNORECASE,
)

SAYING = re.compile(
    r"\b(?:said|says|saying|say|told|claim\w*|argu\w*|warn\w*|call\w*|describ\w*|"
    r"predict\w*|announc\w*|stated|statement|remark\w*|according to|quoted|believ\w*)\b",
    re.I,
)
TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "said",
        re.compile(
            r"\bwhat (?:did|does|do|has|have|had) .{0,80}\b(?:say|said|claim|argue|warn|tell|"
            r"think|believe|predict|describe|announce|call)\b|\bwhat was .{0,40}\b(?:remark|"
            r"statement|message|claim|comment)\b",
            re.I,
        ),
    ),
    (
        "dispute",
        re.compile(
            r"\b(accepted|agree\w*|disput\w*|contested|controvers\w*|"
            r"shared|consensus|everyone|sources? (?:differ|disagree)|"
            r"widely|skeptic\w*|doubt\w*|believe (?:it|that|this))\b",
            re.I,
        ),
    ),
    (
        "compare",
        re.compile(
            r"\b(compare\w*|versus|vs\.?|differ\w* between|bigger|smaller|"
            r"faster|slower|more powerful|better than|worse than|than)\b",
            re.I,
        ),
    ),
    (
        "when",
        re.compile(
            r"^\s*(?:when|what year|which year|by when|until when|since when|"
            r"how long|how soon|what date|on what date)\b|\bwhen\b\??\s*$",
            re.I,
        ),
    ),
    (
        "why",
        re.compile(
            r"^\s*(?:why|how come|for what reason|what (?:is|was|are|were) (?:the|its|their|"
            r"his|her|\w+['’]s?) (?:reason\w*|goals?|aims?|point|purpose|rationale|motives?|"
            r"logic|justification|thinking))\b|\bwhy\b",
            re.I,
        ),
    ),
    (
        "amount",
        re.compile(
            r"\b(?:how (?:much|many|big|large|fast|far|high|low|steep(?:ly)?|sharp(?:ly)?|"
            r"deep(?:ly)?|heav(?:y|ily)|badly)|what (?:is|was|"
            r"were) the (?:size|price|cost|value|revenue|amount|number|share)|what percentage|"
            r"what share|how many|"
            r"what (?:[\w-]+ ){0,2}(?:throughput|bandwidth|capacity|speed|figure|total)\b)\b",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"^\s*(?:who|whose|whom|which (?:company|companies|firm|firms|"
            r"country|countries|agency|body|group|groups|investors?|"
            r"shareholders?|outlets?|analysts?))\b|\bwho\b",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"^\s*(?:what|which) (?:are|were) (?:the|some)\b|\blist\b(?!\s+price)|"
            r"\bname (?:the|some)\b|\bwhat (?:\w+ ){0,3}(?:include|includes)\b",
            re.I,
        ),
    ),
    (
        "yes_no",
        re.compile(
            r"^\s*(?:is|are|can|could|does|do|did|will|would|has|have|was|"
            r"were|should)\b",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class Attribute:
    """An attribute a question can ask for, and what a sentence stating it shows."""

    asks: re.Pattern[str]  # in the question
    value: re.Pattern[str] | None  # the value's shape in the sentence
    words: re.Pattern[str] | None  # a word naming the attribute in the sentence

    def stated_in(self, text: str) -> bool:
        """True when `text` states this attribute (value and naming word, where set)."""
        return all(p.search(text) for p in (self.value, self.words) if p is not None)


def _attribute(asks: str, value: re.Pattern[str] | None, words: str | None) -> Attribute:
    return Attribute(re.compile(asks, re.I), value, re.compile(words, re.I) if words else None)


ATTRIBUTES = (
    _attribute(  # the price of one thing
        r"\b(?:how much (?:does|did|do|is|was|will)\b.*"
        r"\b(?:sells?|sold|retail\w*|go|goes|went) for|"
        r"price (?:of|per|for)|(?:unit|sticker|retail|list|launch) price|price tag|"
        r"what (?:does|did|do) (?:one|a single|each)\b.{0,60}\bcost|"
        r"(?:sells?|sold|retail(?:s|ed)?) for)\b",
        MONEY,
        r"\b(price\w*|cost(?:s|ing)?|paid|pay|per (?:chip|unit|card)|apiece|"
        r"(?:sells?|sold|retail\w*) (?:\w+ )?(?:for|at))\b",
    ),
    _attribute(  # what something cost someone: a price, a payment or a charge
        r"\b(?:how much (?:does|did|do|is|was|will)\b.*\b(?:cost|pay|charge)|"
        r"cost of|what (?:does|did|do) .{0,60}\bcost)\b",
        MONEY,
        r"\b(price\w*|cost\w*|paid|pay|charg\w*|per (?:chip|unit|card))\b",
    ),
    _attribute(r"\b(revenue|sales|turnover)\b", MONEY, r"\b(revenue|sales|sold|turnover)\b"),
    _attribute(
        r"\b(valuation|market (?:value|capitali[sz]ation|cap)|valued at)\b",
        MONEY,
        r"\b(valu\w*|market cap\w*|capitali[sz]ation|worth)\b",
    ),
    _attribute(r"\b(profit|earnings|net income)\b", MONEY, r"\b(profit|loss|earnings|income)\b"),
    _attribute(
        r"\bhow many (?:people|employees|staff|workers)\b|\b(?:headcount|workforce)\b",
        FIGURE,
        r"\b(employ\w*|staff|headcount|workforce|people)\b",
    ),
    _attribute(
        r"\b(headquarter\w*|which city|what city|based in which)\b",
        None,
        r"\b(headquarter\w*|based in|city)\b",
    ),
    _attribute(
        r"\b(?:when|what year|which year)\b.*\b(founded|set up|established)\b",
        DATE,
        r"\b(found\w*|set up|establish\w*|creat\w*|registered|started)\b",
    ),
    _attribute(
        r"\bwho (?:is|was|runs|ran|leads|led|heads|headed)\b.*"
        r"\b(?:chief executive|ceo|boss|chairman|company|firm)\b|"
        r"\bwho (?:runs|chairs|manages|heads)\b",
        None,
        r"\b(chief executive|ceo|chair\w*|president|head of|headed by|founder|boss|"
        r"manag(?:er|ers|ing|ed by)|director|run by|led by)\b",
    ),
    _attribute(
        r"\bwho (?:founded|set up|started|established|created)\b",
        None,
        r"\b(found(?:ed|er|ers)|set up|established|co-?founded)\b",
    ),
    _attribute(
        r"\b(wattage|watts|power draw|power consumption|how much power)\b",
        None,
        r"\b\d[\d,.]*\s?(?:w|kw|mw|watts?)\b",
    ),
    _attribute(  # a measure is stated in its unit
        r"\b(clock speed|clock rate|clock frequency|ghz|mhz)\b",
        None,
        r"\b\d[\d,.]*\s?(?:ghz|mhz)\b",
    ),
    _attribute(
        r"\b(die size|die area|mm2|mm²|square millimet\w*)\b",
        None,
        r"\d[\d,.]*\s?(?:mm2|mm²|square millimet\w*)",
    ),
    _attribute(
        r"\b(transistors?|transistor count)\b",
        None,
        r"\b\d[\d,.]*\s?(?:(?:billion|million|bn|m)\s)?transistors\b",
    ),
    _attribute(
        r"\b(?:r&d|research and development)\b",
        MONEY,
        r"\b(?:r&d|research and development|research)\b",
    ),
    _attribute(
        r"\b(market share|share of|slice of|percentage of|stake|(?:what|which) (?:share|"
        r"percentage|portion|cut))\b",
        SHARE,
        None,
    ),
)
VALUE_SEEKING = frozenset({"amount", "what", "who", "when"})  # kinds an attribute can apply to
ATTRIBUTION = re.compile(  # "per Richard Windsor", "according to the WSJ": a source, not a subject
    r"\b(?i:per|according to|as reported by|says?|said|reported by|in the view of)\s+"
    r"(?:the\s+)?(?:[A-Z][\w’'-]*\s?){1,4}"
)

SENTENCE_OR_DASH = r"(?<=[.?;!])\s+|\s+[—–]\s+|\s+-{1,2}\s+"
CLAUSE_BREAK = re.compile(SENTENCE_OR_DASH)  # between the sentences or dashed clauses of one
BEFORE_ASK = (  # a preposition or an adverb before a question word ('at what', 'roughly how')
    r"(?:(?:\w+ly|at|on|in|by|for|from|to|with|under|about|after|before|since|until|over)\s+)?"
)
PART_BREAK = re.compile(  # between the parts of a two-part question ('…, and at what price …')
    rf"{SENTENCE_OR_DASH}|,?\s+(?:and|but|or)\s+(?={BEFORE_ASK}(?:which|what|who|whom|whose|"
    r"when|where|why|how)\b|(?:did|does|do|is|are|was|were|can|could|has|have|had|will|would|"
    r"should)\b)",
    re.I,
)
ASKING_WORD = r"(?:how (?:much|many|long|far|big)|when|where|why|how|who|what|which)"
ASKS = re.compile(rf"(?:^\s*|\b)(?:(?:and|but|or)\s+)?{BEFORE_ASK}{ASKING_WORD}\b", re.I)
LEADING_ASKS = re.compile(  # "Where and when did …", "Who, when and why …"
    rf"^\s*(?P<asks>{ASKING_WORD}(?:\s*,\s*{ASKING_WORD})*,?\s+and\s+{ASKING_WORD})\s+"
    r"(?P<rest>\w.*)$",
    re.IGNORECASE | re.DOTALL,
)
TRAILING_ASK = re.compile(  # "What did Alibaba pledge, and when?"
    r"^(?P<main>.+?),?\s+and\s+(?P<word>when|where|why|how)\s*\??\s*$", re.IGNORECASE | re.DOTALL
)
QUALIFIER = re.compile(  # a name that only qualifies ('Biden-era rules', 'Western curbs')
    r"\b[A-Z]\w*-(?:era|led|backed|style|made|based|funded|owned|built|linked)\b|"
    r"\b(?:Western|Eastern|Northern|Southern)\b"
)
MIN_NAME_LENGTH = 3  # shorter capitalised words ("TV", "AI") are too generic to judge by
MODEL = re.compile(  # letters and digits ('h20', '910c'), not a unit, an ordinal or a period
    r"(?=\w*\d)(?=\w*[a-z])(?!\d+(?:nm|[kmgt]?b|[km]?w|g|x|bn|m|k|s|st|nd|rd|th)$)"
    r"(?![hq]\d$)\w+"
)
MIN_PART_TERMS = 2  # a shorter piece ("and why?") is read with the part before it
COMPARED_WITH = re.compile(  # between the two sides of a comparison
    r"\s+(?:(?:compared?|compares|comparing|stacks? up|measures? up|match(?:es)? up)\s+"
    r"(?:with|to|against)|versus|vs\.?|against)\s+",
    re.I,
)
COMPARE_OPENING = re.compile(  # "Compare A with B", sides A and B
    r"^\s*compare\s+(.+?)\s+(?:with|against)\s+(.+)$", re.IGNORECASE | re.DOTALL
)
REFERS_BACK = re.compile(r"\b(?:the two|both|each other|them|they|those|these)\b", re.IGNORECASE)
COORDINATED = re.compile(  # "Tencent and Baidu", "the Dutch and the Japanese"
    r"(?P<first>(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)\s+and\s+"
    r"(?P<second>(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)"
)
CALENDAR_OR_QUANTITY = re.compile(  # not names: 'Dec', 'Monday', '27th', '600bn', 'H1', 'Q3'
    r"^(?:(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|[hq][1-4]|fy\d+|"
    r"\d[\d.,]*(?:st|nd|rd|th|s|k|m|bn|b|tn|x|pc))$",
    re.I,
)

GENERATION = re.compile(r"\d+[a-z]?")  # what a generation adds to a name: '3', '2e'
NUMBERED_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:\s|\+|-)\d+\b")  # 'Mate 60', 'N+2', 'Atlas 950'
CAPITALISED_RUN = re.compile(  # 'Wall Street Journal', 'Bureau of Industry and Security'
    r"\b[A-Z][A-Za-z]+(?:\s+(?:(?:of|and|for|the|&)\s+)?[A-Z][A-Za-z]+){1,4}\b"
)
CAPITALS = {  # a capital named for its government ('Tokyo's restrictions'), as content terms
    "tokyo": "Japan Japanese",
    "hague": "Netherlands Dutch",
    "seoul": "Korea Korean",
    "taipei": "Taiwan Taiwanese",
    "brussels": "EU European",
    "london": "UK Britain British",
    "berlin": "Germany German",
    "paris": "France French",
    "delhi": "India Indian",
    "moscow": "Russia Russian",
    "beijing": "China Chinese",
    "washington": "US American",
}
GENERIC_NAMES = frozenset(  # capitalised in questions, but too general to pin an answer
    {"us", "usa", "america", "american", "china", "chinese", "beijing", "washington", "ai"}
)


@dataclass(frozen=True)
class QuestionShape:
    """What one question asks for."""

    kind: str  # said, dispute, compare, when, why, amount, who, list, yes_no, or what
    expects: re.Pattern[str] | None  # what an answering sentence shows, when the kind says
    attribute: Attribute | None  # an attribute a named thing must have stated
    names: tuple[str, ...]  # the specific things the question is about
    years: tuple[int, ...]  # the years the question names
    parts: tuple[str, ...] = ()  # the pieces of a question that asks two things or more
    future: bool = False  # asks what is yet to happen ('will', 'next year', 'eventually')
    premise: tuple[re.Pattern[str], re.Pattern[str]] | None = None  # (assumed, its contrary)
    period: str | None = None  # the span a figure must cover: 'first half', 'third quarter' …
    numbered: tuple[str, ...] = ()  # names that hold a number ('Mate 60', not 'May 2025')
    counted: bool = False  # asks how many: a number of things answers, not money or a measure
    reported: bool = False  # asks what someone said, claimed or predicted
    outcome: bool = False  # asks what came of something, not what was planned or said
    defines: str | None = None  # the thing a "What is X?" question asks to define
    latest_year: int | None = None  # the year of the newest document read (None: this year)

    @property
    def newest_year(self) -> int:
        """The year of the newest document the question is read against, or this year."""
        return self.latest_year or datetime.date.today().year

    @property
    def future_years(self) -> tuple[str, ...]:
        """The years the question names that come after the newest document read."""
        return tuple(str(year) for year in self.years if year > self.newest_year)

    @property
    def subject(self) -> tuple[str, ...]:
        """The names that carry what the question is about (no dates, quantities or
        two-letter words such as 'TV')."""
        return tuple(
            name
            for name in self.names
            if len(name) >= MIN_NAME_LENGTH and not CALENDAR_OR_QUANTITY.match(name)
        )

    @property
    def models(self) -> tuple[str, ...]:
        """The model numbers the question is about ('the GEN041', 'H20 or H800'): its names
        when every one is a model number. Beside a company or a product, a model is often
        context ('Nvidia's fall after R1 came out'), so there are none."""
        return self.names if self.names and all(MODEL.fullmatch(n) for n in self.names) else ()


@lru_cache(maxsize=1024)
def analyse(question: str) -> QuestionShape:
    """Classify `question` and pick out its names, attribute and years (once per text: the
    question, its retrieval query and its answer read it alike)."""
    text = question.translate(QUOTE_MARKS)
    kind = next((name for name, pattern in TYPE_PATTERNS if pattern.search(text)), "what")
    expects = {
        "when": DATE,
        "why": REASON,
        "amount": FIGURE,
        "dispute": CONTRAST,
        "said": SAYING,
    }.get(kind)
    attribute = _first_asked(text)
    if kind not in VALUE_SEEKING:
        attribute = None
    names = question_names(ATTRIBUTION.sub(" ", text))
    parts = question_parts(text)
    return QuestionShape(
        kind,
        expects,
        attribute,
        names,
        tuple(years_in(text)),
        parts,
        future=bool(FUTURE.search(text)),
        premise=_contrary_of_premise(text),
        period=_one_period(text),
        numbered=tuple(n for n in NUMBERED_NAME.findall(text) if not _is_a_date(n)),
        counted=bool(HOW_MANY.search(text)),
        reported=bool(SAYING.search(text)),
        outcome=bool(OUTCOME.search(text)),
        defines=_thing_to_define(text),
    )


def _is_a_date(numbered: str) -> bool:
    """'August 2025' or 'Dec 9' is a date, not a numbered name such as 'Mate 60'."""
    return bool(CALENDAR_OR_QUANTITY.match(numbered.split()[0].rstrip(".")))


def _thing_to_define(text: str) -> str | None:
    """X of "What is X?" when X is a name ('the H20', 'Big Fund III'), without a leading
    country ('the US Entity List' is defined as 'Entity List')."""
    asked = DEFINITION_ASKED.match(text)
    if not asked:
        return None
    words = asked.group("thing").split()
    while len(words) > 1 and words[0].lower() in GENERIC_NAMES:
        words = words[1:]
    return " ".join(words)


def years_in(text: str) -> list[int]:
    """The years (2000–2099) `text` names."""
    return [int(year) for year in re.findall(r"\b(20\d\d)\b", text)]


def _one_period(text: str) -> str | None:
    """The reporting period a question is about, when it names exactly one."""
    named = periods_in(text)
    return named[0] if len(named) == 1 else None


def periods_in(text: str) -> list[str]:
    """The reporting periods `text` names ('H1' and 'the first six months' are one)."""
    return [name for name, pattern in PERIOD.items() if pattern.search(text)]


def _contrary_of_premise(text: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """For a question that takes a direction for granted ('Why did its shares climb …?'),
    the patterns of that direction and of its contrary; None when it takes none, or both."""
    if not PREMISED.search(text):
        return None
    up, down = UPWARD.search(text), DOWNWARD.search(text)
    if bool(up) == bool(down):
        return None
    return (UPWARD, DOWNWARD) if up else (DOWNWARD, UPWARD)


def _first_asked(text: str) -> Attribute | None:
    """The attribute the question names first ('what share … from H200 sales' asks for a
    share, not for sales), from its question word on: 'On the day Nvidia lost its top spot by
    market cap, by how much did the Nasdaq fall?' asks for no market value."""
    ask = ASKS.search(text)
    asked = text[ask.start() :] if ask else text
    found = [(m.start(), i) for i, a in enumerate(ATTRIBUTES) if (m := a.asks.search(asked))]
    return ATTRIBUTES[min(found)[1]] if found else None


def question_parts(text: str) -> tuple[str, ...]:
    """The pieces of a question that asks two things ("Which chip did it use, and was that
    chip later restricted?"; "X says A; what does Y say?"), or () for a one-part question."""
    parts: list[str] = []
    for clause in CLAUSE_BREAK.split(text.translate(QUOTE_MARKS)):
        asks = coordinated_asks(clause)
        if asks and parts and any(_leans_on_before(ask) for ask in asks):
            parts[-1:] = [f"{parts[-1]} {ask}" for ask in asks]  # each asks of what came before
            continue
        if asks:
            parts += asks
            continue
        for piece in PART_BREAK.split(clause):
            if parts and _leans_on_before(piece) and ASKS.match(piece) and ASKS.search(parts[-1]):
                parts.append(f"{parts[-1]} {piece}")  # 'under what licence?' of the ask before
            elif parts and _leans_on_before(piece):
                parts[-1] = f"{parts[-1]} {piece}"
            elif piece.strip():
                parts.append(piece.strip())
    if len(parts) > 1:
        return tuple(parts)
    return comparison_sides(text) or coordinated_names(text)


def coordinated_asks(text: str) -> tuple[str, ...]:
    """A question whose question words share one clause ("Where and when did he say it?",
    "What did Alibaba pledge, and when?"), as one question for each word, or ()."""
    leading = LEADING_ASKS.match(text)
    if leading:
        rest = leading.group("rest")
        words = re.findall(rf"\b{ASKING_WORD}", leading.group("asks"), re.IGNORECASE)
        return tuple(f"{word.capitalize()} {rest}" for word in words)
    trailing = TRAILING_ASK.match(text)
    if trailing:
        main = trailing.group("main")
        clause = re.sub(rf"^\s*{ASKING_WORD}\s+", "", main, flags=re.IGNORECASE)
        return (f"{main}?", f"{trailing.group('word').capitalize()} {clause}?")
    return ()


def _leans_on_before(piece: str) -> bool:
    """A piece too short to be asked alone ('and why?') or that only points back."""
    return len(content_terms(piece)) < MIN_PART_TERMS or _only_refers_back(piece)


def _only_refers_back(piece: str) -> bool:
    """A piece that names nothing and points at what came before ('how do the two stack
    up?'): it asks its question of the part before."""
    return not question_names(f"x {piece}") and bool(REFERS_BACK.search(piece))


def comparison_sides(text: str) -> tuple[str, ...]:
    """The two sides of a comparison that names a thing on each ("How does the 910C's
    compute compare with the H100?", "Compare A's sales with B's charge"), each asked for
    what the question asks, or ()."""
    text = text.translate(QUOTE_MARKS)
    opening = COMPARE_OPENING.match(text)
    split = COMPARED_WITH.split(text) if opening is None else opening.group(1, 2)
    sides = [side.strip(" ?.") for side in split]
    names = [set(question_names(f"x {side}")) for side in sides]
    if len(sides) != 2 or not all(names):
        return ()
    asked = [t for side in sides for t in content_terms(side) if t not in names[0] | names[1]]
    return tuple(_asking(side, asked) for side in sides)


def coordinated_names(text: str) -> tuple[str, ...]:
    """A question about two named things at once ("What did the Dutch and the Japanese each
    restrict?"), as one question about each, or ()."""
    text = text.translate(QUOTE_MARKS)
    opener = re.match(r"\s*\S+", text)  # the first word is capitalised anyway
    match = COORDINATED.search(text, opener.end() if opener else 0)
    if match is None:
        return ()
    names = (match.group("first"), match.group("second"))
    if any(set(content_terms(name)) <= GENERIC_NAMES for name in names):
        return ()
    return tuple(f"{text[: match.start()]}{name}{text[match.end() :]}" for name in names)


def _asking(side: str, asked: list[str]) -> str:
    """One side of a comparison with the question's other terms it lacks."""
    missing = [t for t in dict.fromkeys(asked) if t not in content_terms(side)]
    return f"{side} ({' '.join(missing)})" if missing else side


def question_names(text: str) -> tuple[str, ...]:
    """Capitalised words after the first and words with digits, as content terms; a name
    that only qualifies ('Biden-era rules', 'Western curbs') is none."""
    words = WORD.findall(QUALIFIER.sub(" ", text))
    names = [
        word
        for position, word in enumerate(words)
        if (position > 0 and word[0].isupper()) or any(ch.isdigit() for ch in word)
    ]
    terms = [t for name in names for t in content_terms(name)]
    return tuple(dict.fromkeys(t for t in terms if t not in GENERIC_NAMES and not t.isdigit()))


def names_model(models: tuple[str, ...], hit: Hit) -> bool:
    """Whether a passage (its text, section or document title) names one of `models`
    exactly, or there are none: near-identical model numbers embed alike."""
    if not models:
        return True
    where = f"{hit.doc.title} {hit.chunk.section} {hit.chunk.text}"
    return any(names_in((model,), where) for model in models)


def names_in(names: tuple[str, ...], text: str) -> bool:
    """True when every name occurs in `text`, as a word, as the initials of a run of
    capitalised words ('WSJ' for 'Wall Street Journal') or as the country a capital stands
    for ('Tokyo' for 'Japan')."""
    words = set(content_terms(text))
    missing = [
        name
        for name in names
        if name not in words and not words & stands_for(name) and not _a_generation_of(name, words)
    ]
    return not missing or all(name in initialisms(text) for name in missing)


def _a_generation_of(name: str, words: set[str]) -> bool:
    """Whether `words` name a generation of `name` ('hbm3', 'hbm2e' for 'hbm'); not for a
    name ending in a digit, whose next digit makes another name ('h200' is not 'h20')."""
    return name[-1:].isalpha() and any(
        GENERATION.fullmatch(word[len(name) :]) for word in words if word.startswith(name)
    )


def stands_for(name: str) -> set[str]:
    """The country (and its adjective) a capital city's name stands for in the news, as
    content terms: 'tokyo' → {'japan', 'japanese'}; empty for any other name."""
    return set(content_terms(CAPITALS.get(name, "")))


def initialisms(text: str) -> set[str]:
    """Initials of every run of two to five capitalised words, small joining words left
    out ('wsj' and 'sj' for 'Wall Street Journal', 'bis' for 'Bureau of Industry and
    Security'), lowercased."""
    found = set()
    for run in CAPITALISED_RUN.findall(text):
        initials = "".join(w[0] for w in run.split() if w[0].isupper()).lower()
        found |= {
            initials[i:j] for i in range(len(initials)) for j in range(i + 2, len(initials) + 1)
        }
    return found


def asks_for_latest(question: str) -> bool:
    """Whether the question is about the current or latest state."""
    return bool(LATEST.search(question))
