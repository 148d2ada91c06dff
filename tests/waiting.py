"""Waiting with a deadline: poll a condition and fail with a message instead of sleeping a fixed time."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], *, seconds: float, what: str,
             every: float = 0.2) -> T:
    """Call ``probe`` until ``done(value)`` or ``seconds`` pass; return the last value, or fail naming ``what``."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"waited {seconds:.0f} s for {what}; last value: {value!r}", pytrace=False)
        time.sleep(every)
