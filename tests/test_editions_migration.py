"""Migration 0008 (editions) on a database at revision 0007 with rows in every table and a signed audit chain:
after the upgrade every row is in one edition, "default", nothing else changed, and ``audit verify`` passes — on
SQLite and on PostgreSQL."""
from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from review_service.storage import audit_chain as audit
from review_service.storage import migrate, open_database
from review_service.storage import tables as t
from review_service.storage.audit_anchor import load_anchor
from review_service.storage.connection import make_engine
from review_service.storage.edition_store import EditionStore
from review_service.storage.jury_store import JuryStore

AT = "2026-11-20T10:00:00+00:00"
OWNED = ("batches", "submissions", "ai_results", "rubrics", "reviews", "scores", "decisions", "assignments",
         "flag_reviews", "jobs")
CRITERIA = [{"id": "innovation", "name": {"en": "Innovation"}, "weight": 1, "min": 0, "max": 10, "step": 1}]


@pytest.fixture
def settings(backend_settings):
    return backend_settings


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _world_at_0007(engine: sa.Engine, signer) -> None:
    """A row in every table at 0007, each human act with the audit record the code of 0007 writes for it."""
    def log(conn, **record):
        audit.append(conn, at=AT, signer=signer, **record)

    payload = json.dumps([{"a": "e1", "b": "e2", "kind": "exact"}])
    assignment = json.dumps({"entries": {"e1": {"jurors": [{"juror": "j1"}]}}})
    with engine.begin() as conn:
        conn.execute(t.batches.insert().values(id=1, source="entries", started_at=AT, finished_at=AT))
        for entry in ("e1", "e2"):
            conn.execute(t.submissions.insert().values(
                entry_id=entry, sha256=entry * 32, file_name=f"ЖИ байқауы_{entry}.txt", size_bytes=10,
                stored_as=f"o/{entry}", status="ok", record=json.dumps({"entry_id": entry, "status": "ok"}),
                first_seen=AT, updated_at=AT, batch_id=1))
        conn.execute(t.documents.insert().values(sha256="e1" * 32, parser_version="1", parsed="{}", created_at=AT))
        conn.execute(t.forms.insert().values(file_name="жи байқауы_e1.txt", row="{}", loaded_at=AT))
        conn.execute(t.embeddings.insert().values(key="k", model_id="m", vector=b"\x00\x00\x80?"))
        conn.execute(t.note_cache.insert().values(key="n", doc_id="e1", note_json="{}", created_at=AT))
        conn.execute(t.ai_results.insert().values(id=1, batch_id=1, stage="duplicates", payload=payload,
                                                  provenance="{}", created_at=AT))
        log(conn, actor="system:duplicates", action="ai_draft_created", subject="batch:1", detail={},
            after={"ai_result": 1, "stage": "duplicates", "status": "draft", "payload_sha256": _sha(payload)})
        conn.execute(t.jury_members.insert().values(juror_id="j1", name="Aigerim", profile="{}", actor="test",
                                                    added_at=AT))
        conn.execute(t.users.insert().values(id=1, login="aigerim", name="Aigerim", role="juror", juror_id="j1",
                                             password_hash="x", created_at=AT, password_changed_at=AT))
        log(conn, actor="test", action="user_added", subject="user:aigerim",
            after={"id": 1, "login": "aigerim", "name": "Aigerim", "role": "juror", "juror_id": "j1",
                   "disabled": False})
        conn.execute(t.sessions.insert().values(token_sha256="s" * 64, user_id=1, created_at=AT, expires_at=AT))
        conn.execute(t.rubrics.insert().values(version=1, criteria=json.dumps(CRITERIA), actor="serik", at=AT))
        log(conn, actor="serik", action="rubric_published", subject="rubric:1",
            after={"version": 1, "criteria": CRITERIA})
        conn.execute(t.reviews.insert().values(entry_id="e1", juror_id="j1", rubric_version=1, status="draft",
                                               revision=1, updated_at=AT, actor="aigerim"))
        conn.execute(t.scores.insert().values(entry_id="e1", juror_id="j1", criterion="innovation", value=8,
                                              comment="", actor="aigerim", at=AT))
        log(conn, actor="aigerim", action="review_saved", subject="e1",
            detail={"juror": "j1", "rubric_version": 1, "revision": 1}, before={},
            after={"innovation": {"value": 8.0, "comment": ""}})
        conn.execute(t.decisions.insert().values(entry_id="e1", kind="finalist", value="yes", reason="",
                                                 actor="serik", at=AT))
        log(conn, actor="serik", action="finalist_decided", subject="e1", after={"value": "yes", "reason": ""})
        conn.execute(t.assignments.insert().values(state="published", version=1, payload=assignment,
                                                   actor="serik", at=AT, note="first"))
        log(conn, actor="serik", action="assignment_published", subject="assignment:published:1",
            detail={"note": "first", "version": 1, "payload_sha256": _sha(assignment)})
        conn.execute(t.flag_reviews.insert().values(kind="duplicate", target="e1|e2", verdict="confirm",
                                                    comment="same file", actor="serik", at=AT))
        log(conn, actor="serik", action="duplicate_flag_reviewed", subject="e1|e2",
            after={"verdict": "confirm", "comment": "same file"})
        conn.execute(t.jobs.insert().values(batch_id=1, state="done", params="{}", created_at=AT))
        conn.execute(t.signin_throttle.insert().values(key="login:aigerim", failures=1, last_failure=1.0))
        head = conn.execute(sa.select(t.audit_log.c.seq, t.audit_log.c.id, t.audit_log.c.hash)
                            .order_by(t.audit_log.c.id.desc()).limit(1)).one()
    return head


def test_a_database_at_0007_becomes_one_edition_with_every_row_and_its_audit_chain(settings):
    engine = make_engine(settings.db_url)
    migrate.upgrade(engine, "0007")
    assert migrate.current(engine) == "0007"
    anchor = load_anchor(settings, engine)
    head = _world_at_0007(engine, anchor.key)
    anchor.advance(audit.Head(int(head.seq), int(head.id), head.hash))
    with engine.connect() as conn:
        before = {name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar()
                  for name in [tb.name for tb in t.metadata.sorted_tables]
                  if name not in ("editions", "edition_jury", "archive_entries",  # made by 0008
                                  "juror_declarations", "deadline_extensions")}  # made by 0009
        log_before = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id"))]
    engine.dispose()
    assert all(before.values()), before  # a row in every table

    db = open_database(settings)  # migrates to the newest revision
    try:
        assert migrate.current(db.engine) == migrate.head() and int(migrate.head()) >= 8
        with db.engine.connect() as conn:
            after = {name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar() for name in before}
            assert after == before  # every row kept, none added (the audit log included)
            assert [tuple(r)[:len(log_before[0])] for r in conn.execute(sa.text(
                "SELECT * FROM audit_log ORDER BY id"))] == log_before  # not one audit record rewritten
            for name in OWNED:
                assert {r[0] for r in conn.execute(sa.text(f"SELECT DISTINCT edition_id FROM {name}"))} == {1}, name
        assert [(e["id"], e["name"], e["state"]) for e in EditionStore(db).editions()] == [(1, "default", "open")]
        assert EditionStore(db).jury(1) == ["j1"]
        assert db.edition_id() == 1
        assert [s["entry_id"] for s in db.submissions()] == ["e1", "e2"]
        assert JuryStore(db).rubric()["version"] == 1 and len(JuryStore(db).reviews()) == 1
        assert [d.value for d in JuryStore(db).decisions()] == ["yes"]
        report = db.verify_audit((int(head.id), head.hash))
        assert report.intact, report.problems
        assert not report.warnings and report.records == len(log_before) and report.checkpoint == "ok"
        # the first act after the upgrade goes on the same chain, in the default edition
        JuryStore(db).add_decision("e2", "finalist", "no", "", "serik")
        assert db.verify_audit().intact
    finally:
        db.close()
