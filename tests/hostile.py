"""Hostile applicant files for the /files tests: a script that, run as a signed-in organizer, reads the CSRF token
from a page and records a finalist decision (issue 20's attack), in an HTML page, an SVG image and a WAV's tags."""
from __future__ import annotations

from pathlib import Path

MARK = "pwned"


def script(target: str) -> str:
    """JavaScript that POSTs a finalist decision for entry ``target`` with the organizer's CSRF token and marks
    the window (``window.pwned``, the title) when it ran."""
    return ("window.pwned = 'ran'; document.title = '" + MARK + "';"
            "fetch('/org').then(r => r.text()).then(t => fetch('/org/entries/" + target + "/decisions', "
            "{method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded', "
            "'X-CSRF-Token': t.match(/name=\"csrf-token\" content=\"([^\"]+)\"/)[1]}, "
            "body: 'kind=finalist&value=yes'})).then(() => { window.pwned = 'posted'; });")


def html_page(path: Path, target: str) -> Path:
    path.write_text(f"<!doctype html><html><head><title>Project</title></head><body><p>Our library project.</p>"
                    f"<script>{script(target)}</script></body></html>", encoding="utf-8")
    return path


def svg_image(path: Path, target: str) -> Path:
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50"><text x="5" y="30">Our '
                    f'library project</text><script>{script(target)}</script></svg>', encoding="utf-8")
    return path


def tagged(src: Path, dest: Path, tags: dict[str, str], *, muxer: str, options: dict | None = None) -> Path:
    """``src``'s streams copied into ``dest`` with ``tags`` as container and stream metadata (RIFF INFO in a WAV,
    ID3 in an MP3, udta/ilst in an MP4 …)."""
    import av

    with av.open(str(src)) as source, av.open(str(dest), "w", format=muxer, options=options or {}) as out:
        out.metadata.update(tags)
        streams = {s.index: out.add_stream_from_template(s, opaque=True) for s in source.streams}
        for stream in streams.values():
            stream.metadata.update(tags)
        for packet in source.demux(list(source.streams)):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    return dest
