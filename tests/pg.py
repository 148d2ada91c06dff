"""A real PostgreSQL server for the tests: Debian's binaries, a throw-away cluster in a temporary folder, a free
port on 127.0.0.1, started once per test session and stopped after; each test gets a database of its own.

Where PostgreSQL is not installed the tests that need it skip with the reason; with ``CI=true`` they fail
instead, since CI must run them (``bash scripts/setup.sh`` installs Debian's ``postgresql``).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web import free_port

INSTALL_HINT = "install Debian's postgresql (bash scripts/setup.sh does, as root)"


def _bin(name: str) -> str | None:
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    return shutil.which(name)


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests must run in CI, but {reason}: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} ({INSTALL_HINT})")


class PostgresServer:
    """``initdb`` + ``pg_ctl start`` as the ``postgres`` user when run as root (PostgreSQL refuses root)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.data = folder / "data"
        self.log = folder / "server.log"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr.strip()}\n{log}")

    def start(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            unavailable("initdb/pg_ctl were not found")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(initdb, "-D", str(self.data), "-U", "review", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")
        self._pg_ctl = pg_ctl

    def stop(self) -> None:
        subprocess.run([*self._as, self._pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=60, check=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://review@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=review dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def serve(folder: Path) -> Iterator[PostgresServer]:
    if not shutil.which("runuser") and os.geteuid() == 0:
        unavailable("runuser is missing (needed to run PostgreSQL as root)")
    server = PostgresServer(folder)
    try:
        server.start()
    except RuntimeError as exc:
        unavailable(f"the server did not start ({exc})")
    try:
        yield server
    finally:
        server.stop()
