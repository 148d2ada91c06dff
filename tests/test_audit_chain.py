"""The audit trail is append-only and tamper-evident, on SQLite and PostgreSQL: triggers refuse UPDATE and
DELETE; a changed value, two swapped records or a deleted one is reported by `review-service audit verify` at
that record (exit 1). The anchor's attacks (tail, re-chain, forgery, table edits): tests/test_audit_anchor.py."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from review_service.commands import cli
from review_service.core.config import get_settings
from review_service.storage import open_database
from tests import auditing as A
from tests import jury as J


@pytest.fixture
def settings(backend_settings):
    return backend_settings


def _filled(settings):
    db = open_database(settings)
    organizer = J.add(db, "serik", "organizer")
    J.rubric(db, organizer)
    for n in range(5):
        db.save_ai_result("themes", [{"n": n}], {"model": "m", "input_hash": str(n)})
    return db


def _verify_cli(settings, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv("REVIEW_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("REVIEW_DATA_DIR", str(settings.data_dir))  # where the audit key and checkpoint are
    get_settings.cache_clear()
    try:
        code = cli.main(["audit", "verify"])
    finally:
        get_settings.cache_clear()
    return code, capsys.readouterr().out


def test_the_log_refuses_update_and_delete(settings):
    db = _filled(settings)
    for sql in ("UPDATE audit_log SET actor = 'someone' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert db.verify_audit().intact
    db.close()


@pytest.mark.parametrize("tamper, broken", [
    (["UPDATE audit_log SET detail = '{\"model\": \"other\"}' WHERE id = 4"], 4),  # a changed value
    (["UPDATE audit_log SET id = -1 WHERE id = 4", "UPDATE audit_log SET id = 4 WHERE id = 5",
      "UPDATE audit_log SET id = 5 WHERE id = -1"], 4),  # two records swapped
    (["DELETE FROM audit_log WHERE id = 4"], 5),  # a deleted record: its successor no longer follows
], ids=["changed", "swapped", "deleted"])
def test_verify_names_the_first_broken_record(settings, monkeypatch, capsys, tamper, broken):
    db = _filled(settings)
    assert len(db.audit_log()) == 7  # user added, rubric published, five AI drafts
    code, out = _verify_cli(settings, monkeypatch, capsys)
    assert code == 0 and "intact: 7 records" in out
    A.tamper(db, *tamper)
    report = db.verify_audit()
    assert report.broken_id == broken
    code, out = _verify_cli(settings, monkeypatch, capsys)
    assert code == 1 and f"broken at record {broken}" in out
    db.close()
