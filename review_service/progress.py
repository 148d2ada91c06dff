"""One progress mechanism for every stage and command: a bar on the terminal and/or a listener (the job status).

``Progress(enabled=…, listener=…)`` is a factory: ``progress(total=, desc=)`` returns a :class:`Bar` with
``update(n)``, ``set_postfix_str(s)`` and ``close()`` (the tqdm subset the stages use). The bar draws with tqdm on
stderr when ``enabled``; the listener — ``listener(desc, done, total)`` — is how a job reports its stage and
``done/total`` to the database (``GET /batches/{id}``). Listener calls are throttled to ``every_s`` seconds but the
first and the last are always made.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Self

Listener = Callable[[str, int, int], None]


class Bar:
    def __init__(self, total: int, desc: str, *, enabled: bool, unit: str, listener: Listener | None,
                 every_s: float) -> None:
        self.total, self.desc, self.done = int(total), desc, 0
        self._listener, self._every, self._last = listener, every_s, 0.0
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
    """A factory of bars: ``Progress(enabled=True)`` for the CLI, ``Progress(enabled=False, listener=…)`` for a job."""

    def __init__(self, *, enabled: bool = True, listener: Listener | None = None, unit: str = "item",
                 every_s: float = 1.0) -> None:
        self.enabled, self.listener, self.unit, self.every_s = enabled, listener, unit, every_s

    def __call__(self, total: int, desc: str = "", unit: str | None = None) -> Bar:
        return Bar(total, desc, enabled=self.enabled, unit=unit or self.unit, listener=self.listener,
                   every_s=self.every_s)

    def bar(self, total: int, desc: str, unit: str | None = None) -> Bar:
        return self(total, desc, unit)


SILENT = Progress(enabled=False)


def for_cli(no_progress: bool, unit: str = "item") -> Progress:
    """The CLI's bars: on stderr unless ``--no-progress``."""
    return Progress(enabled=not no_progress, unit=unit)
