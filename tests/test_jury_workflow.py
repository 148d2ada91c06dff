"""The jury's workflow through the API on SQLite and PostgreSQL: assignment edits (conflicts refused, stale
versions refused), re-solving under pins and forbids, publication seen by jurors; reopening; flag reviews; the
juror's view of a draft note is redacted; results maths (z-scores, ranks, ties, disagreement); CSV exports."""
from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.contest.results import compute
from review_service.server import create_app
from review_service.storage import open_database
from tests import jury as J


@pytest.fixture
def settings(backend_settings):
    return backend_settings.model_copy(update={"scoring_deadline": J.FUTURE})


def test_assignment_review_and_flag_workflow(settings, tmp_path):
    db = open_database(settings)
    w = J.build_world(db, settings, tmp_path)
    db.close()
    e, f = w["E"], w["F"]
    org = J.bearer(w["tokens"]["organizer"])
    ja, ju = J.bearer(w["tokens"]["juror_assigned"]), J.bearer(w["tokens"]["juror_unassigned"])
    with TestClient(create_app(settings)) as c:
        draft = c.get("/assignments/draft", headers=org).json()
        r = c.post("/assignments/draft/edits", headers=org, json={"expect_version": draft["version"], "edits": [
            {"op": "pin", "juror": "jc", "entry": e}]})
        assert r.status_code == 409 and r.json()["code"] == "conflict_of_interest"
        r = c.post("/assignments/draft/edits", headers=org, json={"expect_version": draft["version"] + 5, "edits": [
            {"op": "pin", "juror": "ju", "entry": e}]})
        assert r.status_code == 409 and r.json()["code"] == "stale_assignment"
        r = c.post("/assignments/draft/edits", headers=org, json={"expect_version": draft["version"], "edits": [
            {"op": "pin", "juror": "ju", "entry": e}, {"op": "pin", "juror": "ja", "entry": e},
            {"op": "forbid", "juror": "ja", "entry": f}]})
        assert r.status_code == 201
        v = r.json()["version"]
        r = c.post("/assignments/draft/resolve", headers=org, json={"expect_version": v})
        assert r.status_code == 201, r.text
        solved = r.json()
        assert {"ju", "ja"} <= {x["juror"] for x in solved["entries"][e]["jurors"]}  # the pins held
        assert "ja" not in [x["juror"] for x in solved["entries"][f]["jurors"]]  # the forbid held
        assert "jc" not in [x["juror"] for x in solved["entries"][e]["jurors"]]  # the conflict stayed blocked
        r = c.post("/assignments/publish", headers=org, json={"expect_version": solved["version"]})
        assert r.status_code == 201 and f"ju:{e}" in r.json()["changes"]["added"]
        mine = c.get("/assignments/mine", headers=ju).json()
        assert entry_code(e) in mine["entries"] and entry_code(e) in mine["added"]
        assert c.get(f"/entries/{entry_code(e)}", headers=ju).status_code == 200  # jurors see the change
        assert any(a["action"] == "assignment_published" and a["actor"] == "organizer"
                   for a in c.get("/audit", headers=org, params={"limit": 500}).json()["items"])

        note = c.get(f"/entries/{entry_code(e)}/note", headers=ja).json()
        assert note["entry_id"] == entry_code(e) and note["sentences"][0]["text"].startswith("[…]")
        assert "Қарағанды" in c.get(f"/entries/{e}/note", headers=org).json()["sentences"][0]["text"]
        r = c.post(f"/entries/{entry_code(e)}/note/feedback", headers=ja, json={"sentence": 0, "verdict": "wrong"})
        assert r.status_code == 201 and e not in r.text
        r = c.post("/flags/duplicates/review", headers=org, json={"a": e, "b": f, "kind": "paraphrase",
                                                                  "verdict": "dismiss", "comment": "different"})
        assert r.status_code == 201
        flags = c.get("/flags/duplicates", headers=org).json()["items"]
        assert flags[0]["status"] == "draft" and flags[0]["review"]["verdict"] == "dismiss"
        check = c.get(f"/entries/{e}", headers=org).json()["checks"][0]["name"]
        r = c.post(f"/entries/{e}/checks/{check}/review", headers=org, json={"verdict": "override", "comment": "x"})
        assert r.status_code == 201 and r.json()["target"] == f"check:{e}:{check}"

        body = {"scores": {"innovation": {"value": 6}, "feasibility": {"value": 2, "comment": "ok"}}}
        assert c.put(f"/entries/{entry_code(e)}/review", headers=ja, json=body).status_code == 200
        assert c.post(f"/entries/{entry_code(e)}/review/submit", headers=ja).json()["status"] == "submitted"
        r = c.put(f"/entries/{entry_code(e)}/review", headers=ja, json=body)
        assert r.status_code == 409 and r.json()["code"] == "review_submitted"
        r = c.post(f"/entries/{e}/reviews/ja/reopen", headers=org, json={"reason": "asked to fix a comment"})
        assert r.status_code == 200 and r.json()["status"] == "draft"
        assert c.post(f"/entries/{entry_code(e)}/review/submit", headers=ja).status_code == 200
        scores = list(csv.DictReader(io.StringIO(c.get("/exports/scores.csv", headers=org).text.lstrip("\ufeff"))))
        assert {(s["juror"], s["criterion"], float(s["value"])) for s in scores} == {
            ("ja", "innovation", 6.0), ("ja", "feasibility", 2.0)}
        own = c.get("/exports/my-scores.csv", headers=ja).text
        assert entry_code(e) in own and e not in own and "Жолдасбекова" not in own
        assert c.get("/audit/verify", headers=org).json()["intact"]


def test_results_maths():
    """A harsh and a lenient juror: raw means rank what the lenient juror liked first, z means the entry both
    rated above their own average; ties and wide disagreement are flagged; entries without reviews have none."""
    criteria = [{"id": "a", "weight": 2, "min": 0, "max": 10}, {"id": "b", "weight": 1, "min": 0, "max": 10}]

    def review(entry, juror, v):
        return {"entry_id": entry, "juror_id": juror, "rubric_version": 1,
                "scores": {"a": {"value": v}, "b": {"value": v}}}  # total = 3 v

    reviews = [review("e1", "harsh", 2), review("e2", "harsh", 4), review("e4", "harsh", 4),  # 6, 12, 12
               review("e2", "lenient", 9), review("e3", "lenient", 7), review("e4", "lenient", 1),
               review("e6", "lenient", 7)]  # 27, 21, 3, 21
    out = {r.entry_id: r for r in compute(["e1", "e2", "e3", "e4", "e5", "e6"], reviews, {1: criteria},
                                          {"e2": 2, "e5": 3}, disagreement=0.25)}
    assert [t.total for t in out["e2"].totals] == [12, 27] and out["e2"].raw_mean == 19.5
    assert out["e2"].submitted == 2 and out["e2"].required == 2 and out["e5"].required == 3
    harsh_sd, lenient_sd = 8 ** 0.5, 9.0  # population SDs of (6, 12, 12) and (27, 21, 3, 21)
    assert out["e1"].totals[0].z == pytest.approx((6 - 10) / harsh_sd, abs=1e-6)
    assert out["e2"].z_mean == pytest.approx(((12 - 10) / harsh_sd + (27 - 18) / lenient_sd) / 2, abs=1e-4)
    assert {e: out[e].rank_raw for e in out} == {"e3": 1, "e6": 1, "e2": 3, "e4": 4, "e1": 5, "e5": None}
    assert {e: out[e].rank_z for e in out} == {"e2": 1, "e3": 2, "e6": 2, "e4": 4, "e1": 5, "e5": None}
    assert out["e3"].tie_raw and out["e6"].tie_raw and not out["e2"].tie_raw
    assert out["e2"].disagreement and out["e4"].disagreement  # spreads 15 and 9 of 30 > 25 %
    assert not out["e1"].disagreement and out["e5"].raw_mean is None and out["e5"].spread is None
