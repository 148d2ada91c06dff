"""Helpers for the audit-trail tests: a realistic run of the jury's acts, SQL typed by an insider who holds the
database (triggers off first), the CLI in a subprocess the way an operator runs it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from review_service.contest import flag_review, scoring
from review_service.storage import Database, tables
from tests import jury as J

ROOT = Path(__file__).resolve().parents[1]


def acts(db: Database) -> dict:
    """What a contest's jury does: accounts, a rubric, a publication (forced, then a real one), scores saved,
    submitted, reopened and submitted again, decisions, a flag review, five AI drafts."""
    organizer = J.add(db, "serik", "organizer")
    j1, j2 = J.add(db, "aigerim", "juror", "j1"), J.add(db, "dana", "juror", "j2")
    J.rubric(db, organizer)
    for n in range(5):
        db.save_ai_result("themes", [{"n": n}], {"model": "m", "input_hash": str(n)})
    J.publish(db, organizer, J.suggestion(["e1", "e2"], ["j1", "j2"], k=2))
    J.publish(db, organizer)
    full = {"innovation": {"value": 7}, "feasibility": {"value": 3, "comment": "thin budget"}}
    scoring.save_review(db, "e1", full, j1, deadline=J.FUTURE)
    scoring.submit_review(db, "e1", j1, deadline=J.FUTURE)
    scoring.reopen_review(db, "e1", "j1", "typo in a comment", organizer)
    scoring.save_review(db, "e1", {"feasibility": {"value": 3.5, "comment": "budget ok"}}, j1, deadline=J.FUTURE)
    scoring.submit_review(db, "e1", j1, deadline=J.FUTURE)
    scoring.save_review(db, "e1", {"innovation": {"value": 5}}, j2, deadline=J.FUTURE)
    scoring.record_decision(db, entry_id="e1", kind="eligibility", value="eligible", actor=organizer)
    scoring.record_decision(db, entry_id="e1", kind="finalist", value="yes", actor=organizer)
    flag_review.review_precheck(db, entry_id="e2", record={"checks": [{"name": "age", "outcome": "warn"}]},
                                check="age", verdict="override", comment="date of birth checked", actor=organizer)
    return {"organizer": organizer, "j1": j1, "j2": j2}


def tamper(db: Database, *statements: str, params: dict | None = None) -> None:
    """SQL typed by someone with the database's keys: the append-only triggers switched off first."""
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for sql in statements:
            conn.execute(sa.text(sql), params or {})


def last_record(db: Database, **where: str) -> int:
    """The id of the newest audit record whose columns equal ``where``."""
    c = tables.audit_log.c
    with db.engine.connect() as conn:
        query = sa.select(sa.func.max(c.id)).where(*(c[k] == v for k, v in where.items()))
        return int(conn.execute(query).scalar_one())


def env(settings) -> dict[str, str]:
    return {**os.environ, "REVIEW_ENVIRONMENT": "test", "REVIEW_DATA_DIR": str(settings.data_dir),
            "REVIEW_DATABASE_URL": settings.db_url, "PYTHONPATH": str(ROOT)}


def verify_cli(settings, *args: str) -> subprocess.CompletedProcess:
    """``python -m review_service.commands.cli audit verify`` as an operator runs it, on this test's database."""
    return subprocess.run([sys.executable, "-m", "review_service.commands.cli", "audit", "verify", *args], env=env(settings),
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
