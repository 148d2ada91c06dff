"""Helpers for the jury-service tests: accounts, sessions (also expired ones), a rubric, a published assignment
and a screened set of entries — all through the service's own storage and functions, no models loaded."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from review_service import assignments, people, scoring
from review_service.people import Principal
from review_service.storage import Database
from review_service.storage.people import PeopleStore

RUBRIC = [
    {"id": "innovation", "name": {"kk": "Жаңашылдық", "ru": "Новизна", "en": "Innovation"}, "weight": 2,
     "min": 0, "max": 10, "step": 1},
    {"id": "feasibility", "name": {"kk": "Іске асыру", "ru": "Реализуемость", "en": "Feasibility"}, "weight": 1,
     "min": 0, "max": 5, "step": 0.5, "comment_required": True},
]
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def add(db: Database, login: str, role: str, juror_id: str | None = None) -> Principal:
    user = people.add_user(db, login=login, role=role, password=f"pw-{login}-123", actor="test", juror_id=juror_id)
    return Principal(user["id"], login, role, juror_id, login)


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
        from review_service.storage.jury import JuryStore

        JuryStore(db).add_assignment("draft", payload, organizer.login, "test", action="assignment_draft_edited")
    draft = assignments.current_draft(db)
    if payload is not None:  # a forced payload skips publish()'s conflict check on purpose
        from review_service.storage.jury import JuryStore

        return JuryStore(db).add_assignment("published", draft["payload"], organizer.login, "test",
                                            action="assignment_published")
    return assignments.publish(db, organizer, expect_version=draft["version"])


def screen_texts(folder: Path, settings, texts: dict[str, str], forms: Path | None = None) -> list[str]:
    """Entries screened without AI stages (no model loaded); their ids in file order."""
    from review_service.pipeline import ScreenOptions, run_screen
    from tests import files as F

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        F.make_text(folder / name, text)
    result = run_screen(folder, settings, ScreenOptions(stages=(), progress=False, forms=forms))
    return [r["entry_id"] for r in result.report["files"]]
