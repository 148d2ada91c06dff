"""The real tiny embedder, watched: every text the model itself encodes is recorded (the embedding cache's misses),
and a call can be held until the test lets it go — how the job tests stop a run at a known point without timing.

In-process: ``Watched(tiny_encoder, hold_at=2)`` and monkeypatch ``embeddings.load_encoder``. In a subprocess
(``review-service screen``): ``python -m tests.encoders screen …`` with ``REVIEW_TEST_CALLS`` (a JSONL file, one
line of ``kind:text`` per call the model finished), ``REVIEW_TEST_HOLD`` (while this file exists, the first call after the
stage ``REVIEW_TEST_HOLD_AFTER`` is done waits; it writes ``<hold>.held`` when it starts waiting).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Self

import numpy as np


class Watched:
    """Forwards to ``inner``; records each call's texts once encoded; ``hold_at=n``: the n-th call waits (before
    encoding) until :meth:`release`; ``hold`` — any callable run before each call — for other conditions."""

    def __init__(self, inner, *, hold_at: int | None = None, hold: Callable[[], None] | None = None,
                 log: Path | None = None) -> None:
        self.inner, self.calls, self.log = inner, [], log
        self._hold_at, self._hold = hold_at, hold
        self.held, self._go = threading.Event(), threading.Event()
        self._n = 0

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def encode(self, texts: Sequence[str], *, kind: str = "document") -> np.ndarray:
        self._n += 1
        if self._hold is not None:
            self._hold()
        if self._n == self._hold_at:
            self.held.set()
            self._go.wait()
        vectors = self.inner.encode(texts, kind=kind)
        keyed = [f"{kind}:{t}" for t in texts]
        self.calls.append(keyed)
        if self.log is not None:
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(keyed, ensure_ascii=False) + "\n")
        return vectors

    def release(self) -> None:
        self._go.set()

    def texts(self) -> list[str]:
        """Every text the model encoded, as ``kind:text``, in order."""
        return [t for call in self.calls for t in call]


def logged_texts(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [t for line in log.read_text(encoding="utf-8").splitlines() for t in json.loads(line)]


class StageDone(logging.Handler):
    """Set once the job logs ``stage <stage> done`` (the line ``screen`` prints as ``[screen] stage … done``)."""

    def __init__(self, stage: str) -> None:
        super().__init__()
        self.stage, self.seen = stage, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(f"stage {self.stage} done"):
            self.seen.set()

    def __enter__(self) -> Self:
        log = logging.getLogger("review_service.batches.job_runner")
        self._level = log.level
        log.addHandler(self)
        log.setLevel(logging.INFO)
        return self

    def __exit__(self, *_: object) -> None:
        log = logging.getLogger("review_service.batches.job_runner")
        log.removeHandler(self)
        log.setLevel(self._level)


def main() -> int:
    """``review-service`` with the watched tiny embedder (see the module's docstring)."""
    import embeddings
    from review_service.commands import cli

    hold, after = os.environ.get("REVIEW_TEST_HOLD"), os.environ.get("REVIEW_TEST_HOLD_AFTER", "")
    calls = os.environ.get("REVIEW_TEST_CALLS")
    done = StageDone(after).__enter__()

    def wait_while_held() -> None:
        if hold and done.seen.is_set() and Path(hold).exists():
            Path(f"{hold}.held").touch()
            while Path(hold).exists():
                time.sleep(0.02)  # signals are handled here, between two sleeps

    real = embeddings.load_encoder
    cache: dict[str, Watched] = {}

    def load_encoder(settings=None, name=None):
        inner = real(settings, name)
        key = inner.model_id
        if key not in cache:
            cache[key] = Watched(inner, hold=wait_while_held, log=Path(calls) if calls else None)
        return cache[key]

    embeddings.load_encoder = load_encoder
    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
