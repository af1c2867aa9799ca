"""Synthetic distractor documents: on-topic Markdown that never holds a gold answer.

The generator is seeded (`random.Random(seed)`), so one seed always writes byte-identical
files, and a run of n documents is the first n of a longer run. Companies and products
are invented, every document says it is synthetic, and each line is redrawn until it
contains none of the phrases to avoid (gold evidence quotes, key facts and answers, as
whole words, after quote-mark and dash folding) and none of the numbers they mention.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.gold import GoldItem
from assistant.text import normalise

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
TOKEN = re.compile(r"\w+|[^\w\s]")
MAX_DRAWS = 200  # redraws of one line before the avoid list is declared unsatisfiable

FIRMS = (
    "Korvell Microsystems",
    "Lantern Compute",
    "Meridian Foundry",
    "Aster Logic",
    "Qingtai Silicon",
    "Harbor Lane Devices",
    "Zhenyu Compute",
    "Northgate Photonics",
    "Pinecrest Memory",
    "Tianhe Vector",
    "Oakridge Packaging",
    "Redwater Systems",
    "Luming Semiconductor",
    "Silver Delta Labs",
)
PRODUCT_NAMES = ("Orion", "Vega", "Lumen", "Tessera", "Halcyon", "Corvid", "Sable", "Ember")
PRODUCT_KINDS = (
    "accelerator",
    "inference card",
    "training module",
    "network processor",
    "edge chip",
    "memory controller",
)
TOPICS = (
    "wafer capacity",
    "advanced packaging",
    "stacked DRAM supply",
    "compiler toolchains",
    "data-centre demand",
    "licensing reviews",
    "subsidy programmes",
    "equipment sourcing",
    "interconnect design",
    "power efficiency",
    "yield improvement",
    "cluster scheduling",
    "engineering hiring",
    "photomask supply",
)
BODIES = (
    "a provincial industry bureau",
    "a municipal investment vehicle",
    "the national standards committee",
    "regional regulators",
    "an industry consortium",
    "customs officials",
    "a parliamentary committee",
)
REGIONS = ("the Yangtze delta", "the Pearl River delta", "the northern corridor", "the west")
HEADINGS = (
    "Overview",
    "Capacity and supply",
    "Products and customers",
    "Rules and licensing",
    "Capital and investment",
    "Outlook",
    "Open questions",
    "Market reaction",
    "Engineering notes",
    "What to watch",
)
SENTENCES = (
    "{firm} said its {product} would enter volume production by {year}, citing steadier {topic}.",
    "Analysts covering {firm} estimate that {topic} could absorb {pct} percent of new capital "
    "spending in {region}.",
    "{body_cap} proposed new reporting duties for firms that ship {kind}s abroad.",
    "A {firm} engineer described the {product} as a mid-range part aimed at inference clusters "
    "rather than frontier training runs.",
    "Customers testing the {product} reported that porting existing models took roughly {count} "
    "engineer-weeks.",
    "{firm} and {other} agreed to share a packaging line in a deal valued at about {money} "
    "million yuan.",
    "Observers caution that progress on {topic} remains uneven across {region}.",
    "Licence reviews tied to {topic} now take about {count} weeks, according to people "
    "familiar with the process.",
    "The {product} pairs {count} compute tiles with stacked DRAM on a silicon interposer.",
    "{firm} expects {topic} to tighten before {year}.",
    "Procurement teams increasingly ask for benchmark results measured on their own workloads.",
    "Yield on the {firm} mature process line improved to roughly {pct} percent, the company said.",
    "Several cloud operators are weighing {product} clusters for recommendation and search "
    "workloads.",
    "{body_cap} published guidance on how data-centre operators should report accelerator imports.",
    "Shares of {firm} rose {pct} percent after the {product} announcement.",
    "Critics argue that spending on {topic} rewards capacity announcements more than shipped "
    "silicon.",
    "The compiler toolchain for the {product} handles common model formats, although its kernel "
    "libraries remain thin.",
    "{firm} plans to hire {count} verification engineers during the next budget cycle.",
    "Memory makers say demand for stacked DRAM outpaces what local lines can deliver.",
    "A draft rule from {body} would cap the interconnect bandwidth of parts sold to overseas "
    "buyers.",
    "Power draw per rack is the constraint operators cite most often when planning new clusters.",
    "{other} disputed the comparison, saying its own {kind} was tuned for a different workload.",
    "People close to {firm} said the next {kind} would reuse the current package to save time.",
    "Spending on {topic} in {region} grew about {pct} percent on the previous year.",
)
LIST_INTROS = (
    "Points raised by {firm} executives:",
    "Risks flagged in the {topic} review:",
    "What operators asked {firm} for:",
    "Items on the agenda of {body}:",
)
BULLETS = (
    "shorter reviews for {kind} shipments",
    "clearer reporting rules for {topic}",
    "more stacked DRAM from local suppliers",
    "a second source for photomasks",
    "compiler support for {product} kernels",
    "rack power budgets above current limits",
    "shared test clusters in {region}",
    "apprenticeships for packaging technicians",
    "a common interconnect specification",
    "faster customs clearance for spare parts",
)
ANGLES = ("a briefing", "notes", "an overview", "a review", "a field report")


@dataclass(frozen=True)
class Guard:
    """Rejects text that contains an avoided phrase (whole words) or an avoided number."""

    phrases: dict[str, frozenset[tuple[str, ...]]]  # first token → avoided token sequences
    numbers: frozenset[str]

    @classmethod
    def build(cls, avoid: Iterable[str]) -> Guard:
        """A guard against `avoid` phrases and every number they mention."""
        sequences = {_tokens(p) for p in avoid} - {()}
        phrases = {
            first: frozenset(s for s in sequences if s[0] == first)
            for first in {s[0] for s in sequences}
        }
        numbers = frozenset(n for p in avoid for n in NUMBER.findall(normalise(p)))
        return cls(phrases, numbers)

    def allows(self, text: str) -> bool:
        """True when `text` shares no avoided phrase or number."""
        words = _tokens(text)
        for i, word in enumerate(words):
            if any(words[i : i + len(s)] == s for s in self.phrases.get(word, ())):
                return False
        return not self.numbers.intersection(NUMBER.findall(normalise(text)))


def _tokens(text: str) -> tuple[str, ...]:
    """Words and punctuation marks of the folded text: phrase matching is whole-word."""
    return tuple(TOKEN.findall(normalise(text)))


def gold_phrases(items: Iterable[GoldItem]) -> list[str]:
    """Evidence quotes, key facts and answers of gold FAQ items."""
    phrases: list[str] = []
    for item in items:
        phrases.extend([*item.quotes, *item.key_facts, item.answer])
    return phrases


def write_distractors(
    folder: Path, n_docs: int, seed: int, *, avoid: Iterable[str] = ()
) -> list[Path]:
    """Write `n_docs` synthetic Markdown documents into `folder`.

    Args:
        folder: Created if missing; files are named `synthetic-00000.md`, ...
        n_docs: How many documents to write.
        seed: Same seed (and avoid list), byte-identical files.
        avoid: Phrases no document may contain, e.g. `gold_phrases(gold_file)`.
    """
    rng = random.Random(seed)
    guard = Guard.build(avoid)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(n_docs):
        path = folder / f"synthetic-{number:05d}.md"
        path.write_bytes(distractor(rng, guard).encode("utf-8"))
        paths.append(path)
    return paths


def distractor(rng: random.Random, guard: Guard) -> str:
    """One document: front matter, a title, and 3–5 sections of prose and lists."""
    firm = rng.choice(_allowed(FIRMS, guard))
    product = f"{rng.choice(PRODUCT_NAMES)} {rng.choice(_allowed(PRODUCT_KINDS, guard))}"
    topic = rng.choice(_allowed(TOPICS, guard))
    title = _line(rng, guard, f"{firm} and {topic}: {{angle}} (synthetic)", firm, product)
    title = title or f"{firm} and {topic} (synthetic)"
    lines = [
        "---",
        f'title: "{title}"',
        "kind: synthetic distractor",
        f"topics: [{topic}]",
        "---",
        f"# {title}",
        "",
    ]
    for heading in rng.sample(HEADINGS, rng.randint(3, 5)):
        lines += [f"## {heading}", "", _paragraph(rng, guard, firm, product), ""]
        if rng.random() < 0.5:
            lines += [*_bullet_list(rng, guard, firm, product), ""]
    return "\n".join(lines)


def _allowed(names: Sequence[str], guard: Guard) -> list[str]:
    """The names that hold no avoided phrase (a gold key fact may be a single word)."""
    return [name for name in names if guard.allows(name)]


def _paragraph(rng: random.Random, guard: Guard, firm: str, product: str) -> str:
    templates = rng.sample(SENTENCES, rng.randint(4, 6))
    return " ".join(_filled(rng, guard, templates, firm, product))


def _bullet_list(rng: random.Random, guard: Guard, firm: str, product: str) -> list[str]:
    intros = _filled(rng, guard, [rng.choice(LIST_INTROS)], firm, product)
    items = _filled(rng, guard, rng.sample(BULLETS, rng.randint(3, 5)), firm, product)
    return [*intros, *(f"- {item}" for item in items)] if intros and items else []


def _filled(
    rng: random.Random, guard: Guard, templates: list[str], firm: str, product: str
) -> list[str]:
    """The templates that can be filled without an avoided phrase, filled."""
    lines = (_line(rng, guard, t, firm, product) for t in templates)
    return [line for line in lines if line is not None]


def _line(rng: random.Random, guard: Guard, template: str, firm: str, product: str) -> str | None:
    """Fill `template` with random slot values until the guard allows the result."""
    for _ in range(MAX_DRAWS):
        text = template.format(**_slots(rng, firm, product))
        if guard.allows(text):
            return text
    return None


def _slots(rng: random.Random, firm: str, product: str) -> dict[str, str]:
    body = rng.choice(BODIES)
    return {
        "firm": firm,
        "other": rng.choice([f for f in FIRMS if f != firm]),
        "product": product,
        "kind": rng.choice(PRODUCT_KINDS),
        "topic": rng.choice(TOPICS),
        "body": body,
        "body_cap": body[0].upper() + body[1:],
        "region": rng.choice(REGIONS),
        "angle": rng.choice(ANGLES),
        "year": str(rng.randint(2029, 2034)),
        "pct": str(rng.randint(11, 89)),
        "count": str(rng.randint(11, 99)),
        "money": str(rng.randrange(110, 990, 10)),
    }
