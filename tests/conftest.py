"""Shared fixtures: real settings in tmp_path, the real packaged models (loaded once per session)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from review_service.core.config import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(config, items):
    """``REVIEW_TEST_ORDER=reverse`` runs the tests backwards: a check that no test depends on another's order."""
    if os.environ.get("REVIEW_TEST_ORDER") == "reverse":
        items.reverse()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data dir and SQLite file; models from the normal cache. DOCX/PPTX originals
    are not rendered to PDF (LibreOffice, ~2-5 s a batch): tests/test_renditions.py turns it on and tests it."""
    return Settings(environment="test", data_dir=tmp_path / "var", render_originals="off")


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """One real PostgreSQL server for the session (tests/pg.py); skips, or fails in CI, where there is none."""
    from tests import pg

    folder = Path(f"/tmp/review-pg-{os.getpid()}")  # short: the server's socket path must stay < 108 bytes
    shutil.rmtree(folder, ignore_errors=True)
    yield from pg.serve(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_settings(request, tmp_path: Path) -> Settings:
    """Settings on each back end in turn: a SQLite file in tmp_path, then a fresh PostgreSQL database."""
    url = ""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new_database()
    return Settings(environment="test", data_dir=tmp_path / "var", database_url=url, render_originals="off")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright, once per session (tests/web.py)."""
    from playwright.sync_api import sync_playwright

    from tests.web import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def encoder():
    """The real default embedder (EmbeddingGemma-300M), loaded once."""
    from embeddings import load_encoder

    return load_encoder(Settings(environment="test"))


@pytest.fixture(scope="session")
def tiny_encoder():
    """all-MiniLM-L6-v2: English-only, for plumbing tests that do not judge multilingual quality."""
    from embeddings import load_encoder

    return load_encoder(Settings(environment="test"), name="all-minilm-l6-v2")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def ntrex(shared_data: Path) -> dict[str, dict]:
    """The NTREX kk/ru/en documents of ../shared/data/crosslingual, by ``doc_id``."""
    import json

    with open(shared_data / "crosslingual/ntrex_docs.jsonl", encoding="utf-8") as f:
        return {row["doc_id"]: row for row in map(json.loads, f)}
