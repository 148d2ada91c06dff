"""Every page in kk and ru, for an organizer and a juror, on the screened sample (every AI stage, extractive notes),
and report.html in kk and ru: no word of the English catalog that is not also the page language's, no identifier
(``snake_case``, ``system:…``, ISO timestamps), no "none", no fixed note sentence of another language
(tests/wording.py). The entries' own texts, the forms' values and the jurors' profiles are taken out first: they
are shown as written."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.batches.batch import ScreenOptions
from review_service.batches.pipeline import run_screen
from review_service.batches.report import render_html
from review_service.contest import permissions
from review_service.core.config import Settings
from review_service.server import create_app
from review_service.stages.notes.phrases import PHRASES, QUESTIONS
from review_service.stages.notes.sentences import note_sentences
from review_service.storage import open_database
from tests import jury as J
from tests.pages import client_sign_in
from tests.wording import problems

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LANGS = ("kk", "ru")


def content_of(db, settings) -> list[str]:
    """Texts people wrote: entries (blocks, titles, file names), form values, the archive, jurors' profiles, and
    the note sentences quoted from entries."""
    from review_service.contest import drafts
    from review_service.intake.receive import cached_parse

    out: list[str] = []
    for record in db.submissions():
        out += [record["file_name"], record["entry_id"], permissions.entry_code(record["entry_id"])]
        out += [str(v) for v in (record.get("form") or {}).values()]
        for part in str((record.get("form") or {}).get("contact", "")).split(","):
            out.append(part.strip())
        parsed = cached_parse(record["sha256"], settings, db) if record.get("sha256") else None
        for block in parsed.blocks if parsed else ():
            out += [block.text, *block.text.splitlines()]
        note = drafts.entry_note(db, record["entry_id"])
        out += [s["text"] for s in note_sentences(note) if s["origin"] != "template"] if note else []
    for stored in db.ai_results_per_batch("assignment_suggestion"):  # words the explanations quote from texts
        for row in (stored["payload"] or {}).get("entries", {}).values():
            for j in row.get("jurors", []):
                out += [f"«{t}»" for t in ((j.get("explanation") or {}).get("shared_terms") or [])]
                out.append(str((j.get("explanation") or {}).get("profile_title") or ""))
        for conflict in (stored["payload"] or {}).get("conflicts", []):  # the names a conflict compares
            out += [f"«{v}»" for v in (conflict.get("params") or {}).values()]
    for line in (SAMPLE / "archive.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out += [str(v) for v in row.values()]
    for line in (SAMPLE / "jurors.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out += [str(row.get(k, "")) for k in ("id", "name", "library", "region", "organization", "expertise")]
        for work in row.get("works", []) or row.get("profile", []) or []:
            out += [str(v) for v in (work.values() if isinstance(work, dict) else [work])]
    return out


def report_names(report: dict) -> list[str]:
    """What a report names as written: the folder screened, the models and their revisions."""
    return [str(report.get("source", "")), *(str(p.get(k, "")) for p in report.get("provenance", {}).values()
                                              for k in ("model", "model_revision", "prompt", "prompt_version"))]


def foreign(lang: str) -> list[str]:
    """The fixed note sentences of the languages other than ``lang``."""
    return [t[o] for table in (PHRASES, QUESTIONS) for t in table.values() for o in t if o != lang
            and t[o] != t.get(lang) and "{" not in t[o]]


def build_sample(tmp: Path, monkeypatch) -> dict:
    """The sample screened with every stage (MiniLM embeds: the wording does not depend on the embedder, and it is
    ~10x cheaper), an organizer, the jury imported, the assignment published, a queued batch job."""
    from review_service.batches.job_runner import submit

    settings = Settings(environment="test", data_dir=tmp / "var", ocr="off", render_originals="off",
                        generator_backend="none", scoring_deadline=J.FUTURE, embedder="all-minilm-l6-v2",
                        query_encoder="eager")
    assert J.run_cli(settings, monkeypatch, ["users", "add", "serik", "--role", "organizer", "--name", "Серік"],
                     "organizer-password\n") == 0
    passwords = tmp / "passwords.csv"
    assert J.run_cli(settings, monkeypatch, ["users", "import", str(SAMPLE / "jurors.jsonl"), "--passwords",
                                             str(passwords)]) == 0
    one_time = {row["login"]: row["password"] for row in csv.DictReader(passwords.open(encoding="utf-8"))}
    result = run_screen(SAMPLE / "entries", settings, ScreenOptions(
        forms=SAMPLE / "forms.csv", archive=SAMPLE / "archive.jsonl", jurors=SAMPLE / "jurors.jsonl",
        progress=False))
    db = open_database(settings)
    submit(db, SAMPLE / "entries", ScreenOptions(progress=False))  # a queued job: its page
    db.close()
    return {"settings": settings, "passwords": one_time, "report": result.report}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    world = build_sample(tmp_path_factory.mktemp("wording"), monkeypatch)
    db = open_database(world["settings"])
    yield {**world, "db": db}
    monkeypatch.undo()
    db.close()


def _pages(client: TestClient, paths: list[str], lang: str) -> dict[str, str]:
    out = {}
    for path in paths:
        r = client.get(path, params={"lang": lang})
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
        if r.headers["content-type"].startswith("text/html"):
            out[path] = r.text
    return out


def crawl(settings, db, passwords: dict[str, str]) -> list[str]:
    """Every page in kk and ru for the organizer, then for the juror with the most entries (the assignment is
    published first if it is not yet): the problems found on each."""
    content = content_of(db, settings)
    found: list[str] = []
    with TestClient(create_app(settings)) as client:
        token = client_sign_in(client, "serik", "organizer-password")
        if db.latest_assignment("published") is None:
            draft = db.latest_assignment("draft")
            r = client.post("/org/assignment/publish", follow_redirects=False, data={
                "csrf_token": token, "note": "stage 2", "expect_version": str(draft["version"] if draft else 0)})
            assert r.status_code == 303, r.text[:300]
        entries = [r["entry_id"] for r in db.submissions()]
        jobs = [j["id"] for j in db_jobs(db)]
        org_paths = ["/", "/org", "/org/assignment", "/org/audit", "/org/batches", "/org/decisions",
                     "/org/duplicates", "/org/entries", "/org/results", "/org/rubric", "/org/search?q=чат-бот",
                     "/org/themes", "/org/users", "/account/password",
                     *(f"/org/entries/{e}" for e in entries), *(f"/org/batches/{j}" for j in jobs)]
        for lang in LANGS:
            for path, html in _pages(client, org_paths, lang).items():
                found += [f"organizer {lang} {path}: {p}" for p in problems(html, lang, content, foreign(lang))]
        published = db.latest_assignment("published")
        assert published is not None
        juror = _a_juror(published)
        client.cookies.clear()
        client_sign_in(client, juror, passwords[juror])
        mine = [permissions.entry_code(e) for e, row in published["payload"]["entries"].items()
                if any(j["juror"] == juror for j in row["jurors"])]
        assert mine
        for lang in LANGS:
            for path, html in _pages(client, ["/", "/my", "/account/password", *(f"/my/{k}" for k in mine)],
                                     lang).items():
                found += [f"juror {lang} {path}: {p}" for p in problems(html, lang, content, foreign(lang))]
    return found


def test_every_page_speaks_the_readers_language(sample):
    found = crawl(sample["settings"], sample["db"], sample["passwords"])
    assert found == [], "\n".join(found[:80]) + f"\n… {len(found)} in all"


def _a_juror(published: dict) -> str:
    counts: dict[str, int] = {}
    for row in published["payload"]["entries"].values():
        for j in row["jurors"]:
            counts[j["juror"]] = counts.get(j["juror"], 0) + 1
    return max(sorted(counts), key=counts.get)


def db_jobs(db) -> list[dict]:
    from review_service.storage.job_store import JobStore

    return JobStore(db).list()


@pytest.mark.parametrize("lang", LANGS)
def test_report_speaks_the_readers_language(sample, lang):
    content = content_of(sample["db"], sample["settings"])
    html = render_html(sample["report"], lang)
    found = problems(html, lang, content + report_names(sample["report"]), foreign(lang))
    assert found == [], "\n".join(found[:80]) + f"\n… {len(found)} in all"
