"""Storage on both back ends (a real SQLite file, a real PostgreSQL server) and the human-only scoring module."""
from __future__ import annotations

import ast
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from review_service import scoring
from review_service.errors import ConfigError, InputError, PermissionDenied
from review_service.storage import Database, open_database, tables
from review_service.storage import migrate as migrations

LEGACY_SCHEMA = Path(__file__).parent / "data" / "schema_0001.sql"


@pytest.fixture
def settings(backend_settings):
    """Every test in this module runs on SQLite and on PostgreSQL."""
    return backend_settings


def test_migrations_are_applied_once(settings):
    db = open_database(settings)
    assert db.schema_version() == int(migrations.head())
    assert db.migrate() == 0
    if db.backend == "sqlite":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.close()
    again = open_database(settings)  # reopening keeps the data and the version
    assert again.schema_version() == int(migrations.head())
    again.close()


def test_tables_module_matches_the_migrations(settings):
    """The Core tables the queries use describe exactly what the migrations built."""
    db = open_database(settings)
    inspector = sa.inspect(db.engine)
    for table in tables.metadata.sorted_tables:
        built = {c["name"] for c in inspector.get_columns(table.name)}
        assert built == {c.name for c in table.columns}, table.name
    db.close()


def test_unknown_database_url_names_the_supported_ones():
    with pytest.raises(ConfigError) as err:
        Database("mysql://x@localhost/db")
    assert "postgresql+psycopg://" in err.value.hint and "sqlite:///" in err.value.hint


def test_a_database_made_by_schema_0001_upgrades_with_its_rows(tmp_path):
    """A file made by the pre-Alembic runner (0001_initial.sql + schema_migrations) keeps every row."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY_SCHEMA.read_text(encoding="utf-8"))
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        conn.execute("INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-11-20T10:00:00+00:00')")
        conn.execute("INSERT INTO batches (source, started_at) VALUES ('entries', '2026-11-20T10:00:00+00:00')")
        conn.execute("INSERT INTO submissions VALUES ('e1', ?, 'ЖИ байқауы_Әлиева.pdf', 10, 'o/e1', 'ok', ?, "
                     "'2026-11-20', '2026-11-20', 1)", ("a" * 64, '{"entry_id": "e1", "status": "ok"}'))
        conn.execute("INSERT INTO scores (entry_id, juror_id, criterion, value, actor, at) "
                     "VALUES ('e1', 'j1', 'innovation', 8, 'Aigerim', '2026-11-20')")
        conn.execute("INSERT INTO audit_log (at, actor, action, subject) VALUES ('2026-11-20', 'Aigerim', "
                     "'score_recorded', 'e1')")
    db = Database(f"sqlite:///{path}")
    assert db.schema_version() == int(migrations.head())
    assert db.submission("e1") == {"entry_id": "e1", "status": "ok"}
    assert db.get_submission("a" * 64, "ЖИ байқауы_Әлиева.pdf")["entry_id"] == "e1"
    assert [(s["entry_id"], s["value"], s["actor"]) for s in db.scores()] == [("e1", 8.0, "Aigerim")]
    assert [a["action"] for a in db.audit_log("e1")] == ["score_recorded"]
    db.put_note("k", "e1", {"sentences": []})  # tables added after 0001 are there
    assert db.get_note("k") == {"sentences": []}
    db.close()


def test_concurrent_score_writes_are_neither_lost_nor_doubled(settings):
    """20 threads x 50 score writes through the storage layer, then 20 x 50 overwrites of the same keys."""
    db = open_database(settings)
    errors: list[BaseException] = []

    def write(juror: int, value: float) -> None:
        try:
            for n in range(50):
                db.insert_score(f"e{n % 5}", f"j{juror}", f"c{n // 5}", value + n, "", f"juror-{juror}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    for value in (0.0, 100.0):
        threads = [threading.Thread(target=write, args=(j, value)) for j in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(th.is_alive() for th in threads), "a writer hung"
    assert errors == []
    rows = db.scores()
    assert len(rows) == 1000
    assert len({(r["entry_id"], r["juror_id"], r["criterion"]) for r in rows}) == 1000
    assert all(r["value"] >= 100 for r in rows)  # every overwrite landed
    assert len(db.audit_log()) == 2000
    db.close()


def test_submission_upsert_is_idempotent(settings):
    db = open_database(settings)
    rec = {"entry_id": "e1", "sha256": "a" * 64, "file_name": "x.pdf", "size_bytes": 3, "stored_as": "o/x",
           "status": "ok", "reasons": []}
    db.save_submission(rec, None)
    db.save_submission({**rec, "status": "needs_attention"}, None)
    assert db.count_submissions() == 1
    assert db.get_submission("a" * 64, "x.pdf")["status"] == "needs_attention"


def test_embedding_cache_round_trip(settings):
    db = open_database(settings)
    v = np.arange(4, dtype=np.float32)
    db.put_many({"k1": v}, "m")
    got = db.get_many(["k1", "k2"], "m")
    assert list(got) == ["k1"] and np.array_equal(got["k1"], v)
    assert db.get_many(["k1"], "other-model") == {}


def test_scores_need_a_person_and_are_audited(settings):
    db = open_database(settings)
    with pytest.raises(PermissionDenied):
        scoring.record_score(db, entry_id="e1", juror_id="j1", criterion="innovation", value=7, actor="")
    with pytest.raises(PermissionDenied):
        scoring.record_score(db, entry_id="e1", juror_id="j1", criterion="innovation", value=7, actor="system:notes")
    with pytest.raises(InputError):
        scoring.record_score(db, entry_id="e1", juror_id="j1", criterion="innovation", value=70, actor="Aigerim")
    scoring.record_score(db, entry_id="e1", juror_id="j1", criterion="innovation", value=7, actor="Aigerim")
    scoring.record_decision(db, entry_id="e1", kind="eligibility", value="eligible", actor="Organizer Serik")
    scoring.confirm_assignment(db, entry_id="e1", juror_ids=["j1", "j2"], actor="Organizer Serik")
    log = db.audit_log("e1")
    assert [row["actor"] for row in log] == ["Aigerim", "Organizer Serik", "Organizer Serik"]
    assert [row["action"] for row in log] == ["score_recorded", "eligibility_decided", "final_assignment_decided"]
    assert db.scores("e1")[0]["value"] == 7


def test_ai_drafts_are_logged_as_system_not_as_decisions(settings):
    db = open_database(settings)
    db.save_ai_result("duplicates", [{"a": "e1", "b": "e2"}], {"model": "m", "input_hash": "h"})
    log = db.audit_log()
    assert log[-1]["actor"] == "system:duplicates" and log[-1]["action"] == "ai_draft_created"
    assert db.decisions() == [] and db.scores() == []


def test_only_scoring_module_writes_scores_or_decisions():
    """AI stages never call the score/decision writers: only scoring.py (and the API for a person) may."""
    root = Path(__file__).resolve().parents[1]
    allowed = {root / "review_service" / "scoring.py", root / "review_service" / "storage" / "db.py"}
    offenders = []
    for path in [*(root / "review_service").rglob("*.py"), *(root / "models").rglob("*.py"),
                 *(root / "embeddings").rglob("*.py")]:
        if path in allowed or "api" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"insert_score", "insert_decision", "record_score",
                                                                  "record_decision", "confirm_assignment"}:
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


def test_all_sql_stays_in_the_storage_package():
    """No module outside review_service/storage talks to a database driver or SQLAlchemy directly."""
    root = Path(__file__).resolve().parents[1]
    storage = root / "review_service" / "storage"
    offenders = []
    for path in [*(root / "review_service").rglob("*.py"), *(root / "models").rglob("*.py"),
                 *(root / "embeddings").rglob("*.py")]:
        if storage in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in {"sqlite3", "sqlalchemy", "psycopg", "alembic"} for n in names):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
