"""The job queue's SQL: pre-screening jobs in the ``jobs`` table (migration 0003), taken by workers.

Claiming is one transaction. On PostgreSQL it is ``SELECT … FOR UPDATE SKIP LOCKED``: several workers take
different jobs at once and never the same one. On SQLite the write transaction (``BEGIN IMMEDIATE``) serialises
claims, and a worker takes nothing while another worker's job is running with a fresh heartbeat: one worker at a
time. A ``running`` job whose heartbeat is older than the stale limit is taken over (its worker died); the
takeover changes ``worker``, so the old worker — should it still be alive — sees its heartbeat refused and stops.
"""
from __future__ import annotations

import builtins
import json
import time
from typing import Any

import sqlalchemy as sa

from review_service.storage import tables as t
from review_service.storage.db import Database, now

STATES = ("queued", "running", "done", "failed", "cancelled")
_J = t.jobs.c


def _decode(row: sa.RowMapping) -> dict[str, Any]:
    job = dict(row)
    for key in ("params", "stages_done", "errors", "timings"):
        job[key] = json.loads(job[key])
    job["cancel_requested"] = bool(job["cancel_requested"])
    return job


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, source: str, params: dict, *, created_by: str = "", state: str = "queued",
               worker: str | None = None) -> dict:
        """A new batch and its job (``queued``, or ``running`` for ``worker`` when the caller runs it itself)."""
        stamp = now()
        with self.db.transaction() as conn:
            edition = self.db.edition_for_write(conn)
            e = t.editions.c
            conn.execute(t.editions.update().where(e.id == edition, e.state == "open").values(state="screening"))
            batch_id = int(conn.execute(t.batches.insert().values(source=source, started_at=stamp, edition_id=edition)
                                        .returning(t.batches.c.id)).scalar_one())
            values = {"batch_id": batch_id, "edition_id": edition, "state": state, "params": json.dumps(params, ensure_ascii=False),
                      "created_by": created_by, "created_at": stamp}
            if state == "running":
                values.update(worker=worker, heartbeat_at=time.time(), attempts=1, started_at=stamp)
            job_id = int(conn.execute(t.jobs.insert().values(**values).returning(_J.id)).scalar_one())
        return self.get(job_id) or {}

    def get(self, job_id: int) -> dict | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(t.jobs).where(_J.id == job_id)).mappings().first()
        return _decode(row) if row else None

    def list(self, state: str | None = None) -> list[dict]:
        query = sa.select(t.jobs).order_by(_J.id)
        if state:
            query = query.where(_J.state == state)
        with self.db.engine.connect() as conn:
            return [_decode(r) for r in conn.execute(query).mappings()]

    def claim(self, worker: str, *, stale_s: float) -> dict | None:
        """Take the oldest queued job, or a running one whose heartbeat is older than ``stale_s`` seconds."""
        now_s = time.time()
        claimable = sa.or_(sa.and_(_J.state == "queued", _J.cancel_requested.is_(False)),
                           sa.and_(_J.state == "running", _J.heartbeat_at < now_s - stale_s))
        with self.db.transaction() as conn:
            if self.db.backend == "sqlite":
                busy = conn.execute(sa.select(_J.id).where(_J.state == "running", _J.heartbeat_at >= now_s - stale_s,
                                                           _J.worker != worker).limit(1)).first()
                if busy is not None:
                    return None
            job_id = conn.execute(sa.select(_J.id).where(claimable).order_by(_J.id).limit(1)
                                  .with_for_update(skip_locked=True)).scalar()
            if job_id is None:
                return None
            conn.execute(t.jobs.update().where(_J.id == job_id).values(
                state="running", worker=worker, heartbeat_at=now_s, attempts=_J.attempts + 1,
                started_at=sa.func.coalesce(_J.started_at, now())))
        return self.get(int(job_id))

    def unfinished(self) -> builtins.list[dict]:
        """Jobs not done, newest first (``screen`` looks among them for its own to resume)."""
        query = sa.select(t.jobs).where(_J.state.in_(("queued", "running", "cancelled", "failed"))).order_by(_J.id.desc())
        with self.db.engine.connect() as conn:
            return [_decode(r) for r in conn.execute(query).mappings()]

    def adopt(self, job_id: int, worker: str, params: dict, *, stale_s: float, dead_worker: str | None = None
              ) -> dict | None:
        """Make a job ``running`` for ``worker`` (with new ``params``) to resume it in this process: a queued,
        cancelled or failed one, or a running one whose heartbeat is older than ``stale_s`` or whose worker is
        ``dead_worker`` (a process known to be gone). None when it is not (or no longer) any of these."""
        now_s = time.time()
        running_orphan = sa.and_(_J.state == "running", sa.or_(
            _J.heartbeat_at < now_s - stale_s, *([_J.worker == dead_worker] if dead_worker else [])))
        with self.db.transaction() as conn:
            taken = conn.execute(t.jobs.update().where(_J.id == job_id, sa.or_(
                _J.state.in_(("queued", "cancelled", "failed")), running_orphan)).values(
                state="running", worker=worker, heartbeat_at=now_s, attempts=_J.attempts + 1, cancel_requested=False,
                message="", finished_at=None, params=json.dumps(params, ensure_ascii=False),
                started_at=sa.func.coalesce(_J.started_at, now()))).rowcount
        return self.get(job_id) if taken == 1 else None

    def heartbeat(self, job_id: int, worker: str) -> tuple[bool, bool]:
        """(still ours, cancel requested). Not ours: another worker took the job over, or it was finished."""
        with self.db.transaction() as conn:
            row = conn.execute(t.jobs.update().where(_J.id == job_id, _J.worker == worker, _J.state == "running")
                               .values(heartbeat_at=time.time()).returning(_J.cancel_requested)).first()
        return (row is not None, bool(row[0]) if row is not None else False)

    def progress(self, job_id: int, worker: str, *, stage: str | None = None, done: int = 0,
                 total: int = 0) -> tuple[bool, bool]:
        """The job's stage and done/total (a heartbeat too); like :meth:`heartbeat`, (still ours, cancel requested)."""
        values: dict[str, Any] = {"done": done, "total": total, "heartbeat_at": time.time()}
        if stage is not None:
            values["stage"] = stage
        with self.db.transaction() as conn:
            row = conn.execute(t.jobs.update().where(_J.id == job_id, _J.worker == worker, _J.state == "running")
                               .values(**values).returning(_J.cancel_requested)).first()
        return (row is not None, bool(row[0]) if row is not None else False)

    def _merge(self, conn: sa.Connection, job_id: int, column: str, update: dict) -> None:
        current = conn.execute(sa.select(_J[column]).where(_J.id == job_id).with_for_update()).scalar()
        merged = {**json.loads(current or "{}"), **update}
        conn.execute(t.jobs.update().where(_J.id == job_id).values({column: json.dumps(merged)}))

    def record_timing(self, job_id: int, name: str, seconds: float) -> None:
        with self.db.transaction() as conn:
            self._merge(conn, job_id, "timings", {name: round(seconds, 2)})

    def stage_done(self, job_id: int, worker: str, batch_id: int, *, stage: str, result: str, payload: Any,
                   provenance: dict, seconds: float) -> bool:
        """In one transaction: the stage's result (an ai_results row with the batch id) and the stage marked done
        with its time. False (and nothing written) when the job is no longer this worker's."""
        with self.db.transaction() as conn:
            mine = conn.execute(sa.select(_J.id).where(_J.id == job_id, _J.worker == worker, _J.state == "running")
                                .with_for_update()).first()
            if mine is None:
                return False
            if result and payload is not None:
                self.db.insert_ai_result(conn, result, payload, provenance, batch_id)
            self._merge(conn, job_id, "stages_done", {stage: round(seconds, 2)})
            self._merge(conn, job_id, "timings", {stage: round(seconds, 2)})
        return True

    def set_errors(self, job_id: int, errors: builtins.list[dict]) -> None:
        with self.db.transaction() as conn:
            conn.execute(t.jobs.update().where(_J.id == job_id).values(errors=json.dumps(errors, ensure_ascii=False)))

    def finish(self, job_id: int, worker: str | None, state: str, *, message: str = "",
               timings: dict | None = None) -> bool:
        if state not in STATES:
            raise ValueError(f"unknown job state {state!r}; known: {', '.join(STATES)}")
        values: dict[str, Any] = {"state": state, "message": message, "finished_at": now(), "stage": ""}
        if timings is not None:
            values["timings"] = json.dumps(timings)
        where = [_J.id == job_id] + ([_J.worker == worker] if worker is not None else [])
        with self.db.transaction() as conn:
            return conn.execute(t.jobs.update().where(*where).values(**values)).rowcount == 1

    def request_cancel(self, job_id: int) -> dict | None:
        """A queued job is cancelled at once; a running one stops at its next file or stage."""
        with self.db.transaction() as conn:
            conn.execute(t.jobs.update().where(_J.id == job_id, _J.state == "queued")
                         .values(state="cancelled", finished_at=now(), cancel_requested=True))
            conn.execute(t.jobs.update().where(_J.id == job_id, _J.state == "running")
                         .values(cancel_requested=True))
        return self.get(job_id)

    def release(self, job_id: int, worker: str, *, message: str = "") -> bool:
        """A running job of ``worker`` back in the queue (its worker is stopping): the next worker resumes it at
        once, without waiting for its heartbeat to go stale. False when the job is no longer this worker's."""
        with self.db.transaction() as conn:
            return conn.execute(t.jobs.update().where(_J.id == job_id, _J.worker == worker, _J.state == "running")
                                .values(state="queued", stage="", message=message)).rowcount == 1

    def requeue(self, job_id: int) -> dict | None:
        """A cancelled or failed job back in the queue; it resumes (finished stages are not run again)."""
        with self.db.transaction() as conn:
            conn.execute(t.jobs.update().where(_J.id == job_id, _J.state.in_(("cancelled", "failed")))
                         .values(state="queued", cancel_requested=False, finished_at=None, message=""))
        return self.get(job_id)
