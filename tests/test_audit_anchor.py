"""The anchored audit chain (issue 20, item 4), on a real SQLite file and a real PostgreSQL server: an insider who
holds the database but not the audit key deletes the tail, re-chains after an edit, appends a forged record or
edits a table behind the log's back — each is reported at its record or row, by `audit verify` (CLI, exit 1)
and by GET /audit/verify; the intact trail of a realistic run exits 0."""
from __future__ import annotations

import json
import stat
import threading

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from review_service.core.errors import AuditKeyError
from review_service.server import create_app
from review_service.storage import Database, open_database, tables
from review_service.storage import audit_chain as audit
from review_service.storage.audit_anchor import load_key
from review_service.storage.jury_store import JuryStore
from tests import auditing as A
from tests import jury as J
from tests.pages import client_sign_in


@pytest.fixture
def settings(backend_settings):
    return backend_settings


@pytest.fixture
def acted(settings):
    db = open_database(settings)
    people = A.acts(db)
    assert db.verify_audit().intact, db.verify_audit().problems
    yield db, people
    db.close()


def _first(db):
    report = db.verify_audit()
    assert not report.intact
    return report, report.problems[0]


def test_a_realistic_run_verifies_over_the_cli_and_http(acted, settings):
    db, _ = acted
    report = db.verify_audit()
    assert report.intact and report.legacy == 0 and report.signed == report.records == len(db.audit_log())
    assert report.checkpoint == "ok" and report.checkpoint_records == report.records and report.warnings == ()
    assert stat.S_IMODE(settings.audit_key_path.stat().st_mode) == 0o600
    assert json.loads(settings.audit_checkpoint_path.read_text())["seq"] == report.records
    run = A.verify_cli(settings)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"intact: {report.records} records; all signed; checkpoint at record #{report.records}" in run.stdout
    token = J.token(db, "serik")
    with TestClient(create_app(settings)) as client:
        got = client.get("/audit/verify", headers=J.bearer(token)).json()
    assert got["intact"] is True and got["problems"] == [] and got["records"] == report.records + 1  # + sign-in
    assert got["checkpoint"] == "ok" and got["key_id"] == report.key_id


def test_deleting_the_tail_is_reported_against_the_checkpoint(acted, settings):
    db, _ = acted
    ids = [r["id"] for r in db.audit_log()]
    A.tamper(db, "DELETE FROM audit_log WHERE id > :id", params={"id": ids[-4]})
    _, first = _first(db)
    assert first.kind == "tail_deleted" and first.record == ids[-1]
    assert f"has {len(ids)} records, ending at record {ids[-1]}; it has {len(ids) - 3}" in first.reason
    run = A.verify_cli(settings)
    assert run.returncode == 1 and f"broken at record {ids[-1]}" in run.stdout and "the last 3 were deleted" in run.stdout


def test_rechaining_after_an_edit_without_the_key_is_reported_at_the_edit(acted, settings):
    db, _ = acted
    rows = db.audit_log()
    k = next(r["id"] for r in rows if r["action"] == "eligibility_decided")
    after = json.dumps({"value": "not_eligible", "reason": "late"}, ensure_ascii=False, sort_keys=True)
    statements, prev = [], None
    for row in rows:  # what an attacker without the key can do: the plain SHA-256 chain recomputed
        if row["id"] < k:
            prev = row["hash"]
            continue
        row = {**row, "after": after} if row["id"] == k else row
        digest = audit.record_hash(row, prev)
        statements.append((row["id"], row["after"], prev, digest))
        prev = digest
    A.tamper(db)
    with db.engine.begin() as conn:
        for rid, new_after, new_prev, digest in statements:
            conn.execute(tables.audit_log.update().where(tables.audit_log.c.id == rid)
                         .values(after=new_after, prev_hash=new_prev, hash=digest))
        conn.execute(tables.decisions.update().where(tables.decisions.c.kind == "eligibility")
                     .values(value="not_eligible", reason="late"))
    _, first = _first(db)
    assert (first.kind, first.record) == ("hmac_mismatch", k)
    run = A.verify_cli(settings)
    assert run.returncode == 1 and f"broken at record {k}: its HMAC does not match" in run.stdout


@pytest.mark.parametrize("signature", ["none", "made up"])
def test_a_forged_append_is_reported_at_it(acted, settings, signature):
    db, _ = acted
    last = db.audit_log()[-1]
    row = {"at": last["at"], "actor": "serik", "action": "finalist_decided", "subject": "e2", "detail": "{}",
           "before": None, "after": json.dumps({"reason": "", "value": "yes"})}
    mac = None if signature == "none" else "ab" * 32
    with db.engine.begin() as conn:  # the record and the row it vouches for, both with valid plain hashes
        new_id = conn.execute(tables.audit_log.insert().values(
            **row, prev_hash=last["hash"], hash=audit.record_hash(row, last["hash"]), seq=last["seq"] + 1, mac=mac,
            key_id=last["key_id"] if mac else None).returning(tables.audit_log.c.id)).scalar_one()
        conn.execute(tables.decisions.insert().values(entry_id="e2", kind="finalist", value="yes", reason="",
                                                      actor="serik", at=last["at"]))
    report, first = _first(db)
    assert first.record == new_id and first.kind == ("unsigned" if mac is None else "hmac_mismatch")
    assert report.checkpoint == "behind"  # the forged record is not in the checkpoint either
    run = A.verify_cli(settings)
    assert run.returncode == 1 and f"broken at record {new_id}" in run.stdout


INSERT_AWARD = ("INSERT INTO decisions (entry_id, kind, value, reason, actor, at) "
                "VALUES ('e2', 'award', '1', '', 'serik', '2026-11-21')")


@pytest.mark.parametrize("sql, table, row, action", [
    ("UPDATE scores SET value = 10 WHERE entry_id = 'e1' AND juror_id = 'j1' AND criterion = 'innovation'",
     "scores", "entry_id=e1 juror_id=j1 criterion=innovation", "review_submitted"),
    ("UPDATE reviews SET status = 'submitted' WHERE entry_id = 'e1' AND juror_id = 'j2'",
     "reviews", "entry_id=e1 juror_id=j2", "review_saved"),
    ("UPDATE decisions SET value = 'no' WHERE kind = 'finalist'", "decisions", "entry_id=e1 kind=finalist",
     "finalist_decided"),
    ("DELETE FROM scores WHERE juror_id = 'j2'", "scores", "entry_id=e1 juror_id=j2 criterion=innovation",
     "review_saved"),
    (INSERT_AWARD, "decisions", "entry_id=e2 kind=award", None),
    ("UPDATE assignments SET payload = '{}' WHERE state = 'published' AND version = 2", "assignments",
     "state=published version=2", "assignment_published"),
    ("UPDATE flag_reviews SET verdict = 'uphold'", "flag_reviews", "kind=precheck target=check:e2:age",
     "precheck_flag_reviewed"),
    ("UPDATE users SET role = 'admin' WHERE login = 'dana'", "users", "login=dana", "user_added"),
], ids=["score", "review-status", "decision", "score-deleted", "decision-inserted", "publication", "flag",
        "role"])
def test_a_table_edited_behind_the_log_is_reported_with_its_row(acted, settings, sql, table, row, action):
    db, _ = acted
    A.tamper(db, sql)
    report, first = _first(db)
    assert first.table == table and first.row.endswith(row), first
    if action is None:
        assert first.kind == "row_unlogged" and first.record is None
    else:
        subject = {"assignments": "assignment:published:2", "flag_reviews": "check:e2:age",
                   "users": "user:dana"}.get(table, "e1")
        assert first.record == A.last_record(db, action=action, subject=subject)
    assert [p for p in report.problems if p.table is None] == []  # the chain itself holds
    run = A.verify_cli(settings)
    assert run.returncode == 1 and f"audit check failed at table {table}, row " in run.stdout


def test_a_deleted_checkpoint_is_reported(acted, settings):
    db, _ = acted
    settings.audit_checkpoint_path.unlink()
    _, first = _first(db)
    assert first.kind == "checkpoint_missing" and str(settings.audit_checkpoint_path) in first.reason
    settings.audit_checkpoint_path.write_text(json.dumps({"format": "review-service/audit-checkpoint@1", "seq": 3,
                                                          "id": 3, "hash": "0" * 64, "at": "x", "key_id": "x",
                                                          "mac": "0" * 64}))
    assert _first(db)[1].kind == "checkpoint_invalid"  # one written without the key is not believed


def test_a_checkpoint_behind_by_commits_in_flight_is_not_tampering(acted, settings):
    db, people = acted
    older = settings.audit_checkpoint_path.read_text()
    J.rubric(db, people["organizer"])
    scoring_log = len(db.audit_log())
    settings.audit_checkpoint_path.write_text(older)  # as if the writer had not yet written it
    report = db.verify_audit()
    assert report.intact and report.checkpoint == "behind" and report.checkpoint_records == scoring_log - 1
    J.rubric(db, people["organizer"])  # the next append moves it forward again
    assert db.verify_audit().checkpoint == "ok"


def test_a_missing_key_is_a_clear_error(acted, settings):
    settings.audit_key_path.unlink()
    with pytest.raises(AuditKeyError) as err:
        open_database(settings)
    assert "missing" in err.value.message and "restore" in err.value.hint and "REVIEW_AUDIT_KEY" in err.value.hint
    run = A.verify_cli(settings)
    assert run.returncode == 2 and "error [audit_key]" in run.stderr and "fix: restore" in run.stderr
    assert not settings.audit_key_path.exists()  # never silently replaced by a new key


def test_a_key_file_others_can_read_is_refused(acted, settings):
    settings.audit_key_path.chmod(0o644)
    with pytest.raises(AuditKeyError, match="mode 0644"):
        open_database(settings)


def test_another_key_refuses_appends_and_fails_verify(acted, settings):
    other = settings.model_copy(update={"audit_key": SecretStr("another key of at least thirty-two characters")})
    db = open_database(other)
    with pytest.raises(AuditKeyError, match="not the one that signed the log"):
        J.add(db, "timur", "organizer")
    first = _first(db)[1]
    assert first.kind == "wrong_key" and first.record == db.audit_log()[0]["id"]
    db.close()


def test_legacy_unsigned_records_are_reported_as_such(settings):
    plain = Database(settings.db_url)  # opened without the key: what the service wrote before the anchor
    J.add(plain, "serik", "organizer")
    plain.save_ai_result("themes", [], {"model": "m"})
    assert plain.verify_audit().intact and plain.verify_audit().legacy == 2
    plain.close()
    db = open_database(settings)
    J.add(db, "aigerim", "juror", "j1")
    report = db.verify_audit()
    # two signed records: the juror joining the roster, then the account
    assert report.intact and (report.legacy, report.signed, report.checkpoint) == (2, 2, "ok")
    run = A.verify_cli(settings)
    assert run.returncode == 0 and "records 1–2 unsigned (written before the anchor), the rest signed" in run.stdout
    db.close()
    plain = Database(settings.db_url)
    with pytest.raises(AuditKeyError, match="opened without the audit key"):  # no unsigned record after signed
        J.add(plain, "dana", "juror", "j2")
    plain.close()


def test_two_servers_appending_at_once_keep_chain_and_checkpoint(settings):
    """Two Database objects (two servers) on one database, each key made in the race for the key file."""
    keys: list[str] = []
    plain = Database(settings.db_url)
    threads = [threading.Thread(target=lambda: keys.append(load_key(settings, plain.engine).key_id))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    plain.close()
    assert len(keys) == 4 and len(set(keys)) == 1
    servers = [open_database(settings) for _ in range(2)]
    J.add(servers[0], "serik", "organizer")
    errors: list[BaseException] = []

    def score(db, juror: str) -> None:
        try:
            for n in range(15):
                JuryStore(db).save_review(f"e{n % 3}", juror, 1, {"c": {"value": n, "comment": ""}}, juror)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=score, args=(db, f"j{n}{m}")) for n, db in enumerate(servers)
               for m in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    report = servers[1].verify_audit()
    assert report.intact and report.records == 61 and report.checkpoint == "ok", report.problems
    for db in servers:
        db.close()


def test_http_and_the_audit_page_report_what_the_cli_does(acted, settings):
    db, _ = acted
    A.tamper(db, "UPDATE scores SET value = 10 WHERE juror_id = 'j2'")
    want = db.verify_audit().as_dict()
    token = J.token(db, "serik")
    with TestClient(create_app(settings)) as client:
        got = client.get("/audit/verify", headers=J.bearer(token)).json()
        client_sign_in(client, "serik")
        page = client.get("/org/audit?lang=en").text
    assert got["intact"] is False and got["broken_id"] == want["broken_id"] == got["problems"][0]["record"]
    assert got["problems"][0] == {"kind": "table_edited", "reason": want["reason"], "record": want["broken_id"],
                                  "table": "scores", "row": "entry_id=e1 juror_id=j2 criterion=innovation"}
    assert "The table scores disagrees with the audit log at row entry_id=e1 juror_id=j2" in page


def test_an_old_checkpoint_put_back_hides_a_deleted_tail_but_not_from_a_head_kept_elsewhere(acted, settings):
    """The documented gap (docs/jury.md): a genuine older checkpoint restored and the records after it deleted
    look like a checkpoint behind; the head printed earlier and kept elsewhere catches it."""
    db, people = acted
    older = settings.audit_checkpoint_path.read_text()
    J.rubric(db, people["organizer"])
    J.rubric(db, people["organizer"])
    run = A.verify_cli(settings)
    head = next(line.split()[1] for line in run.stdout.splitlines() if line.strip().startswith("head:"))
    settings.audit_checkpoint_path.write_text(older)
    newest = db.audit_log()[-2]["id"]
    A.tamper(db, "DELETE FROM audit_log WHERE id >= :id", "DELETE FROM rubrics WHERE version > 1",
             params={"id": newest})
    assert db.verify_audit().intact  # the gap
    run = A.verify_cli(settings, "--head", head)
    assert run.returncode == 1 and f"broken at record {head.split(':')[0]}: record" in run.stdout
