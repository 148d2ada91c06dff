"""20 jurors scoring at once through HTTP against a running server (uvicorn in a thread, httpx clients), 50 writes
each, on SQLite and PostgreSQL: nothing lost, nothing doubled, the audit chain unforked."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from review_service.contest.permissions import entry_code
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.jury_store import JuryStore
from tests import jury as J

JURORS, WRITES, ENTRIES = 20, 50, 5


@pytest.fixture
def settings(backend_settings):
    return backend_settings.model_copy(update={"scoring_deadline": J.FUTURE})


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_twenty_jurors_scoring_at_once_over_http(settings, tmp_path):
    db = open_database(settings)
    texts = {f"ЖИ байқауы_Entry{n}.txt": f"Проект номер {n}: библиотека и искусственный интеллект." for n in range(ENTRIES)}
    entries = J.screen_texts(tmp_path / "entries", settings, texts)
    organizer = J.add(db, "serik", "organizer")
    J.rubric(db, organizer)
    jurors = [f"j{n:02d}" for n in range(JURORS)]
    tokens = {}
    for j in jurors:
        J.add(db, j, "juror", j)
        tokens[j] = J.token(db, j)
    payload = J.suggestion(entries, jurors, k=1)
    payload["entries"] = {e: {"jurors": [J._row(j) for j in jurors]} for e in entries}  # everyone scores all
    J.publish(db, organizer, payload)
    audit_before = len(db.audit_log())

    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started

    errors: list[str] = []

    def score(juror: str) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=J.bearer(tokens[juror]), timeout=60) as c:
            for n in range(WRITES):
                entry = entry_code(entries[n % ENTRIES])
                value = float(n // ENTRIES)  # 0..9: the last write to each entry is 9
                r = c.put(f"/entries/{entry}/review", json={"scores": {"innovation": {"value": value}}})
                if r.status_code != 200:
                    errors.append(f"{juror} #{n}: {r.status_code} {r.text[:200]}")

    started = time.monotonic()
    try:
        threads = [threading.Thread(target=score, args=(j,)) for j in jurors]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        elapsed = time.monotonic() - started
        assert not any(t.is_alive() for t in threads), "a client hung"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    print(f"\n{settings.db_url.split(':')[0]}: {JURORS} jurors x {WRITES} writes over HTTP in {elapsed:.1f} s "
          f"({JURORS * WRITES / elapsed:.0f} writes/s), {len(errors)} errors")
    assert errors == []
    reviews = JuryStore(db).reviews()
    assert len(reviews) == JURORS * ENTRIES  # one review per (entry, juror): nothing doubled
    assert sum(r["revision"] for r in reviews) == JURORS * WRITES  # every write counted once: nothing lost
    assert all(r["scores"]["innovation"]["value"] == 9 for r in reviews)  # each juror's last write stands
    assert len(db.scores()) == JURORS * ENTRIES
    assert len(db.audit_log()) - audit_before == JURORS * WRITES
    assert db.verify_audit().intact
    db.close()
