"""The naive LangChain RAG that ChipQA is measured against.

Fixed-size character chunks (1000 characters, 200 overlap), one Chroma collection through
`langchain_chroma`, top-4 similarity search, and the best passage as the answer: no
sentences, no BM25, no citations, no abstention. It stays naive on purpose.

Vectors come from ChipQA's own embedder behind a LangChain `Embeddings` adapter rather
than `HuggingFaceEmbeddings`: the model is then loaded once per process (not twice, ~7 s
and ~90 MB more), and both systems search identical vectors of the same model, so a
latency or quality gap measures the pipelines, not two copies of one model.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from assistant.embed import Embedder
from assistant.errors import LoadError
from assistant.load import iter_corpus_files, load_document

if TYPE_CHECKING:
    from langchain_chroma import Chroma

COLLECTION = "naive-rag"
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
ADD_BATCH = 512  # documents per embed-and-upsert call


@dataclass
class BaselineAnswer:
    """The naive RAG's reply: its top passage, and the passages it retrieved."""

    question: str
    answer: str  # the top passage
    passages: list[str]  # top-4 passage texts, best first
    timings_ms: dict[str, float]  # at least "total"


class EmbedderEmbeddings(Embeddings):
    """A LangChain `Embeddings` over an already-loaded ChipQA `Embedder`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Unit vectors of `texts`."""
        return [[float(x) for x in row] for row in self.embedder.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        """Unit vector of one query."""
        return [float(x) for x in self.embedder.embed([text])[0]]


class NaiveRAG:
    """Split, embed, store, top-4 similarity search: the textbook LangChain RAG."""

    def __init__(self, store: Chroma, chunks: int) -> None:
        self.store = store
        self.chunks = chunks

    @classmethod
    def build(
        cls, corpus_dir: Path, data_dir: Path, embedder: Embedder, client: Any = None
    ) -> NaiveRAG:
        """Index every readable document under `corpus_dir` into a fresh collection.

        Args:
            corpus_dir: Folder (or file) of source documents.
            data_dir: Folder of the baseline's embedded Chroma (ignored with `client`).
            embedder: The embedding model (shared with ChipQA).
            client: A chromadb client to reuse instead of opening one in `data_dir`.
        """
        from langchain_chroma import Chroma

        store = Chroma(
            collection_name=COLLECTION,
            embedding_function=EmbedderEmbeddings(embedder),
            client=client if client is not None else _local_client(data_dir),
        )
        store.reset_collection()  # a rebuild never mixes with an earlier index
        chunks = split_corpus(corpus_dir)
        ids = [f"{doc.metadata['source']}#{n}" for n, doc in enumerate(chunks)]
        for first in range(0, len(chunks), ADD_BATCH):
            last = first + ADD_BATCH
            store.add_documents(chunks[first:last], ids=ids[first:last])
        return cls(store, len(chunks))

    def ask(self, question: str) -> BaselineAnswer:
        """The top-4 passages for `question`; the first one is the answer."""
        began = time.perf_counter()
        found = self.store.similarity_search(question, k=TOP_K)
        passages = [doc.page_content for doc in found]
        total = (time.perf_counter() - began) * 1000
        return BaselineAnswer(
            question=question,
            answer=passages[0] if passages else "",
            passages=passages,
            timings_ms={"total": total},
        )


def split_corpus(corpus_dir: Path) -> list[LCDocument]:
    """Every readable document under `corpus_dir`, cut into overlapping character chunks."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return splitter.split_documents(list(_documents(corpus_dir)))


def _documents(corpus_dir: Path) -> Iterator[LCDocument]:
    root = corpus_dir.resolve()
    for path in iter_corpus_files(root):
        source = path.relative_to(root).as_posix() if path != root else path.name
        try:
            doc = load_document(path, source)
        except LoadError:
            continue
        yield LCDocument(page_content=doc.text, metadata={"source": source, "title": doc.title})


def _local_client(data_dir: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
