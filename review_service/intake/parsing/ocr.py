"""OCR of scanned PDF pages with the Tesseract binary (Debian ``tesseract-ocr`` + ``-kaz``, ``-rus``).

Page images come from pypdf (``page.images``); when pypdf cannot decode them (JBIG2, CCITT …) and
``pdftoppm`` (poppler-utils) is installed, the page is rendered at 300 dpi instead. Tesseract's TSV
output gives the text and a per-word confidence, averaged into the block's confidence (always < 1).
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from review_service.core.config import Settings
from review_service.core.errors import IntakeError

if TYPE_CHECKING:
    from PIL.Image import Image
    from pypdf import PageObject

logger = logging.getLogger(__name__)

INSTALL_HINT = "install Tesseract: apt-get install tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus"
MIN_IMAGE_SIDE = 200  # smaller pictures are logos and icons, not scanned text
TIMEOUT_S = 180
MAX_CONFIDENCE = 0.95  # OCR text is never as sure as a text layer


@lru_cache(maxsize=1)
def tesseract_languages() -> frozenset[str]:
    """Languages the installed Tesseract has data for (empty when Tesseract is missing)."""
    exe = shutil.which("tesseract")
    if not exe:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("tesseract --list-langs failed: %s", exc)
        return frozenset()
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and " " not in line.strip() and ":" not in line)


def ocr_languages(settings: Settings) -> str:
    """``settings.ocr_languages`` restricted to the installed ones; raises ``needs_ocr`` when OCR cannot run."""
    if settings.ocr == "off":
        raise IntakeError("needs_ocr", "the PDF is scanned (pages are images without a text layer) and needs OCR, "
                          "which is switched off (REVIEW_OCR=off)",
                          hint="set REVIEW_OCR=auto, or ask the applicant for a PDF with a text layer")
    installed = tesseract_languages()
    if not installed:
        raise IntakeError("needs_ocr", "the PDF is scanned (pages are images without a text layer) and needs OCR, "
                          "but Tesseract is not installed", hint=INSTALL_HINT)
    wanted = [lang for lang in settings.ocr_languages.split("+") if lang]
    usable = [lang for lang in wanted if lang in installed]
    missing = [lang for lang in wanted if lang not in installed]
    if missing:
        logger.warning("Tesseract has no data for %s; OCR uses %s", "+".join(missing), "+".join(usable) or "nothing")
    if not usable:
        raise IntakeError("needs_ocr", f"the PDF is scanned and needs OCR, but Tesseract has none of the languages "
                          f"{settings.ocr_languages!r}", hint=INSTALL_HINT)
    return "+".join(usable)


def _prepare(image: Image) -> Image:
    image = image.convert("L")
    if image.width < 1200:  # low-resolution scans: enlarge so letters are tall enough for Tesseract
        factor = max(2, 1800 // max(image.width, 1))
        image = image.resize((image.width * factor, image.height * factor))
    return image


def _parse_tsv(tsv: str) -> tuple[str, float]:
    paragraphs: dict[tuple[str, str], dict[str, list[str]]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        if not word:
            continue
        paragraphs.setdefault((cols[2], cols[3]), {}).setdefault(cols[4], []).append(word)
        try:
            confidences.append(max(float(cols[10]), 0.0) / 100.0)
        except ValueError:
            pass
    text = "\n\n".join("\n".join(" ".join(words) for words in lines.values()) for lines in paragraphs.values())
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return text, min(confidence, MAX_CONFIDENCE)


def ocr_image(image: Image, languages: str) -> tuple[str, float]:
    """(text, mean word confidence 0..0.95) of one image."""
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    with tempfile.TemporaryDirectory(prefix="review-ocr-") as tmp:
        src = Path(tmp) / "page.png"
        _prepare(image).save(src)
        try:
            out = subprocess.run(["tesseract", str(src), "stdout", "-l", languages, "--psm", "3", "tsv"],
                                 check=False, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired as exc:
            raise IntakeError("corrupt", f"OCR of a page image took over {TIMEOUT_S} s and was stopped",
                              hint="check the scan; a person may need to read it") from exc
        if out.returncode != 0:
            logger.warning("tesseract failed (%s): %s", out.returncode, out.stderr.strip()[-300:])
            return "", 0.0
    return _parse_tsv(out.stdout)


def _render(pdf: Path, page_no: int) -> list[Image]:
    exe = shutil.which("pdftoppm")
    if not exe:
        return []
    from PIL import Image as PILImage

    with tempfile.TemporaryDirectory(prefix="review-ocr-") as tmp:
        prefix = Path(tmp) / "p"
        subprocess.run([exe, "-f", str(page_no), "-l", str(page_no), "-r", "300", "-gray", "-png", str(pdf),
                        str(prefix)], check=False, capture_output=True, timeout=TIMEOUT_S)
        images = []
        for png in sorted(Path(tmp).glob("p*.png")):
            with PILImage.open(png) as img:
                images.append(img.copy())
        return images


def page_images(page: PageObject, pdf: Path, page_no: int) -> list[Image]:
    """The page's scanned images (pypdf), or the rendered page when they cannot be decoded."""
    images: list[Image] = []
    try:
        for item in page.images:
            img = item.image
            if img is not None and min(img.size) >= MIN_IMAGE_SIDE:
                images.append(img)
    except Exception as exc:  # noqa: BLE001  # pypdf raises many kinds for unusual image filters
        logger.info("page %d: pypdf could not decode its images (%s); rendering the page", page_no, exc)
        images = []
    return images or _render(pdf, page_no)


def ocr_page(page: PageObject, pdf: Path, page_no: int, languages: str) -> tuple[str, float]:
    texts: list[str] = []
    weighted = 0.0
    for image in page_images(page, pdf, page_no):
        text, confidence = ocr_image(image, languages)
        if text.strip():
            texts.append(text)
            weighted += confidence * len(text)
    total = sum(len(t) for t in texts)
    return "\n\n".join(texts), (weighted / total if total else 0.0)
