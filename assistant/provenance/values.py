"""Values a claim states, with their units: money, shares, counted things, technical units and
dates. Two values of one unit agree when their ranges overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.provenance.dates import dates_in
from assistant.provenance.lexicon import word_set

HEDGE = r"(?:(?:about|around|roughly|nearly|almost|some|close to|more than|over|up to)\s+)?"
NUMBER = r"\d[\d,]*(?:\.\d+)?"
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
MONEY = re.compile(
    rf"{HEDGE}(?P<currency>\$|RMB\s?|US\$|€|£)(?P<number>{NUMBER})"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion))?(?:\s?(?:[–-]|to)\s?{NUMBER})?"
)
SHARE = re.compile(
    rf"{HEDGE}(?:(?P<number>{NUMBER})(?:\s?[–-]\s?(?P<upper>{NUMBER}))?\s?(?:%|per ?cent\b)"
    r"|(?P<half>half)\b)"
)
COUNT = re.compile(
    rf"{HEDGE}(?<![\w.$–-])(?P<number>{NUMBER})(?:\s?[–-]\s?(?P<upper>{NUMBER}))?"
    r"(?:\s(?P<scale>thousand|million|billion))?(?:\s(?:[A-Z][\w-]*|\w*\d[\w-]*)){0,2}"
    r"\s(?P<unit>[A-Za-z][A-Za-z-]*s|TFLOPS|PFLOPS|EFLOPS|TOPS|GB/s|TB/s|GB|TB|kW|MW|nm)\b"
    r"(?!\s(?:about|the|a|an|that|its|their|up|more|less)\b)"  # "384 draws about": a verb
)
NOT_UNITS = word_set(
    """this was has is its as us always plus across less unless
    thus whereas yes perhaps besides sometimes nevertheless"""
)


@dataclass(frozen=True, slots=True)
class Value:
    """A stated value: its unit, the range it names, and its words as written."""

    unit: str
    low: float
    high: float
    text: str

    def agrees(self, other: Value) -> bool:
        """Same unit and overlapping ranges ("between 589 and 600" agrees with 593)."""
        return self.unit == other.unit and self.low <= other.high and other.low <= self.high


def values_in(text: str) -> list[Value]:
    """Money, shares and counted things in `text`, with date expressions left out."""
    plain = _without_dates(text)
    money, shares = list(MONEY.finditer(plain)), list(SHARE.finditer(plain))
    found = [_money(m) for m in money]
    taken = [m.span() for m in money]
    found += [_share(m) for m in shares if not _inside(m.span(), taken)]
    taken += [m.span() for m in shares]
    found += [
        value
        for m in COUNT.finditer(plain)
        if not _inside(m.span(), taken) and (value := _count(m)) is not None
    ]
    return found


def last_date(text: str) -> Value | None:
    """The last date expression in `text`, as a value of unit "date" (days since year 1)."""
    dates = dates_in(text, None)
    if not dates:
        return None
    last = dates[-1]
    return Value("date", last.first.toordinal(), last.last.toordinal(), text[last.start : last.end])


def _without_dates(text: str) -> str:
    """`text` with each date expression blanked out (same length, so spans still match)."""
    for found in dates_in(text, None):
        text = text[: found.start] + " " * (found.end - found.start) + text[found.end :]
    return text


def _money(match: re.Match[str]) -> Value:
    currency = match["currency"].strip().replace("US$", "$")
    scale = match["scale"] or ""
    number = _number(match["number"]) * SCALES.get(scale, 1.0)
    unit = f"{currency} {scale}".strip()
    return Value(unit, number, number, match.group().strip())


def _share(match: re.Match[str]) -> Value:
    low = 50.0 if match["half"] else _number(match["number"])
    high = _number(match["upper"]) if match["upper"] else low
    return Value("%", low, high, match.group().strip())


def _count(match: re.Match[str]) -> Value | None:
    unit = match["unit"]
    if unit.lower() in NOT_UNITS:
        return None
    scale = SCALES.get(match["scale"] or "", 1.0)
    low = _number(match["number"]) * scale
    high = _number(match["upper"]) * scale if match["upper"] else low
    return Value(unit.lower(), low, high, match.group().strip())


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in taken)
