"""Answer stage, extractive: pick the sentences that answer, cite each one exactly.

Sentence relevance = 0.65 × cosine(question, sentence) + 0.25 × lexical overlap
+ 0.10 / passage rank, +0.08 for a sentence with a number or time word when the
question asks "how long" or "when". An answer sentence in a Q&A passage inherits
the similarity of the question it answers (less 0.05). The weights were chosen on the
dev split of the gold FAQ. ChipQA abstains when the best relevance is below
`Settings.abstain_threshold` (0.44 on dev: off-topic questions score 0.32–0.42,
answerable ones 0.46 and up) or when the question names a term of three or more letters
that occurs nowhere in the corpus (e.g. a company the documents never mention).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from assistant.answer.base import AnswerRequest
from assistant.cite import make_citation
from assistant.retrieve import CorpusIndex
from assistant.text import QUOTE_MARKS, WORD, content_terms, term_overlap
from assistant.types import ABSTAIN_TEXT, Answer, Citation, Hit, Sentence

SEMANTIC_WEIGHT = 0.65
LEXICAL_WEIGHT = 0.25
PASSAGE_WEIGHT = 0.10  # prior for the passage's fused rank: 0.10 at rank 1, 0.05 at rank 2
INHERIT_MARGIN = 0.05
INHERIT_MIN = 0.6  # only a corpus question this close to the user's passes relevance on
MIN_WORDS = 4  # shorter sentences ("Yes.", "Estimates vary.") only as part of a Q&A answer
TIME_BONUS = 0.08
FAQ_MATCH = 0.8  # a corpus question this similar to the user's is the same question
MMR_LAMBDA = 0.7
REDUNDANT = 0.85  # sentences this similar to one already chosen add nothing
RELEVANCE_WINDOW = 0.15  # keep sentences within this distance of the best one
RELATED_READING = 3
MIN_NAME_LENGTH = 3  # shorter capitalised words ("TV", "AI") are too generic to judge by
TIME_QUESTION = re.compile(r"^\s*(how long|how soon|when|what year|by when|until when)\b", re.I)
TIME_WORDS = re.compile(
    r"\d|\b(years?|months?|decades?|soon|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b",
    re.I,
)
YES_NO = re.compile(
    r"^\s*(is|are|can|could|does|do|did|will|would|has|have|was|were|should)\b", re.I
)
CONTINUATION = re.compile(
    r"^(But|However|Also|Still|Yet|It|Its|It’s|They|Their|This|That|These|Those|"
    r"The (?:move|figure|rule|company|chip|deal|claim)s?)\b"
)
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*$")


@dataclass
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    hit: Hit
    position: int  # index of the sentence within its chunk
    sentence: Sentence
    vector: np.ndarray
    relevance: float


class ExtractiveAnswerer:
    """The default answerer: quotes the corpus, needs no LLM and no network."""

    def answer(self, request: AnswerRequest) -> Answer:
        """Select, order and cite sentences; abstain when the evidence is weak."""
        candidates = score_candidates(request)
        statements = [c for c in candidates if not c.sentence.text.endswith("?")]
        best = max(statements, key=lambda c: c.relevance, default=None)
        missing = unknown_terms(request.question, request.index)
        if best is None or best.relevance < request.settings.abstain_threshold or missing:
            return abstention(request, candidates, missing)
        chosen = _faq_answer(candidates, best) or _list_answer(request.question, candidates, best)
        chosen = chosen or _with_continuations(
            _select(candidates, best, request.settings.answer_words),
            candidates,
            request.settings.answer_words,
        )
        text, citations = compose(chosen)
        if request.on_token:
            request.on_token(text)
        return Answer(
            question=request.question,
            text=text,
            abstained=False,
            confidence=confidence(best.relevance, request.settings.abstain_threshold),
            citations=citations,
            passages=request.hits,
        )


def score_candidates(request: AnswerRequest) -> list[Candidate]:
    """Every sentence of every retrieved passage with its relevance to the question."""
    wants_time = bool(TIME_QUESTION.match(request.question))
    wanted = set(content_terms(request.query))
    candidates = []
    for rank, hit in enumerate(request.hits):
        vectors = request.index.sentence_vectors.get(hit.chunk.id)
        if vectors is None or len(vectors) != len(hit.chunk.sentences):
            continue
        similarities = _inherit_from_questions(hit, vectors @ request.query_vector)
        prior = PASSAGE_WEIGHT / (1.0 + rank)
        for position, sentence in enumerate(hit.chunk.sentences):
            relevance = (
                SEMANTIC_WEIGHT * float(similarities[position])
                + LEXICAL_WEIGHT * term_overlap(wanted, sentence.text)
                + prior
            )
            if wants_time and TIME_WORDS.search(sentence.text):
                relevance += TIME_BONUS
            candidates.append(Candidate(hit, position, sentence, vectors[position], relevance))
    return candidates


def _inherit_from_questions(hit: Hit, similarities: np.ndarray) -> np.ndarray:
    """An answer in a Q&A passage is as relevant as the question it answers, nearly."""
    inherited = similarities.copy()
    asked = None
    for position, sentence in enumerate(hit.chunk.sentences):
        if sentence.text.endswith("?"):
            similarity = float(similarities[position])
            asked = similarity if similarity >= INHERIT_MIN else None
        elif asked is not None:
            inherited[position] = max(inherited[position], asked - INHERIT_MARGIN)
    return inherited


def unknown_terms(question: str, index: CorpusIndex) -> list[str]:
    """Names in the question the corpus never uses: capitalised words after the first
    word, and words mixing letters and digits (e.g. 'Arizona', '18A')."""
    words = WORD.findall(question.translate(QUOTE_MARKS))
    names = [
        word
        for position, word in enumerate(words)
        if (position > 0 and word[0].isupper() and len(word) >= MIN_NAME_LENGTH)
        or (any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word))
    ]
    return [name for name in names if _unseen(name, index.vocabulary)]


def _unseen(name: str, vocabulary: frozenset[str]) -> bool:
    terms = content_terms(name)
    return bool(terms) and terms[0] not in vocabulary


def _faq_answer(candidates: list[Candidate], best: Candidate) -> list[Candidate]:
    """If the corpus asks the user's question itself, its answer is what follows it."""
    asked = [c for c in candidates if c.sentence.text.endswith("?")]
    if not asked:
        return []
    question = max(asked, key=lambda c: c.relevance)
    if float(question.vector @ best.vector) < 0 or question.relevance < FAQ_MATCH:
        return []
    same_chunk = [c for c in candidates if c.hit is question.hit and c.position > question.position]
    answer = []
    for candidate in sorted(same_chunk, key=lambda c: c.position):
        if candidate.sentence.text.endswith("?"):
            break
        answer.append(candidate)
    return answer


def _list_answer(question: str, candidates: list[Candidate], best: Candidate) -> list[Candidate]:
    """A list question gets the list: its introducing line and all its items."""
    if YES_NO.match(question):
        return []
    chunk_candidates = sorted(
        (c for c in candidates if c.hit is best.hit), key=lambda c: c.position
    )
    items = [c for c in chunk_candidates if _is_list_item(c)]
    intros = [c for c in chunk_candidates if c.sentence.text.endswith(":")]
    pool = [c for c in chunk_candidates if c in items or c in intros]
    if not pool:
        return []
    anchor = max(pool, key=lambda c: c.relevance)
    if anchor.relevance < best.relevance - RELEVANCE_WINDOW:
        return []
    intro = anchor if anchor in intros else _intro_before(chunk_candidates, anchor)
    if intro is None:
        return []
    following = [c for c in chunk_candidates if c.position > intro.position]
    members = []
    for candidate in following:
        if not _is_list_item(candidate):
            break
        members.append(candidate)
    return [intro, *members] if members else []


def _intro_before(chunk_candidates: list[Candidate], item: Candidate) -> Candidate | None:
    for candidate in reversed([c for c in chunk_candidates if c.position < item.position]):
        if candidate.sentence.text.endswith(":"):
            return candidate
        if not _is_list_item(candidate):
            return None
    return None


def _is_list_item(candidate: Candidate) -> bool:
    chunk, sentence = candidate.hit.chunk, candidate.sentence
    before = chunk.text[: sentence.start - chunk.start].rsplit("\n", 2)
    line_start = before[-1]
    previous_line = before[-2] if len(before) > 1 else ""
    if line_start.strip() and LIST_MARKER.match(line_start):
        return True
    return not line_start.strip() and bool(LIST_MARKER.match(previous_line))


def _select(candidates: list[Candidate], best: Candidate, word_budget: int) -> list[Candidate]:
    """Maximal marginal relevance: relevant sentences that do not repeat each other."""
    chosen = [best]
    words = len(best.sentence.text.split())
    pool = [
        c
        for c in candidates
        if c is not best
        and not c.sentence.text.endswith("?")
        and len(c.sentence.text.split()) >= MIN_WORDS
    ]
    while pool and words < word_budget:

        def mmr(c: Candidate) -> float:
            overlap = max(float(c.vector @ s.vector) for s in chosen)
            return MMR_LAMBDA * c.relevance - (1 - MMR_LAMBDA) * overlap

        pick = max(pool, key=mmr)
        pool.remove(pick)
        if pick.relevance < best.relevance - RELEVANCE_WINDOW:
            break
        if max(float(pick.vector @ s.vector) for s in chosen) >= REDUNDANT:
            continue
        if words + len(pick.sentence.text.split()) > word_budget * 1.25:
            continue
        chosen.append(pick)
        words += len(pick.sentence.text.split())
    return chosen


def _with_continuations(
    chosen: list[Candidate], candidates: list[Candidate], word_budget: int
) -> list[Candidate]:
    """Add the sentence right after a chosen one when it continues it ('But it …')."""
    result: list[Candidate] = []
    words = sum(len(c.sentence.text.split()) for c in chosen)
    for candidate in chosen:
        result.append(candidate)
        follower = _next_in_chunk(candidates, candidate)
        if follower is None or follower in chosen or follower in result:
            continue
        size = len(follower.sentence.text.split())
        if CONTINUATION.match(follower.sentence.text) and words + size <= word_budget * 1.25:
            result.append(follower)
            words += size
    return result


def _next_in_chunk(candidates: list[Candidate], candidate: Candidate) -> Candidate | None:
    return next(
        (c for c in candidates if c.hit is candidate.hit and c.position == candidate.position + 1),
        None,
    )


def compose(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with a [n] after each sentence; a list becomes one cited sentence."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    parts = []
    for group in _groups(chosen):
        first, last = group[0], group[-1]
        key = (first.hit.chunk.id, first.sentence.start, last.sentence.end)
        if key not in numbers:
            numbers[key] = len(citations) + 1
            score = max(c.relevance for c in group)
            citations.append(
                make_citation(numbers[key], first.hit, key[1], key[2], min(1.0, score))
            )
        parts.append(f"{_sentence_text(group)} [{numbers[key]}]")
    return " ".join(parts), citations


def _groups(chosen: list[Candidate]) -> list[list[Candidate]]:
    """A list intro and its items form one group; every other sentence stands alone."""
    groups: list[list[Candidate]] = []
    for candidate in chosen:
        if (
            groups
            and _is_list_item(candidate)
            and groups[-1][0].hit is candidate.hit
            and (groups[-1][0].sentence.text.endswith(":"))
        ):
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    return groups


def _sentence_text(group: list[Candidate]) -> str:
    if len(group) == 1:
        return group[0].sentence.text
    intro, items = group[0].sentence.text, [c.sentence.text.rstrip(".;") for c in group[1:]]
    return f"{intro} {'; '.join(items)}."


def confidence(best_relevance: float, threshold: float) -> float:
    """Logistic map of the best relevance: 0.5 at the abstention threshold."""
    return 1.0 / (1.0 + math.exp(-12.0 * (best_relevance - threshold)))


def abstention(
    request: AnswerRequest, candidates: list[Candidate], missing: list[str] | None = None
) -> Answer:
    """The fixed 'not in the corpus' answer, with the closest passages as related reading."""
    related: list[Citation] = []
    seen: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: -c.relevance):
        if candidate.hit.chunk.id in seen or len(related) == RELATED_READING:
            continue
        seen.add(candidate.hit.chunk.id)
        s = candidate.sentence
        related.append(
            make_citation(len(related) + 1, candidate.hit, s.start, s.end, candidate.relevance)
        )
    best = max((c.relevance for c in candidates), default=0.0)
    notice = f"The corpus never mentions: {', '.join(missing)}." if missing else None
    return Answer(
        question=request.question,
        text=ABSTAIN_TEXT,
        abstained=True,
        confidence=1.0 - confidence(best, request.settings.abstain_threshold),
        citations=[],
        related=related,
        passages=request.hits,
        notice=notice,
    )
