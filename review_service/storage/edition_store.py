"""Editions and the archive they grow: the ``editions``, ``edition_jury`` and ``archive_entries`` tables (0008).

An edition is made as a copy of another's set-up (its columns, its latest rubric, its jury; never entries or
scores), closed once (its entries carried into the archive, then read-only), or made closed by importing a past
edition's entries. Each act is one transaction with its audit record (subject ``edition:NAME``).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from review_service.core.errors import EditionClosed, InputError, NotFound, StateConflict
from review_service.storage import tables as t
from review_service.storage.db import Database, now, to_json

SETUP = ("language", "contest_name", "deadline", "scoring_deadline", "max_age", "filename_pattern", "blind_review")
STATES = ("open", "screening", "final", "closed")
OUTCOMES = ("participant", "finalist", "winner", "special_prize")
_E = t.editions.c
_A = t.archive_entries.c


def _edition(row: Any) -> dict:
    out = dict(row)
    if out.get("blind_review") is not None:
        out["blind_review"] = bool(out["blind_review"])
    return out


class EditionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- editions ---------------------------------------------------------------------------------------------
    def editions(self, ids: Iterable[int] | None = None) -> list[dict]:
        query = sa.select(t.editions).order_by(_E.id)
        if ids is not None:
            query = query.where(_E.id.in_(list(ids)))
        return [_edition(r) for r in self.db.query_rows(query)]

    def get(self, edition_id: int) -> dict | None:
        rows = self.db.query_rows(sa.select(t.editions).where(_E.id == edition_id))
        return _edition(rows[0]) if rows else None

    def named(self, name: str) -> dict:
        """The edition called ``name``; :class:`NotFound` (naming the known ones) otherwise."""
        rows = self.db.query_rows(sa.select(t.editions).where(_E.name == name))
        if not rows:
            known = ", ".join(e["name"] for e in self.editions()) or "none"
            raise NotFound(f"there is no edition {name!r}", hint=f"known editions: {known}")
        return _edition(rows[0])

    def current(self) -> dict:
        """The edition in scope, else the oldest that is not closed."""
        found = self.get(self.db.edition_id())
        assert found is not None
        return found

    def create(self, name: str, year: int, setup: Mapping[str, Any], actor: str, *,
               copy_from: Mapping[str, Any] | None = None, state: str = "open") -> dict:
        """A new edition with ``setup`` (the columns of :data:`SETUP`); with ``copy_from`` also that edition's
        latest rubric (as a new rubric version of this one) and its jury."""
        name = name.strip()
        if not name or len(name) > 40:
            raise InputError("an edition's name is 1 to 40 characters, e.g. 3.0")
        if not 1900 <= int(year) <= 2200:
            raise InputError(f"year {year} is not a contest's year")
        stamp = now()
        values = {k: setup.get(k) for k in SETUP}
        with self.db.transaction() as conn:
            if conn.execute(sa.select(_E.id).where(_E.name == name)).first() is not None:
                raise StateConflict(f"there is already an edition {name!r}", code="edition_exists",
                                    hint="choose another name (GET /editions lists them)")
            new_id = int(conn.execute(t.editions.insert().values(
                name=name, year=int(year), state=state, copied_from=copy_from["id"] if copy_from else None,
                actor=actor, created_at=stamp, **values).returning(_E.id)).scalar_one())
            copied: dict[str, Any] = {}
            if copy_from is not None:
                copied = self._copy_setup(conn, int(copy_from["id"]), new_id, actor, stamp)
            self.db.append_audit(conn, actor=actor, action="edition_created", subject=f"edition:{name}", at=stamp,
                                 detail={"copied_from": copy_from["name"] if copy_from else None, **copied},
                                 after={"id": new_id, "name": name, "year": int(year), "state": state, **values})
        return self.get(new_id) or {}

    def _copy_setup(self, conn: sa.Connection, source: int, target: int, actor: str, stamp: str) -> dict[str, Any]:
        r = t.rubrics.c
        rubric = conn.execute(sa.select(r.criteria).where(r.edition_id == source).order_by(r.version.desc())
                              .limit(1)).scalar()
        out: dict[str, Any] = {"rubric_version": None}
        if rubric is not None:  # rubric versions are numbered across editions (the audit replays them by number)
            version = int(conn.execute(sa.select(sa.func.max(r.version))).scalar() or 0) + 1
            conn.execute(t.rubrics.insert().values(version=version, criteria=rubric, actor=actor, at=stamp,
                                                   edition_id=target))
            self.db.append_audit(conn, actor=actor, action="rubric_published", subject=f"rubric:{version}",
                                 at=stamp, after={"version": version, "criteria": json.loads(rubric)})
            out["rubric_version"] = version
        j = t.edition_jury.c
        jurors = [x for (x,) in conn.execute(sa.select(j.juror_id).where(j.edition_id == source).order_by(j.juror_id))]
        self.add_to_jury(conn, target, jurors, stamp)
        out["jury"] = jurors
        return out

    def set_state(self, edition: Mapping[str, Any], state: str, actor: str) -> dict:
        if state not in STATES or state == "closed":
            raise InputError(f"an edition moves to one of: {', '.join(s for s in STATES if s != 'closed')} "
                             "(closing carries its entries into the archive: editions close)")
        stamp = now()
        with self.db.transaction() as conn:
            current = conn.execute(sa.select(_E.state).where(_E.id == edition["id"])).scalar()
            if current == "closed":
                raise EditionClosed(edition["name"])
            conn.execute(t.editions.update().where(_E.id == edition["id"]).values(state=state))
            self.db.append_audit(conn, actor=actor, action="edition_state_changed", subject=f"edition:{edition['name']}",
                                 at=stamp, before={"state": current}, after={"state": state})
        return self.get(int(edition["id"])) or {}

    def close(self, edition: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], actor: str) -> dict:
        """Carry ``entries`` (archive rows, :meth:`archive_row`) into the archive and close the edition: from now
        on it is read-only. A closed edition is refused (409)."""
        stamp = now()
        with self.db.transaction() as conn:
            state = conn.execute(sa.select(_E.state).where(_E.id == edition["id"]).with_for_update()).scalar()
            if state == "closed":
                raise EditionClosed(edition["name"])
            added = self._archive(conn, edition, entries, "closed", stamp)
            conn.execute(t.editions.update().where(_E.id == edition["id"]).values(state="closed", closed_at=stamp))
            self.db.append_audit(conn, actor=actor, action="edition_closed", subject=f"edition:{edition['name']}",
                                 at=stamp, before={"state": state},
                                 after={"state": "closed", "archived": len(added),
                                        "outcomes": _count(e["outcome"] for e in entries)})
        return {**(self.get(int(edition["id"])) or {}), "archived": len(added)}

    def import_archive(self, edition: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], actor: str) -> list[str]:
        """A past edition's entries into the archive (the edition stays as it is; imported ones are made closed).
        The archive ids given, made unique (``NAME/id`` where another edition has the id)."""
        stamp = now()
        with self.db.transaction() as conn:
            added = self._archive(conn, edition, entries, "imported", stamp)
            self.db.append_audit(conn, actor=actor, action="archive_imported", subject=f"edition:{edition['name']}",
                                 at=stamp, after={"archived": len(added), "outcomes": _count(e["outcome"] for e in entries)})
        return added

    def _archive(self, conn: sa.Connection, edition: Mapping[str, Any], entries: Sequence[Mapping[str, Any]],
                 source: str, stamp: str) -> list[str]:
        taken = {d: int(ed) for d, ed in conn.execute(sa.select(_A.doc_id, _A.edition_id))}
        rows, added = [], []
        for e in entries:
            candidates = (str(e["doc_id"]), f"{edition['name']}/{e['doc_id']}")
            if any(taken.get(c) == edition["id"] for c in candidates):
                continue  # already in this edition's archive (an import run again)
            free = [c for c in candidates if c not in taken]
            if not free:
                raise StateConflict(f"the archive already has {candidates[1]!r}", code="archive_duplicate_id",
                                    hint="use other ids for this edition's entries")
            doc_id = free[0]
            taken[doc_id] = int(edition["id"])
            added.append(doc_id)
            text = str(e.get("text") or "")
            rows.append({"doc_id": doc_id, "edition_id": edition["id"], "entry_id": e.get("entry_id"),
                         "title": str(e.get("title") or ""), "text": text, "lang": e.get("lang") or "und",
                         "year": e.get("year") or edition["year"], "themes": to_json(list(e.get("themes") or [])),
                         "region": str(e.get("region") or ""), "library_type": str(e.get("library_type") or ""),
                         "outcome": e.get("outcome") or "participant", "meta": to_json(dict(e.get("meta") or {})),
                         "source": source, "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                         "added_at": stamp})
        if rows:
            conn.execute(t.archive_entries.insert(), rows)
        return added

    # -- the jury of an edition -------------------------------------------------------------------------------
    def add_to_jury(self, conn: sa.Connection, edition_id: int, juror_ids: Iterable[str], stamp: str) -> None:
        rows = [{"edition_id": edition_id, "juror_id": j, "added_at": stamp} for j in juror_ids]
        if rows:
            conn.execute(self.db.dialect_insert(t.edition_jury).values(rows)
                         .on_conflict_do_nothing(index_elements=["edition_id", "juror_id"]))

    def add_jury_member(self, edition_id: int, juror_id: str, actor: str) -> None:
        """Seat a juror of the roster on an edition's jury (audited)."""
        stamp = now()
        with self.db.transaction() as conn:
            self.add_to_jury(conn, edition_id, [juror_id], stamp)
            self.db.append_audit(conn, actor=actor, action="edition_jury_added", subject="jury",
                                 at=stamp, detail={"edition_id": edition_id}, after={"jurors": [juror_id]})

    def jury(self, edition_id: int) -> list[str]:
        j = t.edition_jury.c
        return [r["juror_id"] for r in self.db.query_rows(
            sa.select(j.juror_id).where(j.edition_id == edition_id).order_by(j.juror_id))]

    def editions_of_juror(self, juror_id: str) -> list[int]:
        j = t.edition_jury.c
        return [int(r["edition_id"]) for r in self.db.query_rows(
            sa.select(j.edition_id).where(j.juror_id == juror_id).order_by(j.edition_id))]

    # -- the archive ------------------------------------------------------------------------------------------
    def archive(self, *, edition_id: int | None = None, exclude_edition: int | None = None) -> list[dict]:
        """Archive rows (oldest first) with their edition's name, themes and meta decoded."""
        query = (sa.select(t.archive_entries, _E.name.label("edition"))
                 .join(t.editions, _E.id == _A.edition_id).order_by(_A.id))
        if edition_id is not None:
            query = query.where(_A.edition_id == edition_id)
        if exclude_edition is not None:
            query = query.where(_A.edition_id != exclude_edition)
        return [{**dict(r), "themes": json.loads(r["themes"]), "meta": json.loads(r["meta"])}
                for r in self.db.query_rows(query)]

    def archive_digest(self) -> str:
        """SHA-256 over what the search index holds of every archive row: it changes when the archive does."""
        h = hashlib.sha256()
        query = (sa.select(_A.doc_id, _A.text_sha256, _A.title, _A.lang, _A.year, _A.themes, _A.region,
                           _A.library_type, _A.outcome, _A.meta, _E.name)
                 .join(t.editions, _E.id == _A.edition_id).order_by(_A.doc_id))
        for row in self.db.query_rows(query):
            h.update(json.dumps([str(v) for v in row.values()], ensure_ascii=False).encode("utf-8"))
        return h.hexdigest()

    def archive_version(self) -> tuple[int, int]:
        """(rows, newest row id): archive rows are only added, so this changes exactly when the archive does."""
        rows = self.db.query_rows(sa.select(sa.func.count().label("n"), sa.func.max(_A.id).label("last")))
        return int(rows[0]["n"] or 0), int(rows[0]["last"] or 0)

    def count_archive(self) -> int:
        return int(self.db.query_scalar(sa.select(sa.func.count()).select_from(t.archive_entries)))


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out
