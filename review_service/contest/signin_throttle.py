"""Sign-in back-off: per account and per client address, kept in the database (``storage.throttle``) so that
several server processes on one database count together.

After ``signin_free_failures`` wrong passwords (default 5) on an account or from a client, the next attempt waits
``signin_delay_s`` (1 s), doubling with each further wrong password up to ``signin_max_delay_s`` (15 min); while
it waits every attempt — the right password too — is answered 429 with ``Retry-After`` and the password is not
even checked. The right password after the wait signs in and clears the account's count (not the client's: one
good account must not wipe a guesser's record on others). Counts are forgotten ``signin_forget_s`` (1 h) after
the latest wrong password. Sequential guessing therefore gets at most 10 tries in the first minute (the waits
after tries 5–10 add up to 63 s). Parallel requests checked before any of them failed can each get one try past
the limit (the check and the count are separate transactions); each of them is still counted and audited.

Audited, never with the password: each wrong password (``sign_in_failed``: the login tried, the client, the
reason — unknown user, wrong password, disabled — and the count) and the first refusal of each wait
(``sign_in_throttled``); later refusals of the same wait are not written, so a flood neither fills the log nor
holds the database's write lock.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from review_service.core.errors import TooManyAttempts
from review_service.storage import Database
from review_service.storage.throttle_store import ThrottleStore

REASONS = ("unknown_user", "wrong_password", "disabled", "wrong_current_password")


@dataclass(frozen=True)
class Policy:
    free_failures: int = 5
    delay_s: float = 1.0
    max_delay_s: float = 900.0
    forget_s: float = 3600.0

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(settings.signin_free_failures, settings.signin_delay_s, settings.signin_max_delay_s,
                   settings.signin_forget_s)

    def wait_s(self, failures: int) -> float:
        """The wait after the ``failures``-th wrong password in a row (0 before ``free_failures``)."""
        if failures < self.free_failures:
            return 0.0
        return min(self.max_delay_s, self.delay_s * 2.0 ** min(failures - self.free_failures, 40))

    def after_failure(self, row: dict | None, now: float) -> dict:
        fresh = row is None or now - float(row.get("last_failure") or 0.0) > self.forget_s
        failures = 1 if fresh else int(row["failures"]) + 1  # type: ignore[index]
        wait = self.wait_s(failures)
        return {"failures": failures, "last_failure": now, "locked_until": now + wait if wait else None,
                "refused": 0}


def keys(login: str, client: str) -> tuple[str, str]:
    return f"login:{login.casefold()}", f"client:{client or 'unknown'}"


class SignInGuard:
    """``check`` before a password is verified, then ``failed`` or ``succeeded``."""

    def __init__(self, db: Database, policy: Policy | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store, self.policy, self.clock = ThrottleStore(db), policy or Policy(), clock

    def check(self, login: str, client: str, subject: str) -> None:
        """:class:`TooManyAttempts` while the account or the client waits (the first refusal of a wait audited)."""
        now = self.clock()
        account, address = keys(login, client)
        locked = {k: r for k, r in self.store.rows((account, address)).items()
                  if r["locked_until"] is not None and r["locked_until"] > now}
        if not locked:
            return
        until = max(r["locked_until"] for r in locked.values())
        retry = max(1, math.ceil(until - now))
        if any(not r["refused"] for r in locked.values()):
            which = sorted(k.split(":", 1)[0].replace("login", "account") for k in locked)

            def mark(key: str, row: dict | None) -> dict | None:
                return {**row, "refused": 1} if row is not None else None

            self.store.change(sorted(locked), mark, lambda _rows: {
                "actor": "anonymous", "action": "sign_in_throttled", "subject": subject,
                "detail": {"login": login, "client": client, "waiting": which, "retry_after_s": retry,
                           "note": "later refusals of this wait are not recorded"}})
        raise TooManyAttempts(f"too many wrong passwords; try again in {retry} s", retry_after=retry,
                              hint="wait, then sign in again; ask an administrator if you forgot the password")

    def failed(self, login: str, client: str, reason: str, subject: str) -> None:
        now = self.clock()
        account, address = keys(login, client)

        def audit(rows: dict[str, dict | None]) -> dict:
            row = rows[account] or {}
            return {"actor": "anonymous", "action": "sign_in_failed", "subject": subject,
                    "detail": {"login": login, "client": client, "reason": reason,
                               "failures": row.get("failures"),
                               "client_failures": (rows[address] or {}).get("failures"),
                               "wait_s": round(max(0.0, max(float((r or {}).get("locked_until") or now)
                                                            for r in rows.values()) - now), 1)}}

        self.store.change((account, address), lambda _k, row: self.policy.after_failure(row, now), audit)

    def succeeded(self, login: str) -> None:
        account, _ = keys(login, "")
        if self.store.rows((account,)):
            self.store.change((account,), lambda _k, _row: None)
