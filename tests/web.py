"""Real servers and a real browser for page tests: the app under uvicorn on a free port, headless Chromium
(Debian's, driven by Playwright), and axe-core for accessibility. Without Chromium the page tests skip, and with
``CI=true`` they fail instead (``bash scripts/setup.sh`` installs it as root)."""
from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app) -> Iterator[str]:
    """``app`` served by uvicorn in a thread; yields its base URL; stops it after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    from tests.waiting import wait_for

    wait_for(lambda: server.started, bool, seconds=60, what="uvicorn to start", every=0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    reason = "Debian's chromium is not installed (bash scripts/setup.sh installs it as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"page tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(reason)
