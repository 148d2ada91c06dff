"""People and their sessions: user accounts (role, juror link, argon2 hash) and session tokens (SHA-256 only).

The password and token logic lives in :mod:`review_service.contest.accounts`; this module only reads and writes rows.
Every change to an account is audited; sign-ins and sign-outs are too.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from review_service.core.errors import InputError, NotFound, StateConflict, UnknownJuror
from review_service.storage import tables as t
from review_service.storage.db import Database, now, to_json

PUBLIC = ("id", "login", "name", "role", "juror_id", "disabled", "created_at", "password_changed_at")


def _public(row) -> dict:
    return {k: row[k] for k in PUBLIC}


class PeopleStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def user(self, login: str) -> dict | None:
        """The account with its password hash (for sign-in), or None."""
        rows = self.db.query_rows(sa.select(t.users).where(t.users.c.login == login))
        return dict(rows[0]) if rows else None

    def users(self, *, role: str | None = None, offset: int = 0, limit: int = 1000) -> tuple[list[dict], int]:
        query = sa.select(t.users).order_by(t.users.c.login)
        count = sa.select(sa.func.count()).select_from(t.users)
        if role:
            query, count = query.where(t.users.c.role == role), count.where(t.users.c.role == role)
        rows = self.db.query_rows(query.offset(offset).limit(limit))
        return [_public(r) for r in rows], int(self.db.query_scalar(count) or 0)

    def add_user(self, *, login: str, name: str, role: str, juror_id: str | None, password_hash: str,
                 actor: str) -> dict:
        stamp = now()
        row = {"login": login, "name": name, "role": role, "juror_id": juror_id, "password_hash": password_hash,
               "disabled": False, "created_at": stamp, "password_changed_at": stamp}
        with self.db.transaction() as conn:
            if conn.execute(sa.select(t.users.c.id).where(t.users.c.login == login)).first():
                raise InputError(f"a user {login!r} already exists", hint="choose another login")
            if juror_id is not None:
                self._check_profile(conn, juror_id)
            uid = conn.execute(t.users.insert().values(**row).returning(t.users.c.id)).scalar_one()
            public = {"id": int(uid), **{k: row[k] for k in PUBLIC if k != "id"}}
            self.db.append_audit(conn, actor=actor, action="user_added", subject=f"user:{login}", at=stamp,
                                 after=public)
        return public

    @staticmethod
    def _check_profile(conn: sa.Connection, juror_id: str) -> None:
        """A juror account links to a profile of the jury that no other account links to."""
        if conn.execute(sa.select(t.jury_members.c.juror_id).where(t.jury_members.c.juror_id == juror_id)).first() \
                is None:
            raise UnknownJuror(f"no juror {juror_id!r} in the jury",
                             hint="juror ids come from the jurors file: review-service users import JURORS.jsonl "
                                  "(or a batch screened with its jurors file) adds them")
        taken = conn.execute(sa.select(t.users.c.login).where(t.users.c.juror_id == juror_id)).scalar()
        if taken is not None:
            raise StateConflict(f"juror {juror_id!r} already has an account ({taken})", code="juror_taken",
                                hint="one account per juror profile: reset that account's password instead")

    # -- the jury's roster ------------------------------------------------------------------------------------
    def save_jury(self, members: Sequence[dict], actor: str) -> int:
        """Add or update juror profiles ({"id", "name", …} as in JURORS.jsonl); returns how many are new."""
        stamp = now()
        m = t.jury_members.c
        with self.db.transaction() as conn:
            known = {r[0] for r in conn.execute(sa.select(m.juror_id))}
            new = [x for x in members if x["id"] not in known]
            for x in members:
                row = {"name": str(x.get("name") or ""), "profile": to_json(x)}
                if x["id"] in known:
                    conn.execute(t.jury_members.update().where(m.juror_id == x["id"]).values(**row))
                else:
                    conn.execute(t.jury_members.insert().values(juror_id=x["id"], actor=actor, added_at=stamp, **row))
            edition = self.db.edition_for_write(conn)  # the profiles join the jury of the edition in scope
            j = t.edition_jury.c
            seated = {r[0] for r in conn.execute(sa.select(j.juror_id).where(j.edition_id == edition))}
            joined = sorted({x["id"] for x in members} - seated)
            if joined:
                conn.execute(t.edition_jury.insert(), [{"edition_id": edition, "juror_id": x, "added_at": stamp}
                                                       for x in joined])
            if new:  # new profiles, seated on the edition's jury
                self.db.append_audit(conn, actor=actor, action="jury_members_added", subject="jury", at=stamp,
                                     detail={"edition_id": edition}, after={"jurors": sorted(x["id"] for x in new)})
            known_joined = sorted(set(joined) - {x["id"] for x in new})
            if known_joined:  # profiles of the roster seated on this edition's jury
                self.db.append_audit(conn, actor=actor, action="edition_jury_added", subject="jury", at=stamp,
                                     detail={"edition_id": edition}, after={"jurors": known_joined})
        return len(new)

    def jury(self) -> list[dict]:
        """The jury of the edition in scope."""
        m, j = t.jury_members.c, t.edition_jury.c
        query = (sa.select(m.juror_id, m.name, m.added_at).join(t.edition_jury, j.juror_id == m.juror_id)
                 .where(j.edition_id == self.db.edition_id()).order_by(m.juror_id))
        return [dict(r) for r in self.db.query_rows(query)]

    def set_disabled(self, login: str, disabled: bool, actor: str) -> dict:
        stamp = now()
        with self.db.transaction() as conn:
            row = conn.execute(sa.select(t.users).where(t.users.c.login == login)).mappings().first()
            if row is None:
                raise NotFound(f"no user {login!r}", hint="review-service users list")
            conn.execute(t.users.update().where(t.users.c.id == row["id"]).values(disabled=disabled))
            if disabled:  # a disabled account's sessions end now
                conn.execute(t.sessions.update().where(t.sessions.c.user_id == row["id"],
                                                       t.sessions.c.revoked_at.is_(None)).values(revoked_at=stamp))
            self.db.append_audit(conn, actor=actor, action="user_disabled" if disabled else "user_enabled",
                                 subject=f"user:{login}", at=stamp, before={"disabled": bool(row["disabled"])},
                                 after={"disabled": disabled})
            return {**_public(row), "disabled": disabled}

    def set_password(self, login: str, password_hash: str, actor: str, *, action: str = "password_reset",
                     keep_session: str | None = None) -> None:
        """A new password hash; the account's sessions end, except the one whose token SHA-256 is
        ``keep_session`` (a person changing their own password stays signed in there). The audit record names
        the actor, never the password or its hash."""
        stamp = now()
        with self.db.transaction() as conn:
            uid = conn.execute(sa.select(t.users.c.id).where(t.users.c.login == login)).scalar()
            if uid is None:
                raise NotFound(f"no user {login!r}", hint="review-service users list")
            conn.execute(t.users.update().where(t.users.c.id == uid)
                         .values(password_hash=password_hash, password_changed_at=stamp))
            ending = t.sessions.update().where(t.sessions.c.user_id == uid, t.sessions.c.revoked_at.is_(None))
            if keep_session is not None:
                ending = ending.where(t.sessions.c.token_sha256 != keep_session)
            conn.execute(ending.values(revoked_at=stamp))
            self.db.append_audit(conn, actor=actor, action=action, subject=f"user:{login}", at=stamp)

    def last_password_event(self, login: str) -> dict | None:
        """The latest ``password_reset`` or ``password_changed`` audit record of the account (actor, action)."""
        a = t.audit_log.c
        rows = self.db.query_rows(sa.select(a.actor, a.action).where(
            a.subject == f"user:{login}", a.action.in_(("password_reset", "password_changed")))
            .order_by(a.id.desc()).limit(1))
        return dict(rows[0]) if rows else None

    def rehash(self, user_id: int, password_hash: str) -> None:
        """The same password under newer argon2 parameters (not a change a person made; not audited)."""
        with self.db.transaction() as conn:
            conn.execute(t.users.update().where(t.users.c.id == user_id).values(password_hash=password_hash))

    # -- sessions ---------------------------------------------------------------------------------------------
    def add_session(self, user: dict, token_sha256: str, expires_at: str) -> None:
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute(t.sessions.insert().values(token_sha256=token_sha256, user_id=user["id"], created_at=stamp,
                                                    expires_at=expires_at))
            self.db.append_audit(conn, actor=user["login"], action="signed_in", subject=f"user:{user['login']}",
                                 at=stamp, detail={"expires_at": expires_at})

    def session_user(self, token_sha256: str) -> dict | None:
        """The session joined with its user (any state: the caller checks expiry, revocation, disabled)."""
        s, u = t.sessions.c, t.users.c
        query = (sa.select(s.expires_at, s.revoked_at, u.id, u.login, u.name, u.role, u.juror_id, u.disabled)
                 .join_from(t.sessions, t.users, s.user_id == u.id).where(s.token_sha256 == token_sha256))
        rows = self.db.query_rows(query)
        return dict(rows[0]) if rows else None

    def revoke_session(self, token_sha256: str, login: str) -> bool:
        stamp = now()
        with self.db.transaction() as conn:
            done = conn.execute(t.sessions.update().where(t.sessions.c.token_sha256 == token_sha256,
                                                          t.sessions.c.revoked_at.is_(None))
                                .values(revoked_at=stamp)).rowcount
            if done:
                self.db.append_audit(conn, actor=login, action="signed_out", subject=f"user:{login}", at=stamp)
        return bool(done)
