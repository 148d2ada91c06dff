"""The query-vector LRU: a repeated query is not embedded again (counted on the real tiny embedder), the cache is
bounded and least-recently-used goes first, and vectors are kept per model id and revision."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from review_service.search import SearchEngine
from review_service.search.index_cache import engine_for_corpus
from review_service.search.query_cache import QueryVectorCache
from tests.corpora import THREE_PROJECTS

DOCS = THREE_PROJECTS


class CountingEncoder:
    """The real encoder, with a count of the query texts it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id, self.revision, self.dim = inner.model_id, inner.revision, inner.dim
        self.queries: list[str] = []
        self._lock = threading.Lock()

    def encode(self, texts, *, kind="document"):
        if kind == "query":
            with self._lock:
                self.queries.extend(texts)
        return self.inner.encode(texts, kind=kind)


@pytest.fixture
def counted(tiny_encoder) -> tuple[SearchEngine, CountingEncoder]:
    enc = CountingEncoder(tiny_encoder)
    return SearchEngine.build(DOCS, enc), enc


def test_repeated_query_is_embedded_once(counted) -> None:
    engine, enc = counted
    first = engine.search("chatbot answering readers", k=2)
    again = engine.search("chatbot answering readers", k=3)  # the next page size: same query vector
    ranked = engine.ranked("chatbot answering readers", k=2)
    assert enc.queries == ["chatbot answering readers"]
    assert [h.id for h in first.hits] == [h.id for h in again.hits][:2] == [d for d, _ in ranked]
    engine.search("rare manuscripts", k=2)
    assert enc.queries == ["chatbot answering readers", "rare manuscripts"]
    assert engine.query_cache.hits == 2 and engine.query_cache.misses == 2


def test_cached_vector_is_the_encoders_and_read_only(counted, tiny_encoder) -> None:
    engine, _ = counted
    vec = engine.query_vector("reading club")
    assert np.allclose(vec, tiny_encoder.encode(["reading club"], kind="query")[0], atol=1e-6)
    with pytest.raises(ValueError):
        vec[0] = 1.0  # shared between requests: nobody may change it in place


def test_another_model_revision_is_embedded_again(counted) -> None:
    engine, enc = counted
    engine.search("reading club", k=1)
    enc.revision = "other-preprocessing"
    engine.search("reading club", k=1)
    assert enc.queries == ["reading club", "reading club"]


def test_concurrent_searches_share_the_cache(counted) -> None:
    engine, enc = counted
    engine.search("digital archive", k=1)
    threads = [threading.Thread(target=engine.search, args=("digital archive",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert enc.queries == ["digital archive"]


def test_cache_is_bounded_least_recently_used_first() -> None:
    cache = QueryVectorCache(2)
    calls: list[str] = []

    def get(text: str) -> np.ndarray:
        return cache.get(("m", "r", text), lambda: calls.append(text) or np.ones(3))

    for text in "abac":  # "b" is the least recently used when "c" comes
        get(text)
    assert len(cache) == 2
    for text in "acb":
        get(text)
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_size_zero_turns_the_cache_off(counted) -> None:
    engine, enc = counted
    engine.query_cache = QueryVectorCache(0)
    engine.search("reading club", k=1)
    engine.search("reading club", k=1)
    assert enc.queries == ["reading club", "reading club"] and len(engine.query_cache) == 0


def test_engine_for_corpus_takes_the_size_from_settings(settings, tiny_encoder, tmp_path) -> None:
    corpus = tmp_path / "archive.jsonl"
    corpus.write_text("\n".join(f'{{"id": "{d.id}", "text": "{d.text}", "title": "{d.title}"}}' for d in DOCS),
                      encoding="utf-8")
    engine = engine_for_corpus(corpus, settings.model_copy(update={"query_cache_size": 7}), tiny_encoder)
    assert engine.query_cache.size == 7
    assert engine_for_corpus(corpus, settings, tiny_encoder).query_cache.size == 4096  # loaded from the saved index
