"""Originals are served as what intake detected, never as their names say (issue 20, item 1): an applicant's
``evil.html`` and ``evil.svg`` — each carrying a script that would record a finalist decision as whoever opens
it — go out as ``application/octet-stream`` attachments with ``nosniff`` and ``sandbox``; opened in Chromium by a
signed-in organizer, no script runs and no decision is recorded, while the same script run on one of the
service's pages does record one (the control). A juror in blind review gets 404 for them (text files are not
served to jurors); without blind review, the same attachment as an organizer. Recordings (the WAV named
``.html``, tags stripped for jurors) are in test_files_media.py (slow: Whisper takes them in)."""
from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.intake import recordings
from review_service.intake.parsing.detect import container
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.jury_store import JuryStore
from tests import hostile
from tests import jury as J
from tests.pages import browser_sign_in, client_sign_in
from tests.web import running

HTML, SVG = "evil.html", "evil.svg"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    """tests/jury.py's world plus evil.html and evil.svg taken in by the intake and published for juror ja; their
    scripts target entry E."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile.html_page(folder / HTML, world["E"])
    hostile.svg_image(folder / SVG, world["E"])
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False))
    by_name = {r["file_name"]: r for r in db.submissions()}
    assert by_name[HTML]["format"] == "html" and by_name[SVG]["format"] == "txt"
    payload = copy.deepcopy(db.latest_assignment("published")["payload"])
    for name in (HTML, SVG):
        payload["entries"][by_name[name]["entry_id"]] = {"jurors": [J._row("ja")]}
    J.publish(db, world["organizer"], payload)
    yield {**world, "db": db, "settings": settings, HTML: by_name[HTML]["entry_id"], SVG: by_name[SVG]["entry_id"]}
    db.close()


def assert_sandboxed(r) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    policy = r.headers["content-security-policy"]
    assert policy.split(";")[0].strip() == "sandbox" and "frame-ancestors 'self'" in policy
    assert r.headers["x-frame-options"] == "SAMEORIGIN"


def test_html_and_svg_originals_go_out_as_attachments_never_as_pages(world):
    for blind in (True, False):
        settings = world["settings"].model_copy(update={"blind_review": blind})
        with TestClient(create_app(settings)) as client:
            client_sign_in(client, "organizer")
            for name in (HTML, SVG):
                r = client.get(f"/files/{world[name]}")
                assert r.status_code == 200, name
                assert r.headers["content-type"] == "application/octet-stream", name
                assert r.headers["content-disposition"].startswith("attachment; filename*=UTF-8''evil."), name
                assert b"<script>" in r.content  # the original itself, byte for byte, only never as a page
                assert_sandboxed(r)
            client.cookies.clear()
            client_sign_in(client, "ja")
            for name in (HTML, SVG):
                r = client.get(f"/files/{entry_code(world[name])}")
                if blind:  # text originals are not served to a juror in blind review (their text is on the page)
                    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), name
                else:
                    assert r.headers["content-type"] == "application/octet-stream", name
                    assert r.headers["content-disposition"].startswith("attachment;"), name
                assert_sandboxed(r)


def test_in_chromium_an_applicants_html_or_svg_runs_no_script_as_the_organizer(world, browser):
    db = JuryStore(world["db"])
    with running(create_app(world["settings"], search_engine=J.FakeSearch())) as base:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        browser_sign_in(page, base, "organizer", "pw-organizer-123")
        for name in (HTML, SVG):
            page.goto(f"{base}/org/entries/{world[name]}")
            with page.expect_download() as download:  # the browser saves it; nothing is rendered
                page.evaluate("url => { window.location.href = url; }", f"/files/{world[name]}")
            assert download.value.suggested_filename == name
            opened = context.new_page()  # a new tab, as "open link in new tab" would
            opened.on("download", lambda d: None)
            try:
                opened.goto(f"{base}/files/{world[name]}")
            except Exception as exc:  # noqa: BLE001 - Chromium reports an attachment navigation as aborted
                assert "ERR_ABORTED" in str(exc) or "Download is starting" in str(exc), exc
            page.wait_for_timeout(1500)  # time for the script, had it run, to post its decision
            assert hostile.MARK not in (page.title(), opened.title())
            opened.close()
        assert page.evaluate("() => window.pwned") is None
        assert db.decisions(world["E"]) == []
        # the control: the same script, run on one of the service's own pages, does record a decision
        page.goto(f"{base}/org")
        page.evaluate(hostile.script(world["F"]))
        page.wait_for_function("() => window.pwned === 'posted'", timeout=10_000)
        assert [d.kind for d in db.decisions(world["F"])] == ["finalist"]
        context.close()


@pytest.mark.parametrize(("head", "found", "audio", "video"), [
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav", "audio/wav", "audio/wav"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3", "audio/mpeg", "audio/mpeg"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4", "audio/mp4", "video/mp4"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00", "m4a", "audio/mp4", "audio/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00", "mov", "video/quicktime", "video/quicktime"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "webm", "audio/webm", "video/webm"),
    (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "matroska", "audio/x-matroska",
     "video/x-matroska"),
    (b"OggS\x00\x02", "ogg", "audio/ogg", "video/ogg"),
    (b"<html><script>", None, "application/octet-stream", "application/octet-stream"),
])
def test_a_recordings_type_comes_from_its_container_never_its_name(tmp_path, head, found, audio, video):
    assert container(head) == found
    path = tmp_path / "named.html"  # the name says HTML; the bytes decide
    path.write_bytes(head + b"\x00" * 64)
    assert (recordings.media_type("audio", path), recordings.media_type("video", path)) == (audio, video)
    assert recordings.media_type("html", path) == "application/octet-stream"


def test_a_copy_that_still_holds_a_personal_value_is_refused(tmp_path, settings):
    """The last check before a stripped copy is kept: the applicant's values (UTF-8 or UTF-16) in its bytes."""
    from tests import files as F

    wav = F.make_tone_wav(tmp_path / "tone.wav", seconds=0.5)
    name = "Меруерт Жолдасбекова"
    assert recordings.leaks(wav, [name, "short"]) == []  # "short": under 8 bytes, never looked for
    spoken = tmp_path / "with-name.wav"
    spoken.write_bytes(wav.read_bytes() + name.encode("utf-16-le"))  # trailing bytes: remuxed away
    assert recordings.leaks(spoken, [name]) == [name.encode("utf-16-le")]
    clean = recordings.stripped(spoken, "a" * 64, settings, [name])
    assert clean.parent.parent == settings.stripped_dir and recordings.leaks(clean, [name]) == []
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x24\x00\x00\x00WAVE" + b"\x00" * 40)
    with pytest.raises(recordings.StripFailed):
        recordings.stripped(broken, "b" * 64, settings, [name])
    assert not recordings.stripped_path("b" * 64, settings, recordings.CONTAINERS["wav"]).exists()
