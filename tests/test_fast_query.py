"""The opt-in compiled query path on the real tiny embedder: the API answers at once (eagerly) and switches once the
compiled path is verified; compiled vectors match eager ones; a wrong or failing compile leaves queries eager.

One compile of all-MiniLM-L6-v2 (~15-25 s on the shared 2-core CPU) serves the whole module."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embeddings.encoder import _load
from embeddings.fast_query import compile_query_path
from review_service.search import SearchEngine
from review_service.server import create_app
from tests import jury as J
from tests.corpora import THREE_PROJECTS
from tests.waiting import wait_for

pytestmark = pytest.mark.slow  # torch.compile: ~20-30 s of CPU for the module

QUERIES = ["children's reading club with volunteers", "a chatbot answering readers day and night",
           "оцифровка редких рукописей", "Кітапханадағы жасанды интеллект", "auyldyq kitaphanadaǵy kitap oqý"]
DOCS = THREE_PROJECTS


def _fresh_tiny(settings):
    """A tiny encoder of its own (not the session one): compiling changes how it embeds queries."""
    return _load.__wrapped__("all-minilm-l6-v2", str(settings.models_dir), settings.dtype, settings.threads)


@pytest.fixture(scope="module")
def compiled_tiny(tmp_path_factory):
    from review_service.core.config import Settings

    return _fresh_tiny(Settings(environment="test", data_dir=tmp_path_factory.mktemp("var")))


def test_api_answers_while_compiling_then_switches(compiled_tiny, settings) -> None:
    engine = SearchEngine.build(DOCS, compiled_tiny)
    app = create_app(settings.model_copy(update={"compile_query_encoder": True}), search_engine=engine)
    with TestClient(app) as client:
        client.headers.update(J.staff_headers(settings))
        first = client.get("/search", params={"q": QUERIES[0], "k": 2})
        assert first.status_code == 200 and first.json()["hits"][0]["id"] == "club"
        assert client.get("/health").json()["query_encoder"] == "compiling"  # answered eagerly meanwhile
        state = wait_for(lambda: client.get("/health").json()["query_encoder"], lambda s: s != "compiling",
                         seconds=240, what="the compiled query path", every=0.5)
        assert state == "compiled"
        assert compiled_tiny.query_path == "compiled"
        hits = client.get("/search", params={"q": QUERIES[1], "k": 2}).json()["hits"]
        assert hits[0]["id"] == "bot"


def test_compiled_vectors_match_eager(compiled_tiny, tiny_encoder) -> None:
    assert compiled_tiny.compile_queries()  # already compiled by the API test when run together
    for q in QUERIES:
        fast = compiled_tiny.encode([q], kind="query")[0]
        eager = tiny_encoder.encode([q], kind="query")[0]
        assert float(fast @ eager) >= 0.99, q
        assert abs(float(np.linalg.norm(fast)) - 1) < 1e-5
    batch = compiled_tiny.encode(QUERIES[:2], kind="query")  # batches take the eager path
    assert np.allclose(batch, tiny_encoder.encode(QUERIES[:2], kind="query"), atol=1e-5)


def test_compiled_path_is_thread_safe(compiled_tiny) -> None:
    assert compiled_tiny.compile_queries()
    expected = {q: compiled_tiny.encode([q], kind="query")[0] for q in QUERIES}
    got: dict[tuple[int, str], np.ndarray] = {}

    def work(i: int) -> None:
        for q in QUERIES:
            got[(i, q)] = compiled_tiny.encode([q], kind="query")[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 * len(QUERIES)
    assert all(np.allclose(v, expected[q], atol=1e-6) for (_, q), v in got.items())


def test_vectors_that_differ_from_eager_are_refused(compiled_tiny, tiny_encoder, caplog) -> None:
    unrelated = tiny_encoder.encode(["how to bake sourdough bread"], kind="query")[0]
    assert compile_query_path(compiled_tiny.model, None, lambda _: unrelated) is None
    assert "queries stay eager" in caplog.text


def test_compile_error_leaves_the_encoder_eager(settings, tiny_encoder, monkeypatch, caplog) -> None:
    import torch

    def broken(*args, **kwargs):  # stands in for an inductor / C++ compiler failure, which cannot be forced here
        raise RuntimeError("no C++ compiler")

    monkeypatch.setattr(torch, "compile", broken)
    enc = _fresh_tiny(settings)
    assert enc.compile_queries() is False
    assert enc.query_path == "eager" and "no C++ compiler" in caplog.text
    assert np.allclose(enc.encode([QUERIES[0]], kind="query"), tiny_encoder.encode([QUERIES[0]], kind="query"))
