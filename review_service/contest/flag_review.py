"""People reviewing what the AI flagged: duplicate flags (confirm / dismiss), pre-checks (uphold / override),
draft-note sentences (helpful / wrong). Each verdict is a new audited record; the AI draft itself is never
edited. The latest verdict on a target stands.
"""
from __future__ import annotations

from review_service.contest import drafts
from review_service.contest.accounts import Principal
from review_service.core.errors import InputError, NotFound
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore
from review_service.storage.records import FlagReview

VERDICTS = {"duplicate": ("confirm", "dismiss"), "precheck": ("uphold", "override"), "note": ("helpful", "wrong")}


def duplicate_key(flag: dict) -> str:
    return f"dup:{flag['a']}|{flag['b']}|{flag['kind']}"


def duplicate_flags(db: Database) -> list[dict]:
    """The standing duplicate flags of every batch (:func:`review_service.contest.drafts.duplicate_flags`)."""
    return drafts.duplicate_flags(db)


def latest_verdicts(db: Database, kind: str, prefix: str | None = None) -> dict[str, FlagReview]:
    """Target → the latest verdict on it (the one that stands)."""
    return {row.target: row for row in JuryStore(db).flag_reviews(kind, prefix)}


def shown_status(record: dict, verdicts: dict[str, FlagReview]) -> str:
    """The entry's status as the people left it: a pre-check an organizer overrode no longer needs attention (an
    upheld one still does, and so does an intake reason); a file that could not be read stays ``failed``.
    ``verdicts``: :func:`latest_verdicts` of kind ``precheck`` (for this entry or all)."""
    if record.get("status") == "failed" or not record.get("format"):
        return "failed"
    prefix = f"check:{record['entry_id']}:"

    def standing(check: dict) -> bool:
        verdict = verdicts.get(prefix + str(check.get("name")))
        return check.get("outcome") != "pass" and (verdict is None or verdict.verdict != "override")

    return "needs_attention" if record.get("reasons") or any(map(standing, record.get("checks", []))) else "ok"


def _check(kind: str, verdict: str, comment: str) -> None:
    if verdict not in VERDICTS[kind]:
        raise InputError(f"a {kind} verdict is one of: {', '.join(VERDICTS[kind])}")
    if kind != "note" and not comment.strip():
        raise InputError("say why, in a comment (it goes into the audit trail)")


def review_duplicate(db: Database, *, a: str, b: str, kind: str, verdict: str, comment: str,
                     actor: Principal) -> FlagReview:
    _check("duplicate", verdict, comment)
    flag = next((f for f in duplicate_flags(db) if (f["a"], f["b"], f["kind"]) == (a, b, kind)), None)
    if flag is None:
        raise NotFound(f"no duplicate flag {a} / {b} ({kind})", hint="GET /flags/duplicates lists them")
    key = duplicate_key(flag)
    prior = latest_verdicts(db, "duplicate").get(key)
    return JuryStore(db).add_flag_review("duplicate", key, verdict, comment.strip(), actor.login,
                                         before={"verdict": prior.verdict} if prior else {"ai": "flagged"})


def review_precheck(db: Database, *, entry_id: str, record: dict, check: str, verdict: str, comment: str,
                    actor: Principal) -> FlagReview:
    _check("precheck", verdict, comment)
    found = next((c for c in record.get("checks", []) if c.get("name") == check), None)
    if found is None:
        raise NotFound(f"no pre-check {check!r} on this entry")
    key = f"check:{entry_id}:{check}"
    return JuryStore(db).add_flag_review("precheck", key, verdict, comment.strip(), actor.login,
                                         before={"outcome": found.get("outcome"), "reason": found.get("reason")})


def review_note_sentence(db: Database, *, entry_id: str, sentence: int, n_sentences: int, verdict: str,
                         comment: str, actor: Principal) -> FlagReview:
    _check("note", verdict, comment)
    if not 0 <= sentence < n_sentences:
        raise InputError(f"the note has sentences 0–{n_sentences - 1}")
    key = f"note:{entry_id}:{sentence}:{actor.login}"
    return JuryStore(db).add_flag_review("note", key, verdict, comment.strip(), actor.login)
