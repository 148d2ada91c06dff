"""Originals → PDF renditions: DOCX and PPTX entries rendered by LibreOffice (headless), so a juror sees the pages
and slides as the applicant made them, beside the note, and a citation opens the page it cites.

- Stored by the original's SHA-256 beside the kept originals: ``renditions/<sha[:2]>/<sha>.pdf`` and
  ``<sha>.json`` (status, pages, the page map, seconds, LibreOffice's version — or the error). ``originals/``
  keeps only the received bytes.
- Made by the batch (:func:`render_batch`, from the ``render`` stage of :mod:`review_service.batches.file_stages`
  after intake, in the worker or the CLI): one ``soffice`` run per format for up to :data:`PER_CALL` files, each run with a private profile
  (``-env:UserInstallation``) so concurrent runs never share one, and a timeout (``REVIEW_RENDER_TIMEOUT_S``);
  a file a shared run did not convert is run again alone, so its error is its own.
- Cached: a recorded rendition (made or failed) is not made again unless LibreOffice's version changes; a run
  without LibreOffice records nothing, so installing it later renders on the next batch or page view.
- A failure never fails intake and never touches the original: it is recorded (``code``, ``message``) and the
  pages show the extracted text instead.
- Pages that find no rendition (an older batch) ask :class:`LazyRenderer`: one background thread, a bounded
  queue, never the request thread.
- The page map: ``"slide N"`` → page N (hidden slides are exported too, so the numbers agree); ``"section N"`` →
  the rendered page where that section's text begins, found by matching normalised text (pypdf's page texts).
"""
from __future__ import annotations

import bisect
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Block

logger = logging.getLogger(__name__)

RENDITION_VERSION = "1"
"""Bumped when what is stored changes (the page map, the export options), so renditions are made again."""
FILTERS = {"docx": "pdf:writer_pdf_Export",
           "pptx": 'pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}'}
"""The formats rendered and LibreOffice's export filter for each (hidden slides exported: page N = slide N)."""
PER_CALL = 8
"""Files converted by one ``soffice`` run (its start-up, ~2 s, is shared)."""
PROBE_CHARS = 48


@dataclass(frozen=True)
class Rendition:
    """A rendered original (``status="ok"``) or why it could not be rendered (``"failed"``: code, message)."""

    sha256: str
    format: str
    status: str
    pages: int = 0
    page_map: Mapping[str, int] = field(default_factory=dict)
    """Anchor place (``"slide 3"``, ``"section 2"``) → 1-based page of the PDF."""
    code: str = ""  # failed: timeout | render_failed | no_pages
    message: str = ""
    seconds: float = 0.0
    renderer: str = ""
    version: str = RENDITION_VERSION

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def page_for(self, kind: str, n: int) -> int | None:
        page = self.page_map.get(f"{kind} {n}")
        return page if page and 1 <= page <= self.pages else None

    def summary(self) -> dict:
        """What the screening record says about it (``files[].rendition``)."""
        if self.ok:
            return {"status": "ok", "pages": self.pages}
        return {"status": "failed", "code": self.code, "message": self.message}


def renderable(fmt: str | None) -> bool:
    return fmt in FILTERS


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def enabled(settings: Settings) -> bool:
    return settings.render_originals == "auto" and soffice() is not None


def pdf_path(sha: str, settings: Settings) -> Path:
    return settings.renditions_dir / sha[:2] / f"{sha}.pdf"


def _record_path(sha: str, settings: Settings) -> Path:
    return settings.renditions_dir / sha[:2] / f"{sha}.json"


_VERSION: dict[str, str] = {}


def renderer_version() -> str:
    """``LibreOffice 7.4.7.2 …`` (asked once per process); "" without LibreOffice."""
    exe = soffice()
    if exe is None:
        return ""
    if exe not in _VERSION:
        try:
            out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        _VERSION[exe] = out.strip().splitlines()[0] if out.strip() else "LibreOffice"
    return _VERSION[exe]


def load(sha: str, settings: Settings) -> Rendition | None:
    """The recorded rendition of the original ``sha`` (made or failed), or None when there is none, it is stale
    (another RENDITION_VERSION or LibreOffice version) or its PDF is gone."""
    try:
        data = json.loads(_record_path(sha, settings).read_text(encoding="utf-8"))
        found = Rendition(**data)
    except (OSError, ValueError, TypeError):
        return None
    if found.version != RENDITION_VERSION or (renderer_version() and found.renderer != renderer_version()):
        return None
    if found.ok and not pdf_path(sha, settings).is_file():
        return None
    return found


def _save(rendition: Rendition, settings: Settings, pdf: Path | None = None) -> Rendition:
    target = _record_path(rendition.sha256, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    if pdf is not None:
        os.replace(pdf, pdf_path(rendition.sha256, settings))  # same file system: the tmp dir is beside it
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(rendition), f, ensure_ascii=False)
    os.replace(tmp, target)
    return rendition


# --- the page map ------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def page_map(fmt: str, page_texts: Sequence[str], blocks: Iterable[Block], slides: int | None = None) -> dict[str, int]:
    """Anchor place → page. Slides: slide N is page N when the PDF has one page per slide. Sections (and any
    other place): the page where the place's first findable block begins, searched in order through the pages'
    normalised text (a block's first :data:`PROBE_CHARS` letters and digits); places not found are left out
    (citations to them go to the extracted text)."""
    out: dict[str, int] = {}
    if fmt == "pptx" and slides and slides == len(page_texts):
        return {f"slide {n}": n for n in range(1, slides + 1)}
    starts, joined = [], []
    size = 0
    for text in page_texts:
        starts.append(size)
        piece = _norm(text)
        joined.append(piece)
        size += len(piece)
    whole = "".join(joined)
    cursor = 0
    for block in blocks:
        if block.kind == "notes":
            continue
        key = f"{block.anchor.kind} {int(block.anchor.start)}"
        if key in out:
            continue
        probe = _norm(block.text)[:PROBE_CHARS]
        if len(probe) < 4:
            continue
        at = whole.find(probe, cursor)
        if at < 0:
            at = whole.find(probe)
        if at < 0:
            continue
        out[key] = bisect.bisect_right(starts, at)
        cursor = at + len(probe)
    return out


def _page_texts(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    texts = []
    for page in reader.pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 - a page pypdf cannot read still counts as a page
            texts.append("")
    return texts


# --- LibreOffice ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One original to render: its SHA-256, stored path, format and parsed blocks (for the page map)."""

    sha256: str
    original: Path
    format: str
    blocks: tuple[Block, ...] = ()
    slides: int | None = None


class _Timeout(Exception):
    pass


def _soffice(inputs: list[Path], fmt: str, out_dir: Path, timeout: float) -> str:
    """One ``soffice --convert-to pdf`` run with a private profile; its output. Raises _Timeout (the whole
    process group killed) past ``timeout`` seconds."""
    exe = soffice()
    assert exe is not None
    with tempfile.TemporaryDirectory(prefix="review-soffice-") as profile:
        cmd = [exe, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
               f"-env:UserInstallation={Path(profile).as_uri()}", "--convert-to", FILTERS[fmt],
               "--outdir", str(out_dir), *map(str, inputs)]
        env = {**os.environ, "HOME": profile, "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise _Timeout from None
    return out.decode(errors="replace")


def render_to(src: Path, fmt: str, out_dir: Path, settings: Settings) -> Path | None:
    """``src`` rendered to PDF in ``out_dir`` (a blind rendition: nothing recorded or kept); None when LibreOffice
    is not there, is switched off, times out or made nothing."""
    if not enabled(settings) or not renderable(fmt):
        return None
    try:
        _soffice([src], fmt, out_dir, settings.render_timeout_s)
    except _Timeout:
        return None
    made = out_dir / f"{src.stem}.pdf"
    return made if made.is_file() and made.stat().st_size > 0 else None


def _finish(job: Job, made: Path, seconds: float, output: str, settings: Settings) -> Rendition:
    version = renderer_version()
    if not made.is_file() or made.stat().st_size == 0:
        tail = " ".join(line for line in output.splitlines() if "javaldx" not in line)[-300:].strip()
        return _save(Rendition(job.sha256, job.format, "failed", code="render_failed",
                               message=f"LibreOffice did not produce a PDF ({tail or 'no output'})",
                               seconds=seconds, renderer=version), settings)
    try:
        texts = _page_texts(made)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds; the rendition is then recorded as failed
        return _save(Rendition(job.sha256, job.format, "failed", code="render_failed",
                               message=f"LibreOffice's PDF cannot be read ({type(exc).__name__}: {exc})",
                               seconds=seconds, renderer=version), settings)
    if not texts:
        return _save(Rendition(job.sha256, job.format, "failed", code="no_pages",
                               message="LibreOffice produced a PDF without pages", seconds=seconds,
                               renderer=version), settings)
    found = Rendition(job.sha256, job.format, "ok", pages=len(texts),
                      page_map=page_map(job.format, texts, job.blocks, job.slides), seconds=seconds,
                      renderer=version)
    return _save(found, settings, pdf=made)


def _run(jobs: list[Job], settings: Settings, work: Path) -> dict[str, Rendition]:
    """Convert ``jobs`` (one format) in one soffice run; those it did not convert are run again one by one."""
    fmt = jobs[0].format
    inputs = []
    for job in jobs:
        link = work / f"{job.sha256}.{fmt}"
        if not link.exists():
            os.symlink(job.original.resolve(), link)
        inputs.append(link)
    started = time.monotonic()
    try:
        output = _soffice(inputs, fmt, work, settings.render_timeout_s)
        timed_out = False
    except _Timeout:
        output, timed_out = "", True
    seconds = round(time.monotonic() - started, 2)
    done: dict[str, Rendition] = {}
    retry = []
    for job in jobs:
        made = work / f"{job.sha256}.pdf"
        if made.is_file() and made.stat().st_size > 0:
            done[job.sha256] = _finish(job, made, round(seconds / len(jobs), 2), output, settings)
        elif len(jobs) > 1:
            retry.append(job)
        elif timed_out:
            done[job.sha256] = _save(Rendition(job.sha256, job.format, "failed", code="timeout",
                                               message=f"LibreOffice took over {settings.render_timeout_s:g} s "
                                                       "(REVIEW_RENDER_TIMEOUT_S) and was stopped",
                                               seconds=seconds, renderer=renderer_version()), settings)
        else:
            done[job.sha256] = _finish(job, made, seconds, output, settings)
    for job in retry:
        done.update(_run([job], settings, work))
    return done


def render_batch(jobs: Iterable[Job], settings: Settings, *,
                 progress: Callable[[int], None] | None = None) -> dict[str, Rendition]:
    """Render every job that has no recorded rendition; the rendition (made now or before) by SHA-256. Without
    LibreOffice, or with ``REVIEW_RENDER_ORIGINALS=off``, nothing is rendered or recorded (an empty dict for the
    new ones). ``progress(n)`` is told after each soffice run how many files it handled."""
    out: dict[str, Rendition] = {}
    todo: dict[str, list[Job]] = {}
    seen: set[str] = set()
    for job in jobs:
        if job.sha256 in seen or not renderable(job.format):
            continue
        seen.add(job.sha256)
        found = load(job.sha256, settings)
        if found is not None:
            out[job.sha256] = found
        elif enabled(settings):
            todo.setdefault(job.format, []).append(job)
    for fmt, group in todo.items():
        for i in range(0, len(group), PER_CALL):
            part = group[i:i + PER_CALL]
            settings.renditions_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".render-", dir=settings.renditions_dir) as work:
                try:
                    out.update(_run(part, settings, Path(work)))
                except Exception:  # never lose the batch to a renderer bug; the next batch tries again
                    logger.exception("rendering %d %s file(s) failed", len(part), fmt)
            if progress:
                progress(len(part))
    made = [r for r in out.values() if r.sha256 in {j.sha256 for g in todo.values() for j in g}]
    if made:
        logger.info("rendered %d original(s) to PDF (%d failed) in %.1f s", len(made),
                    sum(not r.ok for r in made), sum(r.seconds for r in made))
    return out


class LazyRenderer:
    """Renders, in one background thread, originals a page found without a rendition (an older batch). At most
    ``limit`` are waiting; past that a page asks again on its next view. Never blocks the caller."""

    def __init__(self, settings: Settings, limit: int = 16) -> None:
        self.settings, self.limit = settings, limit
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        if enabled(settings):
            self._pool.submit(renderer_version)  # asked once (~0.2 s), not by the first page that needs it

    def get(self, job: Job) -> Rendition | None:
        """The recorded rendition, or None after queueing it (when LibreOffice is there and the queue has room)."""
        found = load(job.sha256, self.settings)
        if found is not None or not enabled(self.settings) or not renderable(job.format):
            return found
        with self._lock:
            if job.sha256 in self._pending or len(self._pending) >= self.limit:
                return None
            self._pending.add(job.sha256)
        self._pool.submit(self._render, job)
        return None

    def pending(self, sha: str) -> bool:
        with self._lock:
            return sha in self._pending

    def _render(self, job: Job) -> None:
        try:
            render_batch([job], self.settings)
        finally:
            with self._lock:
                self._pending.discard(job.sha256)

    def wait(self, timeout: float | None = None) -> None:
        """Until the queue is empty (tests, shutdown)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
