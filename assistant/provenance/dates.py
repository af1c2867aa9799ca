"""Dates in sentences: the event date a sentence reports, a document's as-of date, and whether
a sentence looks ahead of it (a forecast)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.provenance.lexicon import tail

SIDE_CLAUSE = re.compile(
    r"\b(?:while|whereas|although|though|which|including|after|before|because)\b", re.IGNORECASE
)
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
class Dated:
    """A date expression in a sentence and the period it names."""

    value: str  # normalised: YYYY-MM-DD, YYYY-MM or YYYY
    start: int
    end: int
    first: date  # first day of the period it names
    last: date  # last day of that period
    attributive: bool  # names a thing ("the December 2024 rules") rather than dating an event


def event_date(sentence: str, as_of: str | date | None = None) -> str | None:
    """The date a sentence reports, as YYYY-MM-DD, YYYY-MM or YYYY; None when it has none.

    The first date that dates an event wins; dates that only name a thing ("the December
    2024 rules", "its 2024 revenue") count only when nothing else does. A quarter, half or
    "early/late YEAR" gives the year; a day range gives its first day. A day and month
    without a year take the year of `as_of` (the year before if that would be later).
    """
    return dating(dates_in(sentence, as_date(as_of)))


def document_as_of(meta: Mapping[str, Any]) -> date | None:
    """The document's `as_of` date (else its ISO `date`) from front matter, if it has one."""
    for key in ("as_of", "date"):
        parsed = as_date(meta.get(key))
        if parsed:
            return parsed
    return None


# --- Forecasts ------------------------------------------------------------------------------


def is_forecast(sentence: str, as_of: date | None, dates: list[Dated] | None = None) -> bool:
    """True when the main clauses look ahead of `as_of` (any prediction when undated)."""
    cues = [
        cue
        for cue in (*STRONG_FUTURE.finditer(sentence), *WEAK_FUTURE.finditer(sentence))
        if not _in_side_clause(sentence, cue.start())
    ]
    if as_of is None:
        return bool(cues)
    dates = dates_in(sentence, as_of) if dates is None else dates
    for cue in cues:
        target = next((d for d in dates if d.start >= cue.end()), None)
        if target is not None:
            if target.last > as_of:
                return True
        elif cue.re is STRONG_FUTURE or OPEN_HORIZON.search(sentence, cue.end()):
            return True
    return any(
        d.first > as_of
        and AHEAD_PREPOSITION.search(tail(sentence, d.start))
        and not _in_side_clause(sentence, d.start)
        for d in dates
    )


def _in_side_clause(sentence: str, start: int) -> bool:
    boundary = max(sentence.rfind(mark, 0, start) for mark in ",;:(")
    return bool(SIDE_CLAUSE.search(sentence[boundary + 1 : start]))


def dates_in(sentence: str, as_of: date | None) -> list[Dated]:
    """Every date expression in the sentence, in order."""
    if not DATE_HINT.search(sentence):
        return []
    dates = []
    for match in DATE.finditer(sentence):
        period = _period(match, as_of)
        if period is not None:
            attributive = bool(
                ATTRIBUTIVE_BEFORE.search(tail(sentence, match.start()))
                and ATTRIBUTIVE_AFTER.match(sentence[match.end() :])
            )
            dates.append(Dated(period[0], match.start(), match.end(), *period[1:], attributive))
    return dates


def dating(dates: list[Dated]) -> str | None:
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


def as_date(value: object) -> date | None:
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


def period(value: str) -> tuple[date, date]:
    """First and last day of the period an ISO date, month or year names (date.min if none)."""
    last = as_date(value) or date.min
    if len(value) == 4:
        return date(last.year, 1, 1), last
    return (last.replace(day=1) if len(value) == 7 else last), last


def human_date(value: str) -> str:
    """'2026-11-01' → '1 November 2026', '2025-01' → 'January 2025', '2025' → '2025'."""
    parsed = as_date(value)
    if parsed is None or len(value) == 4:
        return value
    month = f"{parsed:%B} {parsed.year}"
    return month if len(value) == 7 else f"{parsed.day} {month}"
