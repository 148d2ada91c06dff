"""SQLite storage (real file in tmp_path) and the human-only scoring module."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from review_service import scoring
from review_service.errors import InputError, PermissionDenied
from review_service.storage import open_database


def test_migrations_are_applied_once_and_wal_is_on(settings):
    db = open_database(settings)
    assert db.schema_version() >= 1
    assert db.migrate() == 0
    mode = db._query("PRAGMA journal_mode")[0][0]
    assert mode == "wal"
    db.close()
    again = open_database(settings)  # reopening the same file keeps the data and the version
    assert again.schema_version() >= 1


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
