"""The jury's records — human acts only: rubrics, reviews (scores), decisions, assignments, flag reviews.

Only the human-acts modules (:mod:`review_service.contest.scoring`, :mod:`review_service.contest.assignments`,
:mod:`review_service.contest.flag_review`) import this; nothing an AI stage reaches does (a test walks the imports).
Each write is one transaction that also appends its audit record (who, what, before, after).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from review_service.core.errors import NotFound, StateConflict
from review_service.storage import tables as t
from review_service.storage.db import Database, now, to_json
from review_service.storage.records import Decision, FlagReview


class JuryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- rubric -----------------------------------------------------------------------------------------------
    def rubric(self, version: int | None = None) -> dict | None:
        c = t.rubrics.c
        query = sa.select(t.rubrics).where(c.edition_id == self.db.edition_id())
        query = query.where(c.version == version) if version is not None else query.order_by(c.version.desc())
        rows = self.db.query_rows(query.limit(1))
        if not rows:
            return None
        return {**dict(rows[0]), "criteria": json.loads(rows[0]["criteria"])}

    def add_rubric(self, criteria: list[dict], actor: str) -> dict:
        stamp = now()
        with self.db.transaction() as conn:
            edition = self.db.edition_for_write(conn)
            last = conn.execute(sa.select(sa.func.max(t.rubrics.c.version))).scalar() or 0  # numbered across editions
            version = int(last) + 1
            conn.execute(t.rubrics.insert().values(version=version, criteria=to_json(criteria), actor=actor, at=stamp,
                                                   edition_id=edition))
            self.db.append_audit(conn, actor=actor, action="rubric_published", subject=f"rubric:{version}", at=stamp,
                                 after={"version": version, "criteria": criteria})
        return {"version": version, "criteria": criteria, "actor": actor, "at": stamp}

    # -- reviews (a juror's scores for one entry) -------------------------------------------------------------
    def review(self, entry_id: str, juror_id: str) -> dict | None:
        found = self.reviews(entry_id=entry_id, juror_id=juror_id)
        return found[0] if found else None

    def reviews(self, *, entry_id: str | None = None, juror_id: str | None = None,
                status: str | None = None) -> list[dict]:
        r, s = t.reviews.c, t.scores.c
        edition = self.db.edition_id()
        query = sa.select(t.reviews).where(r.edition_id == edition).order_by(r.entry_id, r.juror_id)
        if entry_id is not None:
            query = query.where(r.entry_id == entry_id)
        if juror_id is not None:
            query = query.where(r.juror_id == juror_id)
        if status is not None:
            query = query.where(r.status == status)
        heads = self.db.query_rows(query)
        scores = sa.select(t.scores).where(s.edition_id == edition).order_by(s.id)
        if entry_id is not None:
            scores = scores.where(s.entry_id == entry_id)
        if juror_id is not None:
            scores = scores.where(s.juror_id == juror_id)
        values: dict[tuple[str, str], dict[str, dict]] = {}
        for row in self.db.query_rows(scores):
            values.setdefault((row["entry_id"], row["juror_id"]), {})[row["criterion"]] = {
                "value": row["value"], "comment": row["comment"]}
        return [{**dict(h), "scores": values.get((h["entry_id"], h["juror_id"]), {})} for h in heads]

    def _lock_review(self, conn: sa.Connection, entry_id: str, juror_id: str) -> dict | None:
        r = t.reviews.c
        query = sa.select(t.reviews).where(r.entry_id == entry_id, r.juror_id == juror_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def _sheet(self, conn: sa.Connection, entry_id: str, juror_id: str) -> dict[str, dict]:
        s = t.scores.c
        rows = conn.execute(sa.select(s.criterion, s.value, s.comment)
                            .where(s.entry_id == entry_id, s.juror_id == juror_id)).mappings()
        return {r["criterion"]: {"value": r["value"], "comment": r["comment"]} for r in rows}

    def save_review(self, entry_id: str, juror_id: str, rubric_version: int, values: dict[str, dict],
                    actor: str) -> dict:
        """Merge ``values`` ({criterion: {value, comment}}) into the juror's draft; refused once submitted."""
        stamp = now()
        with self.db.transaction() as conn:
            edition = self.db.edition_for_write(conn)
            self._ensure_review(conn, entry_id, juror_id, rubric_version, actor, stamp, edition)
            head = self._lock_review(conn, entry_id, juror_id)
            assert head is not None
            if head["status"] == "submitted":
                raise StateConflict("this review is submitted and locked", code="review_submitted",
                                    hint="an organizer can reopen it (with a reason)")
            before = self._sheet(conn, entry_id, juror_id)
            rows = [{"entry_id": entry_id, "juror_id": juror_id, "criterion": c, "value": float(v["value"]),
                     "comment": v.get("comment", ""), "actor": actor, "at": stamp, "edition_id": edition}
                    for c, v in values.items()]
            self.db.upsert(conn, t.scores, rows, ["entry_id", "juror_id", "criterion"],
                            ["value", "comment", "actor", "at"])
            revision = head["revision"] + 1
            conn.execute(t.reviews.update().where(t.reviews.c.entry_id == entry_id, t.reviews.c.juror_id == juror_id)
                         .values(revision=revision, rubric_version=rubric_version, updated_at=stamp, actor=actor))
            after = self._sheet(conn, entry_id, juror_id)
            self.db.append_audit(conn, actor=actor, action="review_saved", subject=entry_id, at=stamp,
                                 detail={"juror": juror_id, "rubric_version": rubric_version, "revision": revision},
                                 before=before, after=after)
        return self.review(entry_id, juror_id)  # type: ignore[return-value]

    def _ensure_review(self, conn: sa.Connection, entry_id: str, juror_id: str, rubric_version: int, actor: str,
                       stamp: str, edition: int) -> None:
        row = {"entry_id": entry_id, "juror_id": juror_id, "rubric_version": rubric_version, "status": "draft",
               "revision": 0, "updated_at": stamp, "actor": actor, "edition_id": edition}
        conn.execute(self.db.dialect_insert(t.reviews).values(**row)
                     .on_conflict_do_nothing(index_elements=["entry_id", "juror_id"]))

    def set_review_status(self, entry_id: str, juror_id: str, *, status: str, actor: str, action: str,
                          check=None, detail: dict | None = None) -> dict:
        """Submit (draft → submitted) or reopen (submitted → draft); ``check(head, sheet)`` may refuse."""
        stamp = now()
        with self.db.transaction() as conn:
            self.db.edition_for_write(conn)
            head = self._lock_review(conn, entry_id, juror_id)
            if head is None:
                raise NotFound("no review of this entry by this juror yet", hint="save scores first")
            if head["status"] == status:
                raise StateConflict(f"this review is already {status}", code=f"review_{status}")
            sheet = self._sheet(conn, entry_id, juror_id)
            if check is not None:
                check(head, sheet)
            revision = head["revision"] + 1
            conn.execute(t.reviews.update().where(t.reviews.c.entry_id == entry_id, t.reviews.c.juror_id == juror_id)
                         .values(status=status, revision=revision, updated_at=stamp,
                                 submitted_at=stamp if status == "submitted" else None))
            self.db.append_audit(conn, actor=actor, action=action, subject=entry_id, at=stamp,
                                 detail={"juror": juror_id, "revision": revision, **(detail or {})},
                                 before={"status": head["status"]}, after={"status": status, "scores": sheet})
        return self.review(entry_id, juror_id)  # type: ignore[return-value]

    # -- decisions --------------------------------------------------------------------------------------------
    def add_decision(self, entry_id: str, kind: str, value: str, reason: str, actor: str) -> Decision:
        stamp = now()
        d = t.decisions.c
        with self.db.transaction() as conn:
            edition = self.db.edition_for_write(conn)
            prior = conn.execute(sa.select(d.value, d.reason, d.actor, d.at).where(d.entry_id == entry_id,
                                                                                    d.kind == kind)
                                 .order_by(d.id.desc()).limit(1)).mappings().first()
            did = conn.execute(t.decisions.insert().values(entry_id=entry_id, kind=kind, value=value, reason=reason,
                                                           actor=actor, at=stamp, edition_id=edition)
                               .returning(d.id)).scalar_one()
            self.db.append_audit(conn, actor=actor, action=f"{kind}_decided", subject=entry_id, at=stamp,
                                 before=dict(prior) if prior else None, after={"value": value, "reason": reason})
        return Decision(int(did), entry_id, kind, value, reason, actor, stamp)

    def decisions(self, entry_id: str | None = None) -> list[Decision]:
        query = sa.select(t.decisions).where(t.decisions.c.edition_id == self.db.edition_id()).order_by(t.decisions.c.id)
        if entry_id is not None:
            query = query.where(t.decisions.c.entry_id == entry_id)
        return [Decision.from_row(r) for r in self.db.query_rows(query)]

    # -- assignments (drafts and publications, each a new row) ------------------------------------------------
    def assignment(self, state: str) -> dict | None:
        return self.db.latest_assignment(state)

    def add_assignment(self, state: str, payload: dict, actor: str, note: str, *, action: str,
                       expect_version: int | None = None, summary: Any = None) -> dict:
        """A new draft or publication; ``expect_version`` refuses an edit made on a stale draft."""
        stamp = now()
        a = t.assignments.c
        with self.db.transaction() as conn:
            edition = self.db.edition_for_write(conn)
            last = conn.execute(sa.select(sa.func.max(a.version))
                                .where(a.state == state, a.edition_id == edition)).scalar() or 0
            if expect_version is not None and int(last) != expect_version:
                raise StateConflict(f"the {state} assignment is at version {last}, not {expect_version}",
                                    code="stale_assignment", hint="reload it and apply the change again")
            # versions are numbered across editions (the audit replays assignments by state and version)
            version = int(conn.execute(sa.select(sa.func.max(a.version)).where(a.state == state)).scalar() or 0) + 1
            body = to_json(payload)
            conn.execute(t.assignments.insert().values(state=state, version=version, payload=body,
                                                       actor=actor, at=stamp, note=note, edition_id=edition))
            self.db.append_audit(conn, actor=actor, action=action, subject=f"assignment:{state}:{version}", at=stamp,
                                 detail={"note": note, "version": version,  # the hash lets audit verify check the payload
                                   "payload_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()},
                                 after=summary)
        return {"state": state, "version": version, "payload": payload, "actor": actor, "at": stamp, "note": note}

    # -- reviews of what the AI flagged -----------------------------------------------------------------------
    def add_flag_review(self, kind: str, target: str, verdict: str, comment: str, actor: str,
                        before: Any = None) -> FlagReview:
        stamp = now()
        with self.db.transaction() as conn:
            fid = conn.execute(t.flag_reviews.insert().values(kind=kind, target=target, verdict=verdict,
                                                              comment=comment, actor=actor, at=stamp,
                                                              edition_id=self.db.edition_for_write(conn))
                               .returning(t.flag_reviews.c.id)).scalar_one()
            self.db.append_audit(conn, actor=actor, action=f"{kind}_flag_reviewed", subject=target, at=stamp,
                                 before=before, after={"verdict": verdict, "comment": comment})
        return FlagReview(int(fid), kind, target, verdict, comment, actor, stamp)

    def flag_reviews(self, kind: str | None = None, target_prefix: str | None = None) -> list[FlagReview]:
        f = t.flag_reviews.c
        query = sa.select(t.flag_reviews).where(f.edition_id == self.db.edition_id()).order_by(f.id)
        if kind is not None:
            query = query.where(f.kind == kind)
        if target_prefix is not None:
            query = query.where(f.target.startswith(target_prefix, autoescape=True))
        return [FlagReview.from_row(r) for r in self.db.query_rows(query)]
