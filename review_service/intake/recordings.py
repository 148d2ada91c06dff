"""Recordings as served: the MIME type of a taken-in recording, from its container (what its first bytes show,
as intake detects it, never its file name), and — for a juror in blind review — a copy without its tags.

Tags (ID3, RIFF INFO, MP4 ``udta``/``ilst``, Matroska tags, Vorbis comments, cover art, chapters, attachments)
often hold the applicant's name, e-mail or phone. :func:`stripped` remuxes the audio and video streams into a new
container of the same kind with PyAV, copying the packets (no re-encoding) and nothing else: no container or
stream metadata, no cover art, subtitle, data or attachment streams. The copy is kept by the original's SHA-256
under ``{data_dir}/stripped`` (like renditions under ``{data_dir}/renditions``), and checked before it is kept:
none of the applicant's personal values may be in its bytes. Whatever fails raises :class:`StripFailed`, and the
caller serves nothing rather than the original.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.errors import ReviewError
from review_service.intake.parsing.detect import HEAD_BYTES, container
from review_service.intake.parsing.media import is_cover_art

logger = logging.getLogger(__name__)
OCTET = "application/octet-stream"
MIN_VALUE_BYTES = 8  # shorter personal values could occur in compressed sound by chance


@dataclass(frozen=True)
class Container:
    audio: str  # MIME type when intake took the file in as audio
    video: str  # … as video
    suffix: str
    muxer: str  # the FFmpeg muxer that writes the stripped copy


CONTAINERS: dict[str, Container] = {
    "wav": Container("audio/wav", "audio/wav", ".wav", "wav"),
    "mp3": Container("audio/mpeg", "audio/mpeg", ".mp3", "mp3"),
    "ogg": Container("audio/ogg", "video/ogg", ".ogg", "ogg"),
    "flac": Container("audio/flac", "audio/flac", ".flac", "flac"),
    "m4a": Container("audio/mp4", "audio/mp4", ".m4a", "ipod"),
    "mp4": Container("audio/mp4", "video/mp4", ".mp4", "mp4"),
    "mov": Container("video/quicktime", "video/quicktime", ".mov", "mov"),
    "3gp": Container("audio/3gpp", "video/3gpp", ".3gp", "3gp"),
    "webm": Container("audio/webm", "video/webm", ".webm", "webm"),
    "matroska": Container("audio/x-matroska", "video/x-matroska", ".mkv", "matroska"),
    "avi": Container("video/x-msvideo", "video/x-msvideo", ".avi", "avi"),
    "asf": Container("audio/x-ms-wma", "video/x-ms-wmv", ".asf", "asf"),
}
_MOOV_FIRST = {"ipod", "mp4", "mov", "3gp"}  # the index at the start: a browser can play before the end arrives


class StripFailed(ReviewError):
    code = "media_not_stripped"
    http_status = 404


def container_of(path: Path) -> Container | None:
    try:
        with open(path, "rb") as f:
            found = container(f.read(HEAD_BYTES))
    except OSError:
        return None
    return CONTAINERS.get(found or "")


def media_type(fmt: str, path: Path) -> str:
    """``audio/wav``, ``video/mp4`` …: the taken-in format (audio or video) in the file's container; a container
    this table does not know is ``application/octet-stream``."""
    found = container_of(path)
    if found is None or fmt not in ("audio", "video"):
        return OCTET
    return found.audio if fmt == "audio" else found.video


def suffix(path: Path) -> str:
    found = container_of(path)
    return found.suffix if found else ".bin"


def stripped_path(sha: str, settings: Settings, found: Container) -> Path:
    return settings.stripped_dir / sha[:2] / f"{sha}{found.suffix}"


_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def stripped(path: Path, sha: str, settings: Settings, personal: list[str]) -> Path:
    """The recording at ``path`` without tags: made once (per SHA-256), then the kept copy. ``personal``: the
    applicant's values that must not be in the copy's bytes."""
    found = container_of(path)
    if found is None or not sha:
        raise StripFailed("the recording's container is not one whose tags this service can remove")
    target = stripped_path(sha, settings, found)
    with _guard:
        lock = _locks.setdefault(sha, threading.Lock())
    with lock:  # two range requests at once make the copy once
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", suffix=found.suffix, dir=target.parent)
        os.close(fd)
        try:
            remux(path, Path(tmp), found.muxer)
            leaked = leaks(Path(tmp), personal)
            if leaked:
                raise StripFailed(f"a personal value is still in the copy ({len(leaked)} bytes long)")
            os.replace(tmp, target)
        except StripFailed:
            raise
        except Exception as exc:  # any failure: nothing is served, never the original
            logger.warning("could not strip the tags of %s: %s", path.name, exc)
            raise StripFailed(f"the recording could not be copied without its tags ({type(exc).__name__})") from exc
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target


def remux(src: Path, dest: Path, muxer: str) -> None:
    """Copy the audio and video packets of ``src`` into a new ``muxer`` container at ``dest``: no metadata, no
    cover art, no other streams, no re-encoding."""
    import av

    options = {"movflags": "+faststart"} if muxer in _MOOV_FIRST else {}
    with av.open(str(src)) as source, av.open(str(dest), "w", format=muxer, options=options) as out:
        streams = {s.index: out.add_stream_from_template(s, opaque=True) for s in source.streams
                   if s.type in ("audio", "video") and not is_cover_art(s)}
        if not streams:
            raise ValueError("no audio or video stream")
        for packet in source.demux([source.streams[i] for i in streams]):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)


def leaks(path: Path, values: list[str]) -> list[bytes]:
    """The encodings (UTF-8, UTF-16) of ``values`` found in the file's bytes, read in overlapping pieces."""
    needles = {enc for v in values for enc in (v.encode(), v.encode("utf-16-le"), v.encode("utf-16-be"))
               if len(enc) >= MIN_VALUE_BYTES}
    if not needles:
        return []
    overlap = max(map(len, needles))
    found: set[bytes] = set()
    tail = b""
    with open(path, "rb") as f:
        while piece := f.read(1 << 20):
            window = tail + piece
            found |= {n for n in needles if n in window}
            tail = window[-overlap:]
    return sorted(found)
