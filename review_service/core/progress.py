"""One progress mechanism for every stage and command: a bar on the terminal and/or a listener (the job status).

``Progress(enabled=…, listener=…)`` is a factory: ``progress(total=, desc=)`` returns a :class:`Bar` with
``update(n)``, ``set_postfix_str(s)`` and ``close()`` (the tqdm subset the stages use). The bar draws with tqdm on
stderr when ``enabled``; the listener — ``listener(desc, done, total)`` — is how a job reports its stage and
``done/total`` to the database (``GET /batches/{id}``). Listener calls are throttled to ``every_s`` seconds but the
first and the last are always made.

``check`` — ``check()``, called after every ``update`` (never throttled; it should be cheap) — is how a run is stopped
inside a long loop: a job's check raises :class:`~review_service.batches.typed_batch.BatchStopped` once the job was
cancelled or taken over, so a stage stops between two embedding batches or two entries, after the work already
done was kept (embedding cache, notes cache), instead of at the end of the stage.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Self

Listener = Callable[[str, int, int], None]
Check = Callable[[], None]


class Bar:
    def __init__(self, total: int, desc: str, *, enabled: bool, unit: str, listener: Listener | None,
                 every_s: float, check: Check | None = None) -> None:
        self.total, self.desc, self.done = int(total), desc, 0
        self._listener, self._every, self._last = listener, every_s, 0.0
        self._check = check
        self._tqdm = None
        if enabled:
            from tqdm import tqdm

            self._tqdm = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)
        self._tell(force=True)

    def _tell(self, force: bool = False) -> None:
        if self._listener is None:
            return
        now = time.monotonic()
        if force or now - self._last >= self._every:
            self._last = now
            self._listener(self.desc, self.done, self.total)

    def update(self, n: int = 1) -> None:
        self.done += int(n)
        if self._tqdm is not None:
            self._tqdm.update(n)
        self._tell(force=self.done >= self.total)
        if self._check is not None:
            self._check()

    def set_postfix_str(self, text: str) -> None:
        if self._tqdm is not None:
            self._tqdm.set_postfix_str(text)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        self._tell(force=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Progress:
    """A factory of bars: ``Progress(enabled=True)`` for the CLI, ``Progress(enabled=False, listener=…, check=…)``
    for a job."""

    def __init__(self, *, enabled: bool = True, listener: Listener | None = None, unit: str = "item",
                 every_s: float = 1.0, check: Check | None = None) -> None:
        self.enabled, self.listener, self.unit, self.every_s = enabled, listener, unit, every_s
        self.check = check

    def __call__(self, total: int, desc: str = "", unit: str | None = None) -> Bar:
        return Bar(total, desc, enabled=self.enabled, unit=unit or self.unit, listener=self.listener,
                   every_s=self.every_s, check=self.check)

    def bar(self, total: int, desc: str, unit: str | None = None) -> Bar:
        return self(total, desc, unit)


SILENT = Progress(enabled=False)


def for_cli(no_progress: bool, unit: str = "item") -> Progress:
    """The CLI's bars: on stderr unless ``--no-progress``."""
    return Progress(enabled=not no_progress, unit=unit)
