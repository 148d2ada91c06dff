"""Storage on both back ends (a real SQLite file, a real PostgreSQL server) and the human-only scoring module."""
from __future__ import annotations

import ast
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from review_service.contest import scoring
from review_service.core.errors import ConfigError, InputError, NotFound, PermissionDenied, StateConflict
from review_service.storage import Database, open_database, tables
from review_service.storage import migrate as migrations
from review_service.storage.jury_store import JuryStore
from tests import jury as J

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
    report = db.verify_audit()  # the migration chained the rows made before the chain existed
    assert report.intact and report.records == 1
    db.put_note("k", "e1", {"sentences": []})  # tables added after 0001 are there
    assert db.get_note("k") == {"sentences": []}
    db.close()


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_concurrent_score_writes_are_neither_lost_nor_doubled(settings):
    """20 threads x 50 review saves through the storage layer, then 20 x 50 overwrites of the same keys."""
    db = open_database(settings)
    store = JuryStore(db)
    errors: list[BaseException] = []

    def write(juror: int, value: float) -> None:
        try:
            for n in range(50):
                store.save_review(f"e{n % 5}", f"j{juror}", 1, {f"c{n // 5}": {"value": value + n, "comment": ""}},
                                  f"juror-{juror}")
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
    rows = db.query_rows(sa.select(tables.scores))
    assert len(rows) == 1000
    assert len({(r["entry_id"], r["juror_id"], r["criterion"]) for r in rows}) == 1000
    assert all(r["value"] >= 100 for r in rows)  # every overwrite landed
    assert sum(r["revision"] for r in store.reviews()) == 2000  # every save counted once
    assert len(db.audit_log()) == 2000
    assert db.verify_audit().intact  # concurrent appends never forked the chain
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


def test_scores_need_a_juror_the_rubric_and_are_audited(settings):
    db = open_database(settings)
    organizer, juror = J.add(db, "serik", "organizer"), J.add(db, "aigerim", "juror", "j1")
    with pytest.raises(NotFound):
        scoring.save_review(db, "e1", {"innovation": {"value": 7}}, juror, deadline=J.FUTURE)  # no rubric yet
    J.rubric(db, organizer)
    with pytest.raises(PermissionDenied):
        scoring.save_review(db, "e1", {"innovation": {"value": 7}}, organizer, deadline=J.FUTURE)
    for bad in ({"innovation": {"value": 70}}, {"innovation": {"value": 7.5}}, {"nope": {"value": 1}}):
        with pytest.raises(InputError):
            scoring.save_review(db, "e1", bad, juror, deadline=J.FUTURE)
    with pytest.raises(StateConflict) as late:
        scoring.save_review(db, "e1", {"innovation": {"value": 7}}, juror, deadline=datetime(2020, 1, 1, tzinfo=UTC))
    assert late.value.code == "deadline_passed"
    scoring.save_review(db, "e1", {"innovation": {"value": 7}}, juror, deadline=J.FUTURE)
    with pytest.raises(InputError, match="not scored: feasibility"):
        scoring.submit_review(db, "e1", juror, deadline=J.FUTURE)
    scoring.save_review(db, "e1", {"feasibility": {"value": 2.5}}, juror, deadline=J.FUTURE)
    with pytest.raises(InputError, match="comment required: feasibility"):
        scoring.submit_review(db, "e1", juror, deadline=J.FUTURE)
    scoring.save_review(db, "e1", {"feasibility": {"value": 3, "comment": "thin budget"}}, juror, deadline=J.FUTURE)
    done = scoring.submit_review(db, "e1", juror, deadline=J.FUTURE)
    assert done["status"] == "submitted" and done["scores"]["innovation"]["value"] == 7
    with pytest.raises(StateConflict):
        scoring.save_review(db, "e1", {"innovation": {"value": 1}}, juror, deadline=J.FUTURE)
    with pytest.raises(InputError):
        scoring.reopen_review(db, "e1", "j1", " ", organizer)
    assert scoring.reopen_review(db, "e1", "j1", "typo in a comment", organizer)["status"] == "draft"
    scoring.record_decision(db, entry_id="e1", kind="eligibility", value="eligible", actor=organizer)
    with pytest.raises(InputError):
        scoring.record_decision(db, entry_id="e1", kind="eligibility", value="not_eligible", actor=organizer)
    with pytest.raises(PermissionDenied):
        scoring.record_decision(db, entry_id="e1", kind="finalist", value="yes", actor=juror)
    log = db.audit_log("e1")
    assert [(row["actor"], row["action"]) for row in log] == [
        ("aigerim", "review_saved"), ("aigerim", "review_saved"), ("aigerim", "review_saved"),
        ("aigerim", "review_submitted"), ("serik", "review_reopened"), ("serik", "eligibility_decided")]
    assert json.loads(log[1]["before"]) == {"innovation": {"value": 7.0, "comment": ""}}
    assert json.loads(log[4]["detail"])["reason"] == "typo in a comment"
    assert db.verify_audit().intact


def test_ai_drafts_are_logged_as_system_not_as_decisions(settings):
    db = open_database(settings)
    db.save_ai_result("duplicates", [{"a": "e1", "b": "e2"}], {"model": "m", "input_hash": "h"})
    log = db.audit_log()
    assert log[-1]["actor"] == "system:duplicates" and log[-1]["action"] == "ai_draft_created"
    after = json.loads(log[-1]["after"])  # the AI output's provenance and what it produced, hashed
    assert after["status"] == "draft" and len(after["payload_sha256"]) == 64
    assert json.loads(log[-1]["detail"]) == {"model": "m", "input_hash": "h"}
    assert JuryStore(db).decisions() == [] and db.scores() == []


HUMAN_ACTS = {"review_service.contest.scoring", "review_service.contest.assignments", "review_service.contest.flag_review",
              "review_service.storage.jury_store"}
AI_STAGES = ("review_service.batches.pipeline", "review_service.batches.stage_registry", "review_service.stages.duplicates",
             "review_service.stages.themes", "review_service.stages.notes.drafting", "review_service.stages.relevance", "review_service.stages.eligibility",
             "review_service.intake.receive", "review_service.stages.matching", "review_service.search", "review_service.stages.dedup",
             "models", "embeddings")
WRITERS = {"save_review", "set_review_status", "add_decision", "add_assignment", "add_flag_review", "add_rubric",
           "record_decision", "submit_review", "reopen_review", "publish", "edit_draft", "resolve_draft",
           "review_duplicate", "review_precheck", "review_note_sentence", "publish_rubric"}


def _imports(root: Path, module: str) -> set[str]:
    """Modules of this repository that ``module`` imports (anywhere in it, functions included)."""
    path = root / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    if not path.is_file():
        return set()
    out = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m.split(".")[0] in ("review_service", "models", "embeddings", "prompts")}


def test_no_code_reachable_from_an_ai_stage_writes_a_human_act():
    """Walk the imports from every AI stage: none reaches a module that writes a score, a decision, a
    publication or a flag review; and no module but those, the API routes and the pages (where a signed-in person
    acts) calls those writers."""
    root = Path(__file__).resolve().parents[1]
    seen: set[str] = set()
    todo = [m for m in AI_STAGES]
    for start in AI_STAGES:
        folder = root / Path(*start.split("."))
        if folder.is_dir():
            todo += [".".join(p.relative_to(root).with_suffix("").parts) for p in folder.rglob("*.py")]
    while todo:
        module = todo.pop().removesuffix(".__init__")
        if module in seen:
            continue
        seen.add(module)
        todo += _imports(root, module)
    assert seen & HUMAN_ACTS == set()
    assert len(seen) > 40  # the walk did reach the stages' dependencies
    allowed = {root / "review_service" / "contest" / f for f in ("scoring.py", "assignments.py", "flag_review.py")}
    allowed.add(root / "review_service" / "storage" / "jury_store.py")
    offenders = []
    for path in [*(root / "review_service").rglob("*.py"), *(root / "models").rglob("*.py"),
                 *(root / "embeddings").rglob("*.py")]:
        if path in allowed or "api" in path.parts or "web" in path.parts:  # where signed-in people act
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in WRITERS:
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


def test_decisions_and_flag_reviews_come_back_as_typed_frozen_records(settings):
    """The stores return records, not rows: fields by name, checked by mypy, never edited in place."""
    import dataclasses

    from review_service.contest import flag_review
    from review_service.storage.records import Decision, FlagReview

    db = open_database(settings)
    organizer = J.add(db, "serik", "organizer")
    made = scoring.record_decision(db, entry_id="e1", kind="finalist", value="yes", actor=organizer)
    assert isinstance(made, Decision) and (made.entry_id, made.kind, made.value, made.actor) == \
        ("e1", "finalist", "yes", "serik")
    assert JuryStore(db).decisions("e1") == [made]  # what was stored is what comes back
    assert scoring.current_decisions(db) == {"e1": {"finalist": made}}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = "no"  # type: ignore[misc]
    verdict = flag_review.review_precheck(db, entry_id="e1", record={"checks": [{"name": "age", "outcome": "warn"}]},
                                          check="age", verdict="override", comment="born in 1991", actor=organizer)
    assert isinstance(verdict, FlagReview) and verdict.target == "check:e1:age"
    assert flag_review.latest_verdicts(db, "precheck") == {"check:e1:age": verdict}
    db.close()
