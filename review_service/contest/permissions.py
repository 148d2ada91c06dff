"""Who may do what, decided here and nowhere else.

Two levels. **Roles** (:data:`RULES`): each action names the roles that may take it. **Objects**: a juror
reads and scores only the entries of the latest *published* assignment for them that are not in conflict with
them (conflicts of interest from the suggestion and the assignment; a conflict wins over an assignment) and on
which they have not declared a conflict or abstained themselves (:mod:`review_service.contest.declarations`);
organizers and admins see everything. An entry a juror may not see answers 404, like one that does not exist.

**Blind review** (``REVIEW_BLIND_REVIEW``, on by default): nothing sent to a juror holds an applicant's
personal fields (name, surname, e-mail, phone, age, library, region, the surname in the file name, the
application form). Entries are shown to jurors under a stable neutral code (:func:`entry_code`) and every
response built for a juror goes through :func:`project_entry` / :func:`scrub`, which also replace any personal
value that slipped into free text with ``[…]``: found by :mod:`review_service.core.personal` (:func:`matcher`), so a
surname in another case form or script, a library spelled otherwise than in the form («Жалағаш аудандық
кітапханасы»), any e-mail address or phone number is caught too. The originals served are redacted with the same
matcher (:mod:`review_service.intake.redaction`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound, PermissionDenied
from review_service.core.personal import Matcher
from review_service.storage import Database
from review_service.storage.say_store import SayStore

STAFF = frozenset({"admin", "organizer"})
EVERYONE = frozenset({"admin", "organizer", "juror"})
JUROR = frozenset({"juror"})
ADMIN = frozenset({"admin"})

RULES: dict[str, frozenset[str]] = {
    "me": EVERYONE,
    "entries.read": EVERYONE,  # jurors: their published, conflict-free entries only
    "notes.read": EVERYONE,  # the AI draft note of a readable entry
    "notes.feedback": EVERYONE,
    "rubric.read": EVERYONE,
    "review.read": EVERYONE,  # jurors: their own reviews only
    "review.write": JUROR,  # save, submit: a juror's own scores
    "review.declare": JUROR,  # a juror's own say on an entry: no conflict, a conflict of interest, abstain
    "declarations.read": STAFF,  # the jurors' declarations and the solver's suggested replacements
    "progress.read": STAFF,  # the progress board: every juror x entry cell
    "deadlines.extend": STAFF,  # a later scoring deadline for one juror or one entry
    "reminders.send": STAFF,  # e-mail the jurors with open cells, or the mail-merge CSV
    "review.reopen": STAFF,
    "decisions.read": STAFF,
    "decisions.write": STAFF,
    "rubric.write": STAFF,
    "drafts.read": STAFF,  # AI drafts hold file names, forms' facts and conflicts: organizers only
    "assignment.manage": STAFF,
    "assignment.mine": JUROR,
    "results.read": STAFF,
    "flags.review": STAFF,
    "audit.read": STAFF,
    "exports.all": STAFF,
    "exports.mine": JUROR,
    "batches.manage": STAFF,  # start, cancel, resume pre-screening jobs
    "batches.read": STAFF,
    "search": STAFF,  # past projects carry region, library type and outcomes: organizers only
    "users.read": STAFF,
    "users.manage": ADMIN,
    "editions.read": EVERYONE,  # jurors: the editions whose jury they are on
    "editions.manage": STAFF,  # create (as a copy), close into the archive
}
PERSONAL_FORM_FIELDS = ("name", "surname", "contact", "age", "library", "region", "team_members")
REDACTED = "[…]"
JUROR_ENTRY_FIELDS = ("format", "language", "script", "chunk_languages", "stats", "record_version")


def allowed(principal: Principal, action: str) -> bool:
    return principal.role in RULES[action]


def require(principal: Principal, action: str) -> Principal:
    if not allowed(principal, action):
        raise PermissionDenied(f"a {principal.role} may not do this ({action})",
                               hint=f"allowed for: {', '.join(sorted(RULES[action]))}")
    return principal


def entry_code(entry_id: str) -> str:
    """A stable neutral code for an entry (``E-7F3A9C``): derived from the id, says nothing about the applicant."""
    return "E-" + hashlib.sha256(f"entry-code\x00{entry_id}".encode()).hexdigest()[:6].upper()


DECLARED = {"conflict": "declared_conflict", "abstain": "abstained"}  # a juror's declaration → why a pair falls out


@dataclass(frozen=True)
class Standing:
    """The pairs that stand: the latest publication's (juror, entry) pairs, less those in conflict of interest
    (conflicts from the publication and from every batch's suggestion; a conflict wins) and those on which the
    juror declared a conflict or abstained (``declared``: pair → ``declared_conflict`` | ``abstained``)."""

    version: int | None
    published: frozenset[tuple[str, str]]
    conflicted: frozenset[tuple[str, str]]
    declared: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        """Published, not in conflict, not declared out: what a juror may reach and what results count."""
        return self.published - self.conflicted - frozenset(self.declared)


def pairs(payload: dict) -> set[tuple[str, str]]:
    """The (juror, entry) pairs of an assignment payload (a draft or a publication)."""
    return {(r["juror"], e) for e, entry in payload["entries"].items() for r in entry["jurors"]}


def standing(db: Database) -> Standing:
    pub = db.latest_assignment("published")
    published: set[tuple[str, str]] = set()
    conflicts: list[dict] = []
    version = None
    if pub is not None:
        version = pub["version"]
        published = pairs(pub["payload"])
        conflicts += pub["payload"].get("conflicts", [])
    for suggestion in db.ai_results_per_batch("assignment_suggestion"):
        conflicts += suggestion["payload"].get("conflicts", [])
    conflicted = {(c["juror"], c["entry"]) for c in conflicts} & published
    declared = {(d.juror_id, d.entry_id): DECLARED[d.kind] for d in SayStore(db).declarations() if d.kind in DECLARED}
    return Standing(version, frozenset(published), frozenset(conflicted), declared)


@dataclass(frozen=True)
class JurorScope:
    """What a juror may reach: the entries published for them, minus those in conflict with them and those they
    declared a conflict on or abstained from."""

    juror_id: str
    assigned: frozenset[str]
    conflicted: frozenset[str]
    version: int | None
    declared: frozenset[str] = frozenset()

    @property
    def entries(self) -> frozenset[str]:
        return self.assigned - self.conflicted - self.declared


def juror_scope(db: Database, juror_id: str) -> JurorScope:
    found = standing(db)
    return JurorScope(juror_id, frozenset(e for j, e in found.published if j == juror_id),
                      frozenset(e for j, e in found.conflicted if j == juror_id), found.version,
                      frozenset(e for j, e in found.declared if j == juror_id))


def resolve_entry_id(db: Database, key: str) -> str | None:
    """An entry id from an id or a neutral code (``E-…``)."""
    if db.submission(key) is not None:
        return key
    if re.fullmatch(r"E-[0-9A-F]{6}", key):
        for entry_id in db.entry_ids():
            if entry_code(entry_id) == key:
                return entry_id
    return None


def entry_for(db: Database, principal: Principal, key: str, action: str = "entries.read") -> tuple[str, dict]:
    """The entry ``key`` names, if ``principal`` may take ``action`` on it; 404 otherwise (even for jurors: an
    entry outside their scope is not said to exist)."""
    require(principal, action)
    entry_id = resolve_entry_id(db, key)
    record = db.submission(entry_id) if entry_id else None
    if record is not None and principal.role == "juror" and \
            entry_id not in juror_scope(db, principal.juror_id or "").entries:
        record = None
    if record is None:
        raise NotFound(f"no entry {key!r}", hint="GET /entries lists the entries you may see")
    return entry_id, record  # type: ignore[return-value]


def visible_entry_ids(db: Database, principal: Principal) -> set[str] | None:
    """None: every entry (staff); else the juror's scope."""
    require(principal, "entries.read")
    if principal.is_staff:
        return None
    return set(juror_scope(db, principal.juror_id or "").entries)


def blind_for(principal: Principal, blind_review: bool) -> bool:
    return blind_review and principal.role == "juror"


# -- projection: one place that shapes what a juror sees --------------------------------------------------------

def personal_values(record: dict) -> list[str]:
    """The applicant's personal values in a screening record: form fields and the surname in the file name."""
    values: list[str] = []
    form = record.get("form") or {}
    for key in PERSONAL_FORM_FIELDS:
        raw = str(form.get(key) or "").strip()
        if not raw:
            continue
        values.append(raw)
        if key in ("contact", "team_members"):
            values += [p.strip() for p in re.split(r"[,;]", raw) if p.strip()]
    if form.get("name") and form.get("surname"):
        values += [f"{form['name']} {form['surname']}", f"{form['surname']} {form['name']}"]
    stem = str(record.get("file_name") or "").rsplit(".", 1)[0]
    if "_" in stem:
        values.append(stem.rsplit("_", 1)[1])
    values.append(str(record.get("file_name") or ""))
    out = {unicodedata.normalize("NFC", v) for v in values if len(v) >= 3 and not v.isdigit()}
    return sorted(out, key=len, reverse=True)


def matcher(*records: dict) -> Matcher:
    """The matcher of the applicants' personal values in ``records`` (the entry's, and those of entries shown
    beside it): names in their case forms and either script, places by their distinctive words, contacts, and
    every value of :func:`personal_values` literally."""
    names, places, contacts, literals = [], [], [], []
    for record in records:
        form = record.get("form") or {}
        names += [str(form.get(k) or "") for k in ("name", "surname", "team_members")]
        places += [str(form.get(k) or "") for k in ("library", "region")]
        contacts += [p for p in re.split(r"[,;]", str(form.get("contact") or "")) if p.strip()]
        stem = str(record.get("file_name") or "").rsplit(".", 1)[0]
        if "_" in stem:
            names.append(stem.rsplit("_", 1)[1])
        literals += personal_values(record)
    return Matcher.build(names=names, places=places, contacts=contacts, literals=literals)


def scrub(value: Any, secrets: Iterable[str] | Matcher) -> Any:
    """``value`` with every personal value in any string replaced by ``[…]``: ``secrets`` is a :func:`matcher`,
    or values looked for literally (case-insensitive) and as e-mail addresses and phone numbers."""
    found = secrets if isinstance(secrets, Matcher) else Matcher.build(literals=[s for s in secrets if s])

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return found.redact(v, REDACTED)[0]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)


def public_id(entry_id: str, principal: Principal, blind_review: bool) -> str:
    """The id an entry is shown under: its code for a juror in blind mode, else the id itself."""
    return entry_code(entry_id) if blind_for(principal, blind_review) else entry_id


def project_entry(record: dict, principal: Principal, blind_review: bool) -> dict:
    """A screening record as ``principal`` may see it (the only place that redacts an entry)."""
    code = entry_code(record["entry_id"])
    if not blind_for(principal, blind_review):
        return {**record, "code": code}
    kept = {k: record.get(k) for k in JUROR_ENTRY_FIELDS if k in record}
    out: dict[str, Any] = {
        "entry_id": code, "code": code, "file_name": f"{code}.{record.get('format') or 'file'}",
        "status": "ok" if record.get("status") == "ok" else "needs_attention", "reasons": [], "checks": [],
        "blind": True, **kept}
    return scrub(out, matcher(record))
