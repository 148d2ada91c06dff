"""Replay the audit log and compare what it yields with the tables it records.

Every human act is written with its audit record in one transaction (storage.jury, storage.people), and the
record holds enough (``detail``, ``before``, ``after``) to rebuild the row: a review's status, revision and
scores, each decision, each assignment draft and publication (version, note, payload hash), each flag review,
each rubric, each account's role, juror link and state, each AI draft's payload hash, each juror's declaration
and each deadline extension. A row that differs from
the replay, a row no record explains, and a row the log made but the table lacks are reported with the table,
the row's key and the last record concerning it. Actions that carry nothing to replay (sign-ins, password
changes) are skipped.

On a database upgraded from before the detailed log (schema 0001: ``scores`` and ``decisions`` rows with no
record that names their values), a group of rows that no record concerns at all cannot be told from one
inserted behind the log's back: while the log begins with unsigned legacy records such groups are listed as
warnings, not as breaks (docs/jury.md, "Audit trail").
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import tables as t

USER_FIELDS = ("id", "login", "name", "role", "juror_id", "disabled")
LIMIT = 100  # problems listed at most (the first one is what matters)


@dataclass(frozen=True)
class Finding:
    """One table row that does not match the log (or that the log cannot vouch for)."""

    kind: str  # table_edited | row_unlogged | row_missing
    table: str
    row: str  # the row's key, e.g. "entry_id=E-1 juror_id=j01 criterion=innovation"
    reason: str
    record: int | None = None  # the last audit record concerning the row


def _load(text: Any) -> Any:
    try:
        return json.loads(text) if text else None
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _key(**parts: Any) -> str:
    return " ".join(f"{k}={v}" for k, v in parts.items())


@dataclass
class Replay:
    """The tables as the log has them; :meth:`feed` each record in chain order, then :meth:`compare`."""

    reviews: dict[tuple[str, str], dict] = field(default_factory=dict)
    decisions: dict[tuple[str, str], list[tuple[tuple, int]]] = field(default_factory=dict)
    flags: dict[tuple[str, str], list[tuple[tuple, int]]] = field(default_factory=dict)
    assignments: dict[tuple[str, int], tuple[dict, int]] = field(default_factory=dict)
    rubrics: dict[int, tuple[dict, int]] = field(default_factory=dict)
    users: dict[str, tuple[dict, int]] = field(default_factory=dict)
    ai_results: dict[int, tuple[dict, int]] = field(default_factory=dict)
    declarations: dict[tuple[str, str], tuple[dict, int]] = field(default_factory=dict)
    extensions: dict[int, tuple[dict, int]] = field(default_factory=dict)

    def feed(self, row: dict[str, Any]) -> None:
        action, subject, rid = row["action"], row["subject"], int(row["id"])
        detail, after = _load(row["detail"]) or {}, _load(row["after"])
        who, at = row["actor"], row["at"]
        if not isinstance(detail, dict):
            return
        if action == "review_saved" and isinstance(after, dict):
            state = self.reviews.setdefault((subject, str(detail.get("juror"))),
                                            {"status": "draft", "submitted_at": None})
            state.update(sheet=after, revision=detail.get("revision"), rubric_version=detail.get("rubric_version"),
                         updated_at=at, actor=who, record=rid)
        elif action.startswith("review_") and isinstance(after, dict) and "status" in after:
            state = self.reviews.setdefault((subject, str(detail.get("juror"))), {"actor": None})
            state.update(status=after["status"], revision=detail.get("revision"), updated_at=at, record=rid,
                         submitted_at=at if after["status"] == "submitted" else None)
            state.setdefault("sheet", after.get("scores") or {})
        elif action.endswith("_decided") and isinstance(after, dict):
            fact = (after.get("value"), after.get("reason"), who, at)
            self.decisions.setdefault((subject, action.removesuffix("_decided")), []).append((fact, rid))
        elif action.endswith("_flag_reviewed") and isinstance(after, dict):
            fact = (after.get("verdict"), after.get("comment"), who, at)
            self.flags.setdefault((action.removesuffix("_flag_reviewed"), subject), []).append((fact, rid))
        elif action.startswith("assignment_") and subject.startswith("assignment:"):
            state_name = subject.split(":")[1]
            made = {"actor": who, "at": at, "note": detail.get("note"), "payload_sha256": detail.get("payload_sha256")}
            self.assignments[(state_name, int(detail.get("version") or 0))] = (made, rid)
        elif action == "rubric_published" and isinstance(after, dict):
            self.rubrics[int(after.get("version") or 0)] = ({"criteria": after.get("criteria"), "actor": who,
                                                             "at": at}, rid)
        elif subject.startswith("user:") and isinstance(after, dict) and (
                "login" in after or subject.removeprefix("user:") in self.users):
            login = subject.removeprefix("user:")
            known = self.users.get(login, ({}, rid))[0]
            self.users[login] = ({**known, **{k: after[k] for k in USER_FIELDS if k in after}}, rid)
        elif action == "juror_declared" and isinstance(after, dict):
            said = {"kind": after.get("kind"), "reason": after.get("reason"), "note": after.get("note"),
                    "actor": who, "at": at}
            self.declarations[(subject, str(detail.get("juror")))] = (said, rid)
        elif action == "deadline_extended" and isinstance(after, dict) and "extension" in detail:
            scope, _, target = subject.partition(":")
            self.extensions[int(detail["extension"])] = ({"scope": scope, "target": target, "until": after.get("until"),
                                                          "reason": after.get("reason"), "actor": who, "at": at}, rid)
        elif action == "ai_draft_created" and isinstance(after, dict) and "ai_result" in after:
            batch = subject.removeprefix("batch:")
            draft = {"stage": after.get("stage"), "payload_sha256": after.get("payload_sha256"),
                     "batch_id": None if batch == "None" else batch}
            self.ai_results[int(after["ai_result"])] = (draft, rid)

    def compare(self, conn: sa.Connection, *, lenient: bool) -> tuple[list[Finding], list[Finding]]:
        """(problems, warnings): each table row against the replay."""
        out = _Compare(lenient)
        self._reviews(conn, out)
        _sequences(out, "decisions", self.decisions,
                   [((r["entry_id"], r["kind"]), (r["value"], r["reason"], r["actor"], r["at"]), r["id"])
                    for r in conn.execute(sa.select(t.decisions).order_by(t.decisions.c.id)).mappings()],
                   ("entry_id", "kind"), ("value", "reason", "actor", "at"), legacy_table=True)
        _sequences(out, "flag_reviews", self.flags,
                   [((r["kind"], r["target"]), (r["verdict"], r["comment"], r["actor"], r["at"]), r["id"])
                    for r in conn.execute(sa.select(t.flag_reviews).order_by(t.flag_reviews.c.id)).mappings()],
                   ("kind", "target"), ("verdict", "comment", "actor", "at"), legacy_table=False)
        self._keyed(conn, out)
        return out.problems, out.warnings

    def _reviews(self, conn: sa.Connection, out: _Compare) -> None:
        heads = {(r["entry_id"], r["juror_id"]): dict(r) for r in conn.execute(sa.select(t.reviews)).mappings()}
        sheets: dict[tuple[str, str], dict[str, dict]] = {}
        for r in conn.execute(sa.select(t.scores).order_by(t.scores.c.id)).mappings():
            sheets.setdefault((r["entry_id"], r["juror_id"]), {})[r["criterion"]] = {
                "value": r["value"], "comment": r["comment"]}
        for pair in sorted(set(heads) | set(self.reviews) | set(sheets)):
            want, head, sheet = self.reviews.get(pair), heads.get(pair), sheets.get(pair, {})
            key = _key(entry_id=pair[0], juror_id=pair[1])
            if want is None:
                if head is not None:
                    out.add("row_unlogged", "reviews", key, "no audit record made this review", None)
                for criterion in sorted(sheet):
                    out.add("row_unlogged", "scores", f"{key} criterion={criterion}",
                            "no audit record made this score", None, legacy=head is None)
                continue
            if head is None:
                out.add("row_missing", "reviews", key, "the log has this review; the table does not",
                        want["record"])
            else:
                for column in ("status", "revision", "rubric_version", "updated_at", "submitted_at", "actor"):
                    logged_value = want.get(column)
                    if column in want and (logged_value is not None or column == "submitted_at") \
                            and head[column] != logged_value:
                        out.add("table_edited", "reviews", key, f"{column} is {head[column]!r} in the table, "
                                f"{logged_value!r} in the log", want["record"])
            logged = want.get("sheet") or {}
            for criterion in sorted(set(logged) | set(sheet)):
                ck, got, had = f"{key} criterion={criterion}", sheet.get(criterion), logged.get(criterion)
                if got is None:
                    out.add("row_missing", "scores", ck, "the log has this score; the table does not",
                            want["record"])
                elif had is None:
                    out.add("row_unlogged", "scores", ck, "no audit record made this score", want["record"])
                elif (_number(got["value"]), got["comment"]) != (_number(had.get("value")), had.get("comment")):
                    out.add("table_edited", "scores", ck, f"value {got['value']!r} / comment {got['comment']!r} "
                            f"in the table, {had.get('value')!r} / {had.get('comment')!r} in the log",
                            want["record"])

    def _keyed(self, conn: sa.Connection, out: _Compare) -> None:
        a = t.assignments.c
        _keyed(out, "assignments", self.assignments,
               {(r["state"], int(r["version"])): {
                   "actor": r["actor"], "at": r["at"], "note": r["note"],
                   "payload_sha256": hashlib.sha256(r["payload"].encode("utf-8")).hexdigest()}
                for r in conn.execute(sa.select(t.assignments).order_by(a.id)).mappings()},
               lambda k: _key(state=k[0], version=k[1]), legacy=False)
        _keyed(out, "rubrics", self.rubrics,
               {int(r["version"]): {"criteria": _load(r["criteria"]), "actor": r["actor"], "at": r["at"]}
                for r in conn.execute(sa.select(t.rubrics)).mappings()}, lambda k: _key(version=k), legacy=False)
        _keyed(out, "users", self.users,
               {r["login"]: {k: bool(r[k]) if k == "disabled" else r[k] for k in USER_FIELDS}
                for r in conn.execute(sa.select(t.users)).mappings()}, lambda k: _key(login=k), legacy=False)
        _keyed(out, "ai_results", self.ai_results,
               {int(r["id"]): {"stage": r["stage"], "batch_id": None if r["batch_id"] is None else str(r["batch_id"]),
                               "payload_sha256": hashlib.sha256(r["payload"].encode("utf-8")).hexdigest()}
                for r in conn.execute(sa.select(t.ai_results)).mappings()}, lambda k: _key(id=k), legacy=True)
        _keyed(out, "juror_declarations", self.declarations,
               {(r["entry_id"], r["juror_id"]): {c: r[c] for c in ("kind", "reason", "note", "actor", "at")}
                for r in conn.execute(sa.select(t.juror_declarations)).mappings()},
               lambda k: _key(entry_id=k[0], juror_id=k[1]), legacy=False)
        _keyed(out, "deadline_extensions", self.extensions,
               {int(r["id"]): {c: r[c] for c in ("scope", "target", "until", "reason", "actor", "at")}
                for r in conn.execute(sa.select(t.deadline_extensions)).mappings()}, lambda k: _key(id=k),
               legacy=False)


class _Compare:
    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.problems: list[Finding] = []
        self.warnings: list[Finding] = []

    def add(self, kind: str, table: str, row: str, reason: str, record: int | None, *, legacy: bool = False) -> None:
        found = Finding(kind, table, row, reason, record)
        if legacy and self.lenient:
            found = Finding(kind, table, row, "no audit record concerns it: made before the detailed log, or "
                            "behind its back (cannot be told apart on an upgraded database)", record)
            target = self.warnings
        else:
            target = self.problems
        if len(target) < LIMIT:
            target.append(found)


def _sequences(out: _Compare, table: str, logged: dict, rows: list[tuple[tuple, tuple, int]],
               key_names: tuple[str, ...], names: tuple[str, ...], *, legacy_table: bool) -> None:
    """Rows added one per act (decisions, flag reviews): per key, the table's rows in id order equal the log's."""
    found: dict[tuple, list[tuple[tuple, int]]] = {}
    for key, fact, row_id in rows:
        found.setdefault(key, []).append((fact, row_id))
    for key in sorted(set(found) | set(logged), key=str):
        have, want = found.get(key, []), logged.get(key, [])
        label = _key(**dict(zip(key_names, key, strict=True)))
        for n in range(max(len(have), len(want))):
            if n >= len(want):
                out.add("row_unlogged", table, f"id={have[n][1]} {label}", "no audit record made this row",
                        want[-1][1] if want else None, legacy=legacy_table and not want)
            elif n >= len(have):
                out.add("row_missing", table, label, f"the log's act #{n + 1} here is not in the table",
                        want[n][1])
            elif have[n][0] != want[n][0]:
                diff = [f"{c} is {h!r} in the table, {w!r} in the log"
                        for c, h, w in zip(names, have[n][0], want[n][0], strict=True) if h != w]
                out.add("table_edited", table, f"id={have[n][1]} {label}", "; ".join(diff), want[n][1])


def _keyed(out: _Compare, table: str, logged: dict, rows: dict, label, *, legacy: bool) -> None:
    """Rows with a key of their own: each equals what the last record about it says."""
    for key in sorted(set(rows) | set(logged), key=str):
        got, (want, record) = rows.get(key), logged.get(key, (None, None))
        if want is None:
            out.add("row_unlogged", table, label(key), "no audit record made this row", None, legacy=legacy)
        elif got is None:
            out.add("row_missing", table, label(key), "the log has this row; the table does not", record)
        else:
            diff = [f"{c} is {got.get(c)!r} in the table, {w!r} in the log"
                    for c, w in want.items() if w is not None and got.get(c) != w]
            if diff:
                out.add("table_edited", table, label(key), "; ".join(diff), record)
