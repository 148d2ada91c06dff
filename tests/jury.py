"""Helpers for the jury-service tests: accounts, sessions (also expired ones), a rubric, a published assignment
and a screened set of entries — all through the service's own storage and functions, no models loaded."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from review_service.contest import accounts as people
from review_service.contest import assignments, scoring
from review_service.contest.accounts import Principal
from review_service.contest.permissions import entry_code  # noqa: F401 - used by the tests through this module
from review_service.storage import Database
from review_service.storage.account_store import PeopleStore

RUBRIC = [
    {"id": "innovation", "name": {"kk": "Жаңашылдық", "ru": "Новизна", "en": "Innovation"}, "weight": 2,
     "min": 0, "max": 10, "step": 1},
    {"id": "feasibility", "name": {"kk": "Іске асыру", "ru": "Реализуемость", "en": "Feasibility"}, "weight": 1,
     "min": 0, "max": 5, "step": 0.5, "comment_required": True},
]
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def add(db: Database, login: str, role: str, juror_id: str | None = None) -> Principal:
    """An account (a juror's profile joins the jury's roster first, as `users import` does)."""
    if juror_id is not None:
        PeopleStore(db).save_jury([{"id": juror_id, "name": juror_id}], "test")
    user = people.add_user(db, login=login, role=role, password=f"pw-{login}-123", actor="test", juror_id=juror_id)
    return Principal(user["id"], login, role, juror_id, login)


def run_cli(settings, monkeypatch, argv: list[str], stdin: str = "") -> int:
    """``review-service ARGV`` in this process, on ``settings``' data dir, with ``stdin`` as standard input."""
    import io
    import sys

    from review_service.commands import cli
    from review_service.core.config import get_settings

    monkeypatch.setenv("REVIEW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    get_settings.cache_clear()
    try:
        return cli.main(argv)
    finally:
        get_settings.cache_clear()


def token(db: Database, login: str, *, hours: float = 1.0) -> str:
    """A session for ``login`` (negative hours: an already expired one), made through storage."""
    user = PeopleStore(db).user(login)
    raw = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")
    PeopleStore(db).add_session(user, people.token_digest(raw), expires)
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def rubric(db: Database, actor: Principal) -> dict:
    return scoring.publish_rubric(db, [scoring.Criterion(**c) for c in RUBRIC], actor)


def suggestion(entry_ids: list[str], juror_ids: list[str], k: int = 2, conflicts: tuple = ()) -> dict:
    """An AI suggestion as `screen` stores it (round-robin jurors, a small affinity matrix, conflicts)."""
    conflicted = {(c["juror"], c["entry"]) for c in conflicts}
    entries, n = {}, 0
    for e in entry_ids:
        rows = []
        while len(rows) < k:
            j = juror_ids[n % len(juror_ids)]
            n += 1
            if (j, e) not in conflicted and all(r["juror"] != j for r in rows):
                rows.append({"juror": j, "name": j, "affinity": 0.5, "pinned": False})
        entries[e] = {"title": "", "language": "ru", "jurors": rows, "mean_affinity": 0.5}
    affinity = [[round(0.3 + 0.05 * ((a * 7 + b * 3) % 10), 3) for b in range(len(entry_ids))]
                for a in range(len(juror_ids))]
    allowed = [[0 if (j, e) in conflicted else 1 for e in entry_ids] for j in juror_ids]
    return {"format": "review-service/assignment-suggestion@1", "status": "draft", "entries": entries,
            "conflicts": list(conflicts), "pinned": [], "forbidden": [],
            "provenance": {"model": "test", "input_hash": "sha256:test", "created_at": "2026-11-16T09:00:00+00:00"},
            "matrix": {"jurors": juror_ids, "entries": entry_ids, "affinity": affinity, "allowed": allowed, "k": k,
                       "min_load": [0] * len(juror_ids), "max_load": [len(entry_ids)] * len(juror_ids)}}


def publish(db: Database, organizer: Principal, payload: dict | None = None) -> dict:
    """Publish the current draft (or ``payload`` as a new draft first: a test may force any pairs)."""
    if payload is not None:
        from review_service.storage.jury_store import JuryStore

        JuryStore(db).add_assignment("draft", payload, organizer.login, "test", action="assignment_draft_edited")
    draft = assignments.current_draft(db)
    if payload is not None:  # a forced payload skips publish()'s conflict check on purpose
        from review_service.storage.jury_store import JuryStore

        return JuryStore(db).add_assignment("published", draft["payload"], organizer.login, "test",
                                            action="assignment_published")
    return assignments.publish(db, organizer, expect_version=draft["version"])


def screen_texts(folder: Path, settings, texts: dict[str, str], forms: Path | None = None) -> list[str]:
    """Entries screened without AI stages (no model loaded); their ids in file order."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen
    from tests import files as F

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        F.make_text(folder / name, text)
    result = run_screen(folder, settings, ScreenOptions(stages=(), progress=False, forms=forms))
    return [r["entry_id"] for r in result.report["files"]]


FORMS_HEADER = "file_name,surname,name,age,library,library_type,region,contact,participation,team_members,project_title,received_at\n"
APPLICANTS = [  # three fictional applicants: their personal fields must never reach a juror in blind mode
    ("ЖИ байқауы_Жолдасбекова.txt", "Жолдасбекова", "Меруерт", "29", "Қарағанды облыстық ғылыми кітапханасы",
     "Қарағанды облысы", "meruert.zh@example.org, +7 721 200 44 10",
     "Библиотека открыла чат-бот для читателей и обучает его на каталоге."),
    ("ЖИ байқауы_Крылов.txt", "Крылов", "Артём", "31", "Центральная библиотека Павлодара", "Павлодарская область",
     "a.krylov@example.org, +7 718 200 55 21",
     "Проект оцифровки краеведческих газет с распознаванием текста."),
    ("ЖИ байқауы_Smith.txt", "Smith", "Dana", "27", "Shymkent University Library", "Түркістан облысы",
     "dana.smith@example.org, +7 725 200 66 32",
     "A reading recommendation service for first-year students."),
]


def personal_strings() -> list[str]:
    out = []
    for file_name, surname, name, age, library, region, contact, _ in APPLICANTS:
        out += [surname, f"{name} {surname}", library, region, *[c.strip() for c in contact.split(",")],
                file_name, f'"age": "{age}"', f"age: {age}"]
    return out


def build_world(db: Database, settings, folder: Path) -> dict:
    """Three screened entries with forms; admin, organizer and jurors ja (assigned to E), ju (not on E),
    jc (put on E by the publication but in conflict with it), jd (on E, then disabled); a rubric; AI drafts
    (suggestion with the conflict, duplicates, a note for E); a published assignment."""
    forms = folder / "forms.csv"
    folder.mkdir(parents=True, exist_ok=True)
    forms.write_text(FORMS_HEADER + "".join(
        f'{f},{s},{n},{a},{lib},public_mcib,{reg},"{c}",individual,,Project {i},2026-10-05T10:15:00+05:00\n'
        for i, (f, s, n, a, lib, reg, c, _) in enumerate(APPLICANTS)), encoding="utf-8")
    ids = screen_texts(folder / "entries", settings, {f: t for f, *_, t in APPLICANTS}, forms=forms)
    by_name = {r["file_name"]: r["entry_id"] for r in db.submissions()}
    e, f, g = (by_name[a[0]] for a in APPLICANTS)
    admin, organizer = add(db, "admin", "admin"), add(db, "organizer", "organizer")
    jurors = {j: add(db, j, "juror", j) for j in ("ja", "ju", "jc", "jd")}
    rubric(db, organizer)
    conflict = {"juror": "jc", "entry": e, "kind": "declared", "reason": "conflict declared by the juror"}
    db.save_ai_result("assignment_suggestion", suggestion([e, f, g], list(jurors), k=2, conflicts=(conflict,)),
                      {"model": "test", "input_hash": "sha256:test"})
    db.save_ai_result("duplicates", [{"a": e, "b": f, "kind": "paraphrase", "score": 0.91, "evidence": [],
                                      "b_is_archive": False, "a_name": APPLICANTS[0][0], "b_name": APPLICANTS[1][0],
                                      "status": "draft"}], {"model": "test", "input_hash": "h"})
    note = {"doc_id": e, "lang": "ru", "disclaimer": "AI draft", "summary_mode": "extractive",
            "file_name": APPLICANTS[0][0], "provenance": {"model": "test"},
            "summary": [{"text": f"{APPLICANTS[0][4]} открыла чат-бот.", "anchors": ["section 1"],
                         "origin": "extractive"},
                        {"text": "Бот обучен на каталоге.", "anchors": ["section 1"], "origin": "extractive"}],
            "questions": [{"text": "Сколько читателей пользуются ботом?", "anchors": [], "origin": "generated"}]}
    db.save_ai_result("notes", [note], {"model": "test", "input_hash": "h"})
    payload = assignments.draft_from_suggestion(db.latest_ai_result("assignment_suggestion")["payload"])
    payload["entries"] = {
        e: {"jurors": [_row("ja"), _row("jc"), _row("jd")]}, f: {"jurors": [_row("ju"), _row("ja")]},
        g: {"jurors": [_row("ju")]}}
    publish(db, organizer, payload)
    tokens = {"admin": token(db, "admin"), "organizer": token(db, "organizer"), "juror_assigned": token(db, "ja"),
              "juror_unassigned": token(db, "ju"), "juror_conflict": token(db, "jc"),
              "disabled": token(db, "jd"), "expired": token(db, "ja", hours=-1)}
    PeopleStore(db).set_disabled("jd", True, "test")
    add(db, "victim", "organizer")
    return {"E": e, "F": f, "G": g, "ids": ids, "tokens": tokens, "admin": admin, "organizer": organizer,
            "jurors": jurors}


def _row(juror: str) -> dict:
    return {"juror": juror, "affinity": 0.5, "pinned": False, "source": "organizer", "explanation": None}


class FakeSearch:
    """The search engine's interface without the embedder (the real one is tested in test_search.py)."""

    def search(self, q, k=10, filters=None):
        from review_service.search.hits import SearchResult

        return SearchResult(query=q, hits=(), facets={}, candidates=0, filters=filters or {})

    def more_like_this(self, doc_id, k=10):
        return self.search(doc_id, k=k)


def staff_headers(settings, login: str = "organizer") -> dict[str, str]:
    """An organizer account in ``settings``' database and a bearer header for it (for tests of other routes)."""
    from review_service.storage import open_database

    db = open_database(settings)
    try:
        if PeopleStore(db).user(login) is None:
            add(db, login, "organizer")
        return bearer(token(db, login))
    finally:
        db.close()
