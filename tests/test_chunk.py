"""Chunking: structure kept, offsets exact, never past the model's 256-token window."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.chunk import chunk_document, embedding_text, next_chunk_id, split_sentences
from assistant.embed import SentenceEmbedder
from assistant.load import iter_corpus_files, load_document
from assistant.types import Chunk, Document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED = CORPUS / "000_cb4bb78572b81c0a.txt"


def chunks_of(doc: Document, embedder: SentenceEmbedder, max_tokens: int = 200) -> list[Chunk]:
    return chunk_document(doc, embedder.count_tokens, max_tokens)


def plain(text: str) -> Document:
    return Document(source="t.txt", text=text, title="t", sha256="0")


@pytest.mark.parametrize("path", list(iter_corpus_files(CORPUS)), ids=lambda p: p.name)
def test_offsets_round_trip_and_token_limit(path: Path, embedder: SentenceEmbedder) -> None:
    doc = load_document(path, path.name)
    chunks = chunks_of(doc, embedder)
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        for sentence in chunk.sentences:
            assert doc.text[sentence.start : sentence.end] == sentence.text
        assert embedder.count_tokens([embedding_text(chunk)])[0] <= 200


def test_seed_structure(embedder: SentenceEmbedder) -> None:
    doc = load_document(SEED, SEED.name)
    chunks = chunks_of(doc, embedder)
    sections = {c.section for c in chunks}
    assert {"DeepSeek: China’s AI Shockwave", "FAQs", "What It Means for the Future"} <= sections
    strengths = next(c for c in chunks if "China’s strengths:" in c.text)
    texts = [s.text for s in strengths.sentences]
    # the lone '-' lines are joined to their items, and the items stay with their intro
    assert texts[texts.index("China’s strengths:") + 1] == "A large, skilled talent pool"
    faq = [s.text for c in chunks if c.section == "FAQs" for s in c.sentences]
    for question, answer_start in [
        ("Why does the US block chip exports to China?", "To slow China’s progress"),
        ("How long until China is independent in chip tech?", "Estimates vary."),
    ]:
        holder = next(c for c in chunks if question in c.text)
        assert answer_start in holder.text
    assert "-" not in faq


def test_each_chunk_names_the_one_after_it(embedder: SentenceEmbedder) -> None:
    chunks = chunks_of(load_document(SEED, SEED.name), embedder)
    assert [next_chunk_id(c) for c in chunks[:-1]] == [c.id for c in chunks[1:]]


def test_oversized_paragraph_is_split_below_limit(embedder: SentenceEmbedder) -> None:
    text = "# Long\n" + " ".join(
        f"Sentence number {i} talks about export controls." for i in range(200)
    )
    doc = plain(text)
    chunks = chunks_of(doc, embedder, max_tokens=64)
    assert len(chunks) > 5
    for chunk in chunks:
        assert embedder.count_tokens([embedding_text(chunk)])[0] <= 64
        assert doc.text[chunk.start : chunk.end] == chunk.text


def test_one_enormous_sentence_is_cut_at_words(embedder: SentenceEmbedder) -> None:
    doc = plain("word " * 2000)
    for chunk in chunks_of(doc, embedder, max_tokens=100):
        assert embedder.count_tokens([embedding_text(chunk)])[0] <= 100


def test_sentence_split_keeps_abbreviations_together() -> None:
    sentences = split_sentences("The U.S. blocked sales. China responded fast.", 10)
    assert [s.text for s in sentences] == ["The U.S. blocked sales.", "China responded fast."]
    assert sentences[1].start == 10 + len("The U.S. blocked sales. ")


SHORT_TEXTS = st.one_of(
    st.sampled_from(["Hello", "1234", "# Title", "## ##", "-", "* ", "?!", "   \n\t", ""]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.lists(
        st.sampled_from(["# Head", "Word", "- item", "Q?", "A.", "§§§", "\n"]), max_size=8
    ).map("\n".join),
    st.integers(1, 3000).map(lambda n: "x" * n),  # one token-heavy word
)


@settings(max_examples=150, deadline=None)
@given(text=SHORT_TEXTS)
def test_any_text_chunks_with_exact_offsets_under_the_limit(
    text: str, embedder: SentenceEmbedder
) -> None:
    chunks = chunks_of(plain(text), embedder, max_tokens=128)
    if any(ch.isalnum() for ch in text):  # an empty heading ('## ##') leaves nothing
        assert chunks, text
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.sentences
        for sentence in chunk.sentences:
            assert text[sentence.start : sentence.end] == sentence.text
        assert embedder.count_tokens([embedding_text(chunk)])[0] <= 128
