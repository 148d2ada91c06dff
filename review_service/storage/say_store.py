"""The juror's own say and the organizers' deadlines: declarations (no conflict / conflict / abstain) per
(juror, entry), deadline extensions per juror or entry, and an account's e-mail and interface language.

Rows only; the rules live in :mod:`review_service.contest.declarations` and :mod:`review_service.contest.progress`.
Every declaration and extension is audited in its own transaction, the juror (or organizer) as the actor. A
round or edition id can join both tables later as a column.
"""
from __future__ import annotations

import sqlalchemy as sa

from review_service.core.errors import NotFound, StateConflict
from review_service.storage import tables as t
from review_service.storage.db import Database, now
from review_service.storage.records import Declaration, Extension

FINAL = ("conflict", "abstain")  # a declaration of these kinds is not changed by the juror again


class SayStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- declarations -----------------------------------------------------------------------------------------
    def declare(self, entry_id: str, juror_id: str, kind: str, reason: str, note: str, actor: str) -> Declaration:
        """The juror's declaration on an entry: a first one, or a conflict / abstention after "no conflict";
        a conflict or abstention already made stands (409 ``already_declared``)."""
        stamp = now()
        d = t.juror_declarations.c
        with self.db.transaction() as conn:
            prior = conn.execute(sa.select(t.juror_declarations).where(d.entry_id == entry_id, d.juror_id == juror_id)
                                 ).mappings().first()
            if prior is not None and (prior["kind"] in FINAL or kind == prior["kind"]):
                raise StateConflict(f"already declared on this entry ({prior['kind']})", code="already_declared",
                                    hint="an organizer can see it on the progress board")
            row = {"kind": kind, "reason": reason, "note": note, "actor": actor, "at": stamp}
            if prior is None:
                did = conn.execute(t.juror_declarations.insert().values(entry_id=entry_id, juror_id=juror_id, **row)
                                   .returning(d.id)).scalar_one()
            else:
                did = prior["id"]
                conn.execute(t.juror_declarations.update().where(d.id == did).values(**row))
            self.db.append_audit(conn, actor=actor, action="juror_declared", subject=entry_id, at=stamp,
                                 detail={"juror": juror_id},
                                 before={"kind": prior["kind"]} if prior is not None else None,
                                 after={"kind": kind, "reason": reason, "note": note})
        return Declaration(int(did), entry_id, juror_id, kind, reason, note, actor, stamp)

    def declarations(self, *, juror_id: str | None = None, entry_id: str | None = None) -> list[Declaration]:
        d = t.juror_declarations.c
        query = sa.select(t.juror_declarations).order_by(d.id)
        if juror_id is not None:
            query = query.where(d.juror_id == juror_id)
        if entry_id is not None:
            query = query.where(d.entry_id == entry_id)
        return [Declaration.from_row(r) for r in self.db.query_rows(query)]

    # -- deadline extensions ----------------------------------------------------------------------------------
    def extend(self, scope: str, target: str, until: str, reason: str, actor: str) -> Extension:
        stamp = now()
        x = t.deadline_extensions.c
        with self.db.transaction() as conn:
            prior = conn.execute(sa.select(x.until).where(x.scope == scope, x.target == target)
                                 .order_by(x.id.desc()).limit(1)).scalar()
            xid = conn.execute(t.deadline_extensions.insert().values(scope=scope, target=target, until=until,
                                                                     reason=reason, actor=actor, at=stamp)
                               .returning(x.id)).scalar_one()
            self.db.append_audit(conn, actor=actor, action="deadline_extended", subject=f"{scope}:{target}",
                                 at=stamp, detail={"extension": int(xid)},
                                 before={"until": prior} if prior else None, after={"until": until, "reason": reason})
        return Extension(int(xid), scope, target, until, reason, actor, stamp)

    def extensions(self) -> list[Extension]:
        """Every extension, oldest first (the latest per scope and target stands)."""
        x = t.deadline_extensions.c
        return [Extension.from_row(r) for r in self.db.query_rows(sa.select(t.deadline_extensions).order_by(x.id))]

    # -- where reminders go -------------------------------------------------------------------------------------
    def contacts(self) -> dict[str, dict]:
        """juror id → {login, name, email, lang} for every juror account that is not disabled."""
        u = t.users.c
        rows = self.db.query_rows(sa.select(u.login, u.name, u.juror_id, u.email, u.lang)
                                  .where(u.role == "juror", u.disabled.is_(False), u.juror_id.is_not(None)))
        return {r["juror_id"]: {"login": r["login"], "name": r["name"], "email": r["email"] or "",
                                "lang": r["lang"] or ""} for r in rows}

    def set_email(self, login: str, email: str, actor: str) -> None:
        stamp = now()
        u = t.users.c
        with self.db.transaction() as conn:
            prior = conn.execute(sa.select(u.id, u.email).where(u.login == login)).mappings().first()
            if prior is None:
                raise NotFound(f"no user {login!r}", hint="review-service users list")
            conn.execute(t.users.update().where(u.id == prior["id"]).values(email=email or None))
            self.db.append_audit(conn, actor=actor, action="user_email_set", subject=f"user:{login}", at=stamp,
                                 before={"email": prior["email"]}, after={"email": email or None})

    def set_lang(self, login: str, lang: str) -> None:
        """The interface language a person signed in with (a preference, not an act: not audited)."""
        with self.db.transaction() as conn:
            conn.execute(t.users.update().where(t.users.c.login == login).values(lang=lang))

    def record_reminders(self, actor: str, *, sent: list[str], no_email: list[str], failed: list[str]) -> None:
        """The audit line of one sending of reminders (to which jurors; never an address or a password)."""
        with self.db.transaction() as conn:
            self.db.append_audit(conn, actor=actor, action="reminders_sent", subject="reminders",
                                 after={"sent": sorted(sent), "no_email": sorted(no_email), "failed": sorted(failed)})
