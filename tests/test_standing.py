"""Results count only what stands (issue 20, items 2 and 3), over real HTTP on SQLite and PostgreSQL:

* a juror removed from an entry by a later publication: their submitted review is kept, shown to organizers as
  "not counted (removed on …)", and never averaged, ranked or exported as counted; the same for a published pair
  that turns out to be in conflict of interest;
* one account per juror profile, and only for a juror of the jury's roster (API, page-free CLI path);
* a second batch's AI suggestion is merged into the draft: the published pairs stay, the new entries are solved
  under the loads the earlier entries already take.
"""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from review_service.contest import assignments
from review_service.contest.permissions import entry_code
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.account_store import PeopleStore
from review_service.storage.jury_store import JuryStore
from tests import jury as J
from tests.web import running

SCORES = {"scores": {"innovation": {"value": 9}, "feasibility": {"value": 5, "comment": "ok"}}}


@pytest.fixture
def settings(backend_settings):
    return backend_settings.model_copy(update={"scoring_deadline": J.FUTURE})


def _submit(c: httpx.Client, headers: dict, entry: str, body: dict = SCORES) -> None:
    assert c.put(f"/entries/{entry_code(entry)}/review", headers=headers, json=body).status_code == 200
    assert c.post(f"/entries/{entry_code(entry)}/review/submit", headers=headers).status_code == 200


def _result(c: httpx.Client, headers: dict, entry: str) -> dict:
    items = c.get("/results", headers=headers, params={"limit": 100}).json()["items"]
    return next(r for r in items if r["entry_id"] == entry)


def test_a_removed_jurors_review_is_kept_but_never_counted(settings, tmp_path):
    db = open_database(settings)
    w = J.build_world(db, settings, tmp_path)
    db.close()
    e, f = w["E"], w["F"]
    org, ja, ju = (J.bearer(w["tokens"][k]) for k in ("organizer", "juror_assigned", "juror_unassigned"))
    with running(create_app(settings)) as base, httpx.Client(base_url=base) as c:
        _submit(c, ja, e)  # 9 × 2 + 5 = 23 on E
        _submit(c, ja, f, {"scores": {"innovation": {"value": 2}, "feasibility": {"value": 1, "comment": "weak"}}})
        _submit(c, ju, f)
        before = _result(c, org, e)
        assert before["submitted"] == 1 and before["raw_mean"] == 23 and before["not_counted"] == []
        assert before["required"] == 2  # ja and jd; jc's published pair is in conflict and needs no review

        draft = c.get("/assignments/draft", headers=org).json()
        edit = c.post("/assignments/draft/edits", headers=org, json={"expect_version": draft["version"], "edits": [
            {"op": "remove", "juror": "ja", "entry": e}, {"op": "remove", "juror": "jc", "entry": e}]})
        assert edit.status_code == 201
        published = c.post("/assignments/publish", headers=org, json={"expect_version": edit.json()["version"]})
        assert published.status_code == 201 and f"ja:{e}" in published.json()["changes"]["removed"]
        removed_at = c.get("/assignments/published", headers=org).json()["at"]

        assert c.get(f"/entries/{entry_code(e)}", headers=ja).status_code == 404  # ja no longer reaches E
        after = _result(c, org, e)
        assert after["submitted"] == 0 and after["required"] == 1  # jd only
        assert after["raw_mean"] is None and after["rank_raw"] is None and after["totals"] == []
        assert after["not_counted"] == [{"juror": "ja", "total": 23.0, "reason": "removed", "since": removed_at}]
        assert _result(c, org, f)["submitted"] == 2  # ja's review of F still counts
        assert JuryStore(open_database(settings)).review(e, "ja")["status"] == "submitted"  # kept, not deleted

        rows = list(csv.DictReader(io.StringIO(c.get("/exports/results.csv", headers=org).text.lstrip("\ufeff"))))
        row = next(r for r in rows if r["entry_id"] == e)
        assert row["submitted"] == "0" and row["raw_mean"] == "" and "ja 23 (removed" in row["not_counted"]
        scores = list(csv.DictReader(io.StringIO(c.get("/exports/scores.csv", headers=org).text.lstrip("\ufeff"))))
        assert {r["counted"] for r in scores if r["entry_id"] == e} == {f"removed {removed_at[:10]}"}
        assert {r["counted"] for r in scores if r["entry_id"] == f} == {"yes"}
        book = load_workbook(io.BytesIO(c.get("/exports/results.xlsx", headers=org).content))
        sheet = book["innovation"]
        head = [cell.value for cell in sheet[2]]
        line = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == e)
        assert line[head.index("ja")] is None and line[-1] is None  # neither shown as counted nor averaged

        c.cookies.set("review_session", w["tokens"]["organizer"])  # the pages' session
        page = c.get("/org/results?lang=en").text
        assert "ja: 23 — not counted (removed on" in page
        assert "не учитывается (снята" in c.get(f"/org/entries/{e}?lang=ru").text


def test_a_published_pair_in_conflict_does_not_count(settings, tmp_path):
    """jc was published on E although in conflict with it (a forced publication): jc never reaches E, and a
    review jc wrote before the conflict was known does not count."""
    db = open_database(settings)
    w = J.build_world(db, settings, tmp_path)
    e = w["E"]
    rubric = JuryStore(db).rubric()
    JuryStore(db).save_review(e, "jc", rubric["version"], {"innovation": {"value": 1, "comment": ""},
                                                           "feasibility": {"value": 1, "comment": "x"}}, "jc")
    JuryStore(db).set_review_status(e, "jc", status="submitted", actor="jc", action="review_submitted")
    db.close()
    org = J.bearer(w["tokens"]["organizer"])
    with running(create_app(settings)) as base, httpx.Client(base_url=base) as c:
        found = _result(c, org, e)
        assert found["submitted"] == 0 and found["raw_mean"] is None
        assert found["not_counted"] == [{"juror": "jc", "total": 3.0, "reason": "conflict", "since": None}]


def test_one_account_per_juror_profile_and_only_for_the_jury(settings, tmp_path):
    db = open_database(settings)
    w = J.build_world(db, settings, tmp_path)
    db.close()
    admin = J.bearer(w["tokens"]["admin"])
    with running(create_app(settings)) as base, httpx.Client(base_url=base) as c:
        twin = c.post("/users", headers=admin, json={"login": "ja2", "role": "juror", "juror_id": "ja",
                                                     "password": "long-enough-1"})
        assert twin.status_code == 409 and twin.json()["code"] == "juror_taken"
        stranger = c.post("/users", headers=admin, json={"login": "jx", "role": "juror", "juror_id": "jx",
                                                         "password": "long-enough-1"})
        assert stranger.status_code == 422 and stranger.json()["code"] == "unknown_juror"
        assert "users import" in stranger.json()["hint"]
    db = open_database(settings)
    assert PeopleStore(db).user("ja2") is None and PeopleStore(db).user("jx") is None
    PeopleStore(db).save_jury([{"id": "jx", "name": "Jx"}], "test")
    J.add(db, "jx", "juror", "jx")
    assert PeopleStore(db).user("jx")["juror_id"] == "jx"
    db.close()


def _second_batch(db, first: list[str], new: list[str], jurors: list[str]) -> None:
    suggestion = J.suggestion(new, jurors, k=2)
    suggestion["matrix"]["max_load"] = [2] * len(jurors)  # the batch's own loads
    batch = db.start_batch("second")
    db.save_ai_result("assignment_suggestion", suggestion, {"model": "test", "input_hash": "sha256:b2"},
                      batch_id=batch)


def test_a_second_batch_is_merged_into_the_draft_and_leaves_the_published_pairs(settings, tmp_path):
    db = open_database(settings)
    organizer = J.add(db, "organizer", "organizer")
    jurors = ["j1", "j2", "j3", "j4"]
    for j in jurors:
        J.add(db, j, "juror", j)
    first = [f"e{i}" for i in range(6)]
    suggestion = J.suggestion(first, jurors, k=2)
    suggestion["matrix"]["max_load"] = [4] * len(jurors)
    db.save_ai_result("assignment_suggestion", suggestion, {"model": "test", "input_hash": "sha256:b1"},
                      batch_id=db.start_batch("first"))
    draft = assignments.current_draft(db)
    assert draft["version"] == 0
    pub = assignments.publish(db, organizer, expect_version=0)
    published = assignments.pairs(pub["payload"])
    assert len(published) == 12

    new = ["n1", "n2", "n3"]
    _second_batch(db, first, new, jurors)
    token = J.token(db, "organizer")
    db.close()
    org = J.bearer(token)
    with running(create_app(settings)) as base, httpx.Client(base_url=base) as c:
        merged = c.get("/assignments/draft", headers=org).json()
        assert merged["version"] == 1 and merged["actor"] == "system:matching"
        assert set(merged["entries"]) == set(first) | set(new)
        for e in first:  # the earlier rows are as published
            assert {r["juror"] for r in merged["entries"][e]["jurors"]} == \
                {j for j, x in published if x == e}
        loads = {j: sum(j in {r["juror"] for r in x["jurors"]} for x in merged["entries"].values()) for j in jurors}
        assert all(len(merged["entries"][e]["jurors"]) == 2 for e in new)
        assert max(loads.values()) <= 4 + 2  # each juror's merged maximum: both batches' loads
        assert sum(loads.values()) == 12 + 6
        again = c.get("/assignments/draft", headers=org).json()
        assert again["version"] == 1  # merged once
        done = c.post("/assignments/publish", headers=org, json={"expect_version": merged["version"]})
        assert done.status_code == 201, done.text
        assert done.json()["changes"]["removed"] == []
        assert len(done.json()["changes"]["added"]) == 6
        audit = c.get("/audit", headers=org, params={"limit": 500}).json()["items"]
        assert any(a["action"] == "assignment_draft_merged" and a["actor"] == "system:matching" for a in audit)
        assert [a["actor"] for a in audit if a["action"] == "assignment_published"] == ["organizer", "organizer"]


def test_a_merge_that_cannot_fit_the_loads_left_keeps_the_batchs_own_rows(settings):
    """When the earlier entries use up every juror's maximum, the new entries take the batch's own suggestion
    (which respects the batch's loads) and the draft's summary says so."""
    from review_service.contest.assignment_merge import merge

    jurors = ["j1", "j2"]
    first = J.suggestion(["e1", "e2"], jurors, k=2)
    first["matrix"]["max_load"] = [0, 0]  # nothing left once e1 and e2 are served
    draft = assignments.draft_from_suggestion(first)
    second = J.suggestion(["n1"], jurors, k=2)
    second["matrix"]["max_load"] = [0, 0]
    payload, summary = merge(draft, second)
    assert summary == {"entries_added": ["n1"], "solved": "batch_suggestion"}
    assert {r["juror"] for r in payload["entries"]["n1"]["jurors"]} == {"j1", "j2"}
    assert payload["entries"]["e1"] == draft["entries"]["e1"]
