"""Seeking a recording from a note's citation in a real browser: a spoken WAV (espeak-ng, with a long pause) taken
in through the same intake as every entry (Whisper transcribes it; the note cites a moment of its transcript), a
juror opens the entry in headless Chromium, clicks the citation, and the player is at that second; a citation of the
first sentence plays it and stops at its end (not on into the pause); the original is served with HTTP range
requests (206), which is what lets the browser seek."""
from __future__ import annotations

import copy
import wave
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.server import create_app
from review_service.storage import open_database
from review_service.web.views import anchor_target
from tests import files as F
from tests import jury as J
from tests.pages import browser_sign_in, client_sign_in, serious_violations, shot
from tests.web import running

AUDIO_NAME = "ЖИ байқауы_Ахметова.wav"
FIRST = "Я работаю в городской библиотеке."
SECOND = "Наш чат-бот отвечает читателям по каталогу днём и ночью."
PAUSE_S = 14
pytestmark = pytest.mark.slow  # each test takes in and transcribes the recording first (~15 s here)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


def spoken_wav(folder: Path) -> Path:
    """Speech, a long pause, speech: one WAV of ~20 s whose second sentence starts well after 10 s."""
    parts = [F.make_speech_wav(folder / "a.wav", FIRST, voice="ru", words_per_minute=150),
             F.make_speech_wav(folder / "b.wav", SECOND, voice="ru", words_per_minute=150)]
    frames, params = [], None
    for part in parts:
        with wave.open(str(part), "rb") as w:
            params = w.getparams()
            frames.append(w.readframes(w.getnframes()))
        part.unlink()
    silence = b"\0" * (params.sampwidth * params.nchannels * params.framerate * PAUSE_S)
    out = folder / AUDIO_NAME
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        w.writeframes(frames[0] + silence + frames[1])
    return out


@pytest.fixture
def world(settings, tmp_path):
    """tests/jury.py's world plus a recording taken in (and transcribed) by the intake, published for juror ja,
    with a draft note whose sentence cites the transcript segment that starts after the pause."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen
    from review_service.intake.receive import cached_parse
    from tests.test_parsing_media import _whisper_installed

    if not F.has_espeak():
        pytest.skip("espeak-ng is not installed")
    if not _whisper_installed(settings):
        pytest.skip("whisper-base is not installed (review-service models install whisper-base)")
    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    folder = tmp_path / "audio"
    folder.mkdir()
    spoken_wav(folder)
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False))
    record = next(r for r in db.submissions() if r["file_name"] == AUDIO_NAME)
    assert record["format"] == "audio"
    segments = [b for b in cached_parse(record["sha256"], settings, db).blocks if b.anchor.kind == "time"]
    late = next(b for b in segments if b.anchor.start >= 10)  # the second sentence, after the pause
    label = late.anchor.label()
    first = segments[0]
    assert first.anchor.end is not None and first.anchor.end < 10
    notes = db.latest_ai_result("notes")["payload"]
    notes.append({"doc_id": record["entry_id"], "lang": "ru", "disclaimer": "AI draft", "summary_mode": "extractive",
                  "provenance": {"model": "test"},
                  "summary": [{"text": first.text, "anchors": [first.anchor.label()], "origin": "extractive"},
                              {"text": late.text, "anchors": [label], "origin": "extractive"}]})
    db.save_ai_result("notes", notes, {"model": "test", "input_hash": "h-audio"})
    payload = copy.deepcopy(db.latest_assignment("published")["payload"])
    payload["entries"][record["entry_id"]] = {"jurors": [J._row("ja")]}
    J.publish(db, world["organizer"], payload)
    yield {**world, "db": db, "AUDIO": record["entry_id"], "label": label,
           "second": anchor_target(label)["seconds"], "until": anchor_target(label)["until"],
           "early": (anchor_target(first.anchor.label())["seconds"], anchor_target(first.anchor.label())["until"])}
    db.close()


def test_the_original_is_served_in_ranges(settings, world):
    code = entry_code(world["AUDIO"])
    with TestClient(create_app(settings)) as client:
        client_sign_in(client, "ja")
        whole = client.get(f"/files/{code}")
        assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-disposition"] == f'inline; filename="{code}.wav"'
        part = client.get(f"/files/{code}", headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole.content)}"
        assert part.content == whole.content[1000:2000]
        tail = client.get(f"/files/{code}", headers={"Range": f"bytes={len(whole.content) - 10}-"})
        assert tail.status_code == 206 and tail.content == whole.content[-10:]


def test_a_citation_seeks_the_recording_in_a_real_browser(settings, world, browser):
    code = entry_code(world["AUDIO"])
    second = world["second"]
    assert second >= 10
    app = create_app(settings, search_engine=J.FakeSearch())
    with running(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if f"/files/{code}" in r.url else None)
        browser_sign_in(page, base, "ja", "pw-ja-123", lang="ru")
        page.goto(f"{base}/my/{code}")
        player = page.locator("#player")
        assert player.evaluate("p => p.tagName") == "AUDIO"
        page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=20_000)
        duration = player.evaluate("p => p.duration")
        assert duration > second + 1
        assert player.evaluate("p => p.currentTime") < 1
        link = page.locator(f'a.cite[data-seek="{second}"]')
        until = world["until"]
        assert link.count() == 1 and link.get_attribute("href") == f"/files/{code}#t={second},{until}"
        assert link.get_attribute("data-until") == str(until)
        link.click()
        page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {second}) <= 1",
                               timeout=10_000)
        assert page.url.endswith(f"/my/{code}")  # the page stayed; only the player moved
        assert player.evaluate("p => p.seekable.length > 0 && p.seekable.end(0) >= p.duration - 1")
        assert 206 in statuses, statuses  # the browser fetched the recording in ranges
        early = world["early"]  # the first sentence, before the pause: it plays and stops at its end, not in the pause
        page.locator(f'a.cite[data-seek="{early[0]}"]').click()
        page.wait_for_function(f"() => {{ const p = document.getElementById('player'); "
                               f"return p.paused && p.currentTime >= {early[1]} - 0.5; }}", timeout=30_000)
        assert player.evaluate("p => p.currentTime") < early[1] + 1.5 and not player.evaluate("p => p.ended")
        assert serious_violations(page) == []
        shot(page, "page-ja-audio-seek")
        context.close()
