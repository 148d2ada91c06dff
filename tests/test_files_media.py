"""Recordings as served (issue 20, items 1 and 6 of the attack list): taken in through the real intake (espeak-ng
speech, Whisper transcribes it), tagged with the applicant's name, e-mail and phone (RIFF INFO in a WAV, MP4
metadata) — and the WAV named ``evil.html`` with a script in its tags.

- An organizer gets each original as its container says (``audio/wav``, ``video/mp4``), inline, nosniff,
  sandboxed: the WAV named .html never as ``text/html``; opened in Chromium, no script runs.
- A juror in blind review gets a copy without tags: none of the personal values in its bytes, it still decodes,
  Range requests get 206, the player on the entry page loads it; the copy is made once and kept by SHA-256.
- A recording whose copy would still hold a personal value (here, in its sound data) is not served to the juror
  at all (404), never the original."""
from __future__ import annotations

import copy
import io
import wave
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.core.config import Settings
from review_service.server import create_app
from review_service.server.security_headers import MEDIA_POLICY
from review_service.storage import open_database
from review_service.storage.jury_store import JuryStore
from tests import files as F
from tests import hostile
from tests import jury as J
from tests.pages import browser_sign_in, client_sign_in
from tests.web import running

pytestmark = pytest.mark.slow  # Whisper transcribes three recordings first (~30 s here)
NAME, EMAIL, PHONE = "Меруерт Жолдасбекова", "meruert.zh@example.org", "+7 721 200 44 10"
WAV, MP4, LEAKY = "evil.html", "ЖИ байқауы_Жолдасбекова.mp4", "ЖИ байқауы_Крылов.wav"
SPEECH = "Наша библиотека открыла чат-бот для читателей."


def secrets_in(data: bytes) -> list[str]:
    return [v for v in (NAME, EMAIL, PHONE, "Жолдасбекова", "<script")
            if any(v.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be"))]


def _entries(folder: Path, target: str) -> None:
    spoken = F.make_speech_wav(folder / "speech.wav", SPEECH, voice="ru", words_per_minute=150)
    tags = {"artist": NAME, "title": f"{NAME} — проект", "comment": f"{EMAIL}, {PHONE}",
            "copyright": f"<html><body><script>{hostile.script(target)}</script></body></html>"}
    hostile.tagged(spoken, folder / WAV, tags, muxer="wav")
    video = F.make_video(folder / "plain.mp4", audio_wav=spoken)
    hostile.tagged(video, folder / MP4, tags, muxer="mp4", options={"movflags": "use_metadata_tags"})
    with wave.open(str(spoken), "rb") as w:  # the surname inside the sound data itself: no remux removes it
        params, frames = w.getparams(), w.readframes(w.getnframes())
    inside = "Крылов Артём".encode("utf-16-le")
    with wave.open(str(folder / LEAKY), "wb") as w:
        w.setparams(params)
        w.writeframes(frames + inside + frames)
    for path in (spoken, video):
        path.unlink()
    for name in (WAV, MP4):
        assert NAME.encode() in (folder / name).read_bytes()  # the originals do carry the tags


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen
    from tests.test_parsing_media import _whisper_installed

    tmp = tmp_path_factory.mktemp("media")
    settings = Settings(environment="test", data_dir=tmp / "var", render_originals="off", scoring_deadline=J.FUTURE)
    if not F.has_espeak():
        pytest.skip("espeak-ng is not installed")
    if not _whisper_installed(settings):
        pytest.skip("whisper-base is not installed (review-service models install whisper-base)")
    db = open_database(settings)
    world = J.build_world(db, settings, tmp)
    folder = tmp / "media"
    folder.mkdir()
    _entries(folder, world["E"])
    forms = folder / "forms.csv"
    forms.write_text(J.FORMS_HEADER + "".join(
        f'{name},Жолдасбекова,Меруерт,29,Қарағанды кітапханасы,public_mcib,Қарағанды облысы,"{EMAIL}, {PHONE}",'
        f'individual,,Чат-бот,2026-10-05T10:15:00+05:00\n' for name in (WAV, MP4)) +
        f'{LEAKY},Крылов,Артём,31,Павлодар кітапханасы,public_mcib,Павлодар облысы,"a.k@example.org",'
        f'individual,,Газеттер,2026-10-05T10:15:00+05:00\n', encoding="utf-8")
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False, forms=forms))
    records = {r["file_name"]: r for r in db.submissions() if r["file_name"] in (WAV, MP4, LEAKY)}
    assert {n: r["format"] for n, r in records.items()} == {WAV: "audio", MP4: "video", LEAKY: "audio"}
    payload = copy.deepcopy(db.latest_assignment("published")["payload"])
    for record in records.values():
        payload["entries"][record["entry_id"]] = {"jurors": [J._row("ja")]}
    J.publish(db, world["organizer"], payload)
    yield {**world, "db": db, "settings": settings, **{n: r["entry_id"] for n, r in records.items()},
           "records": records}
    db.close()


def _decodes(data: bytes, suffix: str) -> float:
    """Seconds of sound decoded from ``data`` with PyAV (the copy plays)."""
    import av

    with av.open(io.BytesIO(data), format={".wav": "wav", ".mp4": "mp4"}[suffix]) as c:
        frames = list(c.decode(audio=0))
        assert frames
        return sum(f.samples / f.sample_rate for f in frames)


def test_an_organizer_gets_each_recording_as_its_container_says(world):
    with TestClient(create_app(world["settings"])) as client:
        client_sign_in(client, "organizer")
        for name, kind in ((WAV, "audio/wav"), (MP4, "video/mp4")):
            r = client.get(f"/files/{world[name]}")
            assert r.status_code == 200 and r.headers["content-type"] == kind, name  # never text/html
            assert r.headers["content-disposition"].startswith("inline; filename*=UTF-8''"), name
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["content-security-policy"] == MEDIA_POLICY  # sandboxed: no script, no form
            assert NAME in secrets_in(r.content)  # the organizer's original is the file as received


def test_a_blind_juror_gets_recordings_without_their_tags(world):
    settings = world["settings"]
    with TestClient(create_app(settings)) as client:
        client_sign_in(client, "ja")
        for name, kind, suffix in ((WAV, "audio/wav", ".wav"), (MP4, "video/mp4", ".mp4")):
            code = entry_code(world[name])
            r = client.get(f"/files/{code}")
            assert r.status_code == 200 and r.headers["content-type"] == kind, name
            assert r.headers["content-disposition"] == f'inline; filename="{code}{suffix}"'
            assert r.headers["content-security-policy"] == MEDIA_POLICY
            assert secrets_in(r.content) == [], name
            original = (settings.data_dir / world["records"][name]["stored_as"]).read_bytes()
            assert abs(_decodes(r.content, suffix) - _decodes(original, suffix)) < 0.1  # the sound is all there
            part = client.get(f"/files/{code}", headers={"Range": "bytes=100-1099"})
            assert part.status_code == 206 and part.content == r.content[100:1100]
            assert part.headers["content-range"] == f"bytes 100-1099/{len(r.content)}"
            kept = list(settings.stripped_dir.rglob(f"{world['records'][name]['sha256']}{suffix}"))
            assert len(kept) == 1 and kept[0].read_bytes() == r.content  # made once, kept by SHA-256
            made = kept[0].stat().st_mtime_ns
            assert client.get(f"/files/{code}").content == r.content and kept[0].stat().st_mtime_ns == made


def test_a_recording_that_cannot_be_cleaned_is_not_served_to_a_blind_juror(world):
    with TestClient(create_app(world["settings"])) as client:
        client_sign_in(client, "ja")
        r = client.get(f"/files/{entry_code(world[LEAKY])}")
        assert r.status_code == 404 and "Крылов".encode() not in r.content
        assert not list(world["settings"].stripped_dir.rglob(f"{world['records'][LEAKY]['sha256']}*"))  # none kept
        client.cookies.clear()
        client_sign_in(client, "organizer")
        assert client.get(f"/files/{world[LEAKY]}").status_code == 200


def test_in_chromium_the_wav_named_html_runs_no_script_and_the_juror_player_plays_the_clean_copy(world, browser):
    decisions = JuryStore(world["db"])
    with running(create_app(world["settings"], search_engine=J.FakeSearch())) as base:
        for login, key in (("organizer", world[WAV]), ("ja", entry_code(world[WAV]))):
            context = browser.new_context()
            page = context.new_page()
            browser_sign_in(page, base, login, f"pw-{login}-123")
            served = page.goto(f"{base}/files/{key}")
            assert served.status == 200 and served.headers["content-type"] == "audio/wav"
            page.wait_for_timeout(1500)  # time for the script, had it run, to post its decision
            assert page.title() != hostile.MARK
            # opened in a tab it is the browser's own player, and it plays (the sandbox keeps its origin for that)
            page.wait_for_function("() => document.querySelector('video').readyState >= 1", timeout=10_000)
            assert page.evaluate("() => window.pwned") is None
            if login == "ja":
                page.goto(f"{base}/my/{key}")
                page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=20_000)
                assert page.locator("#player").evaluate("p => p.duration") > 1
            context.close()
    assert decisions.decisions(world["E"]) == []
