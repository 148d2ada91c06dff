"""The ONNX query path (8-bit weights, built once at install time): the API's fast path for a new question.

Built for the tiny embedder in a temporary folder (build, manifest, tampering), and used as installed for the real
EmbeddingGemma (``review-service models install`` builds it; scripts/setup.sh runs that)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from fastapi.testclient import TestClient

from embeddings import onnx_query
from embeddings.encoder import _load, embedding_text
from review_service.core.config import Settings
from review_service.core.errors import ModelIntegrityError, ModelNotInstalled
from review_service.search import SearchEngine
from review_service.server import create_app
from tests import jury as J
from tests.corpora import THREE_PROJECTS
from tests.waiting import wait_for

QUERIES = ["a chatbot answering readers day and night", "чат-бот для читателей районной библиотеки",
           "Кітапханадағы жасанды интеллект: оқырмандарға кеңес беретін чат-бот",
           "auyldyq kitaphanadaǵy balalar oqý klýby", "оцифровка редких рукописей и старых газет"]
SOURCE = "0" * 64  # the tiny model's stand-in for the weights' SHA-256


@pytest.fixture(scope="module")
def tiny_built(tmp_path_factory):
    """A tiny encoder of its own and its ONNX query model, built once for the module (~20 s)."""
    settings = Settings(environment="test", data_dir=tmp_path_factory.mktemp("var"))
    enc = _load.__wrapped__("all-minilm-l6-v2", str(settings.models_dir), settings.dtype, settings.threads)
    folder = tmp_path_factory.mktemp("models") / onnx_query.FOLDER
    manifest = onnx_query.build(enc.model, enc._query_prompt, folder, source_sha256=SOURCE,
                                eager=lambda t: enc._encode_eager([t], "query")[0])
    return enc, folder, manifest


def _load_tiny(enc, folder):
    return onnx_query.load(enc.model, enc._query_prompt, folder, source_sha256=SOURCE, model_name="tiny",
                           eager=lambda t: enc._encode_eager([t], "query")[0])


@pytest.mark.slow  # builds an ONNX model
def test_build_writes_the_files_and_a_manifest_with_their_hashes(tiny_built) -> None:
    _, folder, manifest = tiny_built
    on_disk = json.loads((folder / onnx_query.MANIFEST).read_text())
    assert on_disk == manifest
    assert set(manifest["files"]) == {onnx_query.MODEL_FILE, onnx_query.MODEL_FILE + ".data"}
    assert manifest["source_sha256"] == SOURCE and manifest["min_cosine_at_build"] >= 0.99
    assert "MatMulNBits 8-bit" in manifest["recipe"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".onnx-query-")]  # no temp folder left


@pytest.mark.slow  # builds an ONNX model
def test_onnx_vectors_match_eager_ones(tiny_built) -> None:
    enc, folder, _ = tiny_built
    path = _load_tiny(enc, folder)
    for q in QUERIES:
        fast, eager = path.encode(q), enc._encode_eager([q], "query")[0]
        assert abs(float(np.linalg.norm(fast)) - 1) < 1e-5
        assert float(fast @ eager) >= 0.99, q


@pytest.mark.slow  # builds an ONNX model
def test_a_changed_byte_is_refused_with_the_command_that_rebuilds_it(tiny_built, tmp_path) -> None:
    enc, folder, _ = tiny_built
    copy = tmp_path / onnx_query.FOLDER
    shutil.copytree(folder, copy)
    data = copy / (onnx_query.MODEL_FILE + ".data")
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(ModelIntegrityError) as err:
        _load_tiny(enc, copy)
    assert "SHA-256" in str(err.value) and "review-service models install" in err.value.hint


@pytest.mark.slow  # builds an ONNX model
def test_a_model_built_from_other_weights_is_refused(tiny_built) -> None:
    enc, folder, _ = tiny_built
    with pytest.raises(ModelIntegrityError, match="other weights"):
        onnx_query.load(enc.model, enc._query_prompt, folder, source_sha256="f" * 64, model_name="tiny",
                        eager=lambda t: enc._encode_eager([t], "query")[0])


def test_a_missing_model_names_the_install_command(tmp_path) -> None:
    with pytest.raises(ModelNotInstalled) as err:
        onnx_query.check_files(tmp_path / "nothing", source_sha256=SOURCE, model_name="embeddinggemma-300m")
    assert "review-service models install embeddinggemma-300m" in err.value.hint


def _settled_query_encoder(client: TestClient, seconds: float) -> str:
    """``/health``'s query_encoder once it is no longer loading (or after ``seconds``)."""
    return wait_for(lambda: client.get("/health").json()["query_encoder"], lambda s: s != "loading",
                    seconds=seconds, what="the ONNX query encoder to load")


@pytest.mark.slow  # builds an ONNX model
def test_auto_stays_eager_without_an_onnx_model(tiny_built, settings, caplog) -> None:
    enc = _load.__wrapped__("all-minilm-l6-v2", str(settings.models_dir), settings.dtype, settings.threads)
    engine = SearchEngine.build(THREE_PROJECTS, enc)  # the installed tiny model has no onnx-query folder
    app = create_app(settings.model_copy(update={"environment": "development", "query_encoder": "auto"}),
                     search_engine=engine)
    with TestClient(app) as client:
        client.headers.update(J.staff_headers(settings))
        assert client.get("/search", params={"q": QUERIES[0], "k": 1}).json()["hits"][0]["id"] == "bot"
        assert _settled_query_encoder(client, 60) == "eager"
    assert "review-service models install" in caplog.text


@pytest.fixture
def gemma_onnx(encoder):
    """The session's EmbeddingGemma switched to its installed ONNX query path, and back afterwards."""
    assert encoder.use_onnx_queries(required=True)
    yield encoder
    encoder.use_eager_queries()


def test_embeddinggemma_onnx_queries_match_eager_across_languages(gemma_onnx) -> None:
    assert gemma_onnx.query_path == "onnx-int8"
    for q in QUERIES:
        fast = gemma_onnx.encode([q], kind="query")[0]  # one query: the ONNX path
        eager = gemma_onnx._encode_eager([embedding_text(q)], "query")[0]  # as encode() feeds it (kk Latin → Cyrillic)
        assert float(fast @ eager) >= 0.99, q


def test_api_answers_eagerly_then_serves_new_questions_through_onnx(encoder, settings) -> None:
    engine = SearchEngine.build(THREE_PROJECTS, encoder)
    app = create_app(settings.model_copy(update={"query_encoder": "onnx"}), search_engine=engine)
    try:
        with TestClient(app) as client:
            client.headers.update(J.staff_headers(settings))
            assert client.get("/search", params={"q": QUERIES[1], "k": 1}).json()["hits"][0]["id"] == "bot"
            assert _settled_query_encoder(client, 120) == "onnx-int8"
            engine.query_cache.clear()
            for q, expected in ((QUERIES[2], "bot"), (QUERIES[3], "club"), (QUERIES[4], "scan")):
                assert client.get("/search", params={"q": q, "k": 1}).json()["hits"][0]["id"] == expected, q
    finally:
        encoder.use_eager_queries()


def test_without_an_archive_the_api_prepares_no_query_encoder(settings, caplog) -> None:
    app = create_app(settings.model_copy(update={"environment": "development", "query_encoder": "onnx",
                                                 "archive": settings.data_dir / "no-archive.jsonl"}))
    with TestClient(app) as client:
        assert client.get("/health").json()["query_encoder"] == "eager"  # nothing to search, nothing to load
    assert "ONNX" not in caplog.text


def test_a_failed_onnx_build_does_not_fail_the_install(encoder, monkeypatch, capsys) -> None:
    from embeddings.encoder import SentenceTransformerEncoder
    from review_service.commands.cli import main

    def broken(self, *, force: bool = False):  # stands in for an exporter failure, which cannot be forced here
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(SentenceTransformerEncoder, "build_onnx_queries", broken)
    assert main(["models", "install", "embeddinggemma-300m"]) == 0  # the weights are there and verified
    err = capsys.readouterr().err
    assert "ONNX query model was not built" in err and "exporter broke" in err
    assert "review-service models install embeddinggemma-300m" in err
