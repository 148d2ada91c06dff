"""What a file really is, by its content: magic bytes, ZIP member names, OLE stream names, text decoding.

The file name's extension is only compared with the result (a mismatch becomes a ``wrong_extension``
warning); it never decides the parser. Every refusal is an :class:`IntakeError` with a stable code.
"""
from __future__ import annotations

import codecs
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Reason
from review_service.core.errors import IntakeError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
HEAD_BYTES = 64 * 1024
SAVE_AS = "save it as DOCX, PPTX or PDF and submit it again"

# format → (human name, extensions that fit it)
FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("a PDF document", frozenset({".pdf"})),
    "docx": ("a DOCX document", frozenset({".docx", ".docm", ".dotx"})),
    "pptx": ("a PPTX presentation", frozenset({".pptx", ".pptm", ".ppsx", ".potx"})),
    "txt": ("plain text", frozenset({".txt", ".text", ".md", ".markdown", ".csv", ".html", ".htm", ""})),
    "md": ("Markdown text", frozenset({".md", ".markdown", ".txt", ""})),
    "html": ("an HTML page", frozenset({".html", ".htm", ".xhtml", ".txt", ""})),
    "audio": ("an audio recording", frozenset({".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac",
                                               ".webm", ".mp4", ".wma"})),
    "video": ("a video", frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".3gp", ".ogv", ".ogg"})),
}


@dataclass(frozen=True)
class Detected:
    """The real format of a file; ``text`` is the decoded content for txt/md/html (already read)."""

    format: str
    warnings: tuple[Reason, ...] = ()
    text: str | None = None
    encoding: str = ""


# --- size and emptiness ------------------------------------------------------------------------------


def check_size(path: Path, settings: Settings, fmt: str | None = None) -> int:
    """Empty or too large? Audio/video have their own limit (``max_media_mb``); before the format is known
    the larger of the two limits applies, after it the format's own."""
    size = path.stat().st_size
    if size == 0:
        raise IntakeError("empty", "the file is empty (0 bytes)",
                          hint="ask the applicant to send the file again; the upload or copy probably failed")
    media = fmt in ("audio", "video")
    limit = (settings.max_media_mb if media else settings.max_file_mb) if fmt else max(
        settings.max_file_mb, settings.max_media_mb)
    if size > limit * MB:
        setting = "REVIEW_MAX_MEDIA_MB" if media else "REVIEW_MAX_FILE_MB"
        raise IntakeError(
            "too_large",
            f"the file is {size / MB:.1f} MB, over the limit of {limit:g} MB",
            hint=f"ask for a smaller file (compress images, shorten the video) or raise {setting}",
        )
    return size


# --- ZIP containers (DOCX/PPTX) -----------------------------------------------------------------------


def check_zip(zf: zipfile.ZipFile, settings: Settings, what: str) -> None:
    """Zip-bomb guard from the central directory only: nothing is decompressed here."""
    infos = zf.infolist()
    if len(infos) > 20000:
        raise IntakeError("zip_bomb", f"the {what} holds {len(infos)} parts, far more than any real document",
                          hint="do not open it; ask the applicant to save the file again from their editor")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > settings.max_unpacked_mb * MB:
        raise IntakeError(
            "zip_bomb",
            f"the {what} would unpack to {total / MB:,.0f} MB, over the limit of {settings.max_unpacked_mb:g} MB",
            hint="not opened, to protect the server; ask for a smaller file (compress images) "
                 "or raise REVIEW_MAX_UNPACKED_MB if it is genuine",
        )
    worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1), default=None)
    ratio = worst.file_size / max(worst.compress_size, 1) if worst else 0.0
    if worst is not None and worst.file_size >= MB and ratio > settings.max_compression_ratio:
        raise IntakeError(
            "zip_bomb",
            f"the {what} part {worst.filename!r} is compressed {ratio:,.0f}:1 "
            f"(limit {settings.max_compression_ratio:g}:1), typical of a zip bomb",
            hint="not opened, to protect the server; ask the applicant to save the file again from their editor",
        )
    if total >= MB and total / packed > settings.max_compression_ratio:
        raise IntakeError(
            "zip_bomb",
            f"the {what} is compressed {total / packed:,.0f}:1 overall "
            f"(limit {settings.max_compression_ratio:g}:1), typical of a zip bomb",
            hint="not opened, to protect the server; ask the applicant to save the file again from their editor",
        )


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IntakeError("corrupt", f"the file starts like a ZIP/Office file but its directory cannot be read ({exc})",
                          hint="the file is probably truncated or damaged; ask the applicant to send it again") from exc
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        raise IntakeError("unsupported_type", "the file is an Excel workbook (XLSX), not a project document",
                          hint=SAVE_AS)
    if "content.xml" in names and "mimetype" in names:
        raise IntakeError("unsupported_type", "the file is an OpenDocument (ODT/ODP) file", hint=SAVE_AS)
    if "[Content_Types].xml" in names:
        raise IntakeError("corrupt", "the file is an Office (OOXML) package without its main document part",
                          hint="the file is damaged; open it in Word/PowerPoint, save it again and resubmit")
    raise IntakeError("unsupported_type", "the file is a ZIP archive, not a document",
                      hint="unpack it and submit the documents inside (DOCX, PPTX or PDF) one by one")


# --- OLE compound files (legacy .doc/.ppt/.xls, encrypted OOXML) ---------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole_has(data: bytes, name: str) -> bool:
    return name.encode("utf-16-le") in data


def _ole(path: Path) -> None:
    data = path.read_bytes()
    if _ole_has(data, "EncryptedPackage") or _ole_has(data, "EncryptionInfo"):
        raise IntakeError("encrypted", "the Office file is protected with a password, so its text cannot be read",
                          hint="ask the applicant to remove the password (File → Info → Protect) and resubmit")
    if _ole_has(data, "WordDocument"):
        what = "a legacy Word 97–2003 document (.doc)"
    elif _ole_has(data, "PowerPoint Document"):
        what = "a legacy PowerPoint 97–2003 presentation (.ppt)"
    elif _ole_has(data, "Workbook") or _ole_has(data, "Book"):
        what = "a legacy Excel workbook (.xls)"
    else:
        what = "a legacy Microsoft Office (OLE) file"
    raise IntakeError("unsupported_type", f"the file is {what}, which this service does not read", hint=SAVE_AS)


# --- magic bytes -----------------------------------------------------------------------------------

_IMAGES = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
           (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"))
_OTHER_BINARIES = ((b"MZ", "a Windows program (.exe/.dll)"), (b"\x7fELF", "a Linux program"),
                   (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
                   (b"\x1f\x8b", "a gzip archive"), (b"{\\rtf", "an RTF document"),
                   (b"\xca\xfe\xba\xbe", "a program file"), (b"%!PS", "a PostScript file"))


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MP3/MP2 frame header (11 sync bits, a real version, Layer II/III, valid bitrate and rate)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer in (1, 2) and bitrate not in (0, 15) and rate != 3


# container → the format it is taken in as (audio or video; parse_media then decides by the streams inside)
CONTAINER_FORMAT = {"wav": "audio", "avi": "video", "mp3": "audio", "ogg": "audio", "flac": "audio", "asf": "audio",
                    "m4a": "audio", "mp4": "video", "mov": "video", "3gp": "video", "webm": "video",
                    "matroska": "video"}


def container(head: bytes) -> str | None:
    """The media container that a file's first bytes show (a key of ``CONTAINER_FORMAT``), or None."""
    if head[:4] == b"RIFF":
        return {b"WAVE": "wav", b"AVI ": "avi"}.get(head[8:12])
    if head[:3] == b"ID3" or _mpeg_audio_frame(head):
        return "mp3"
    if head[:4] in (b"OggS", b"fLaC", b"\x30\x26\xb2\x75"):  # Ogg, FLAC, ASF/WMA
        return {b"OggS": "ogg", b"fLaC": "flac"}.get(head[:4], "asf")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"F4A "):
            return "m4a"
        return "mov" if brand == b"qt  " else "3gp" if brand.startswith(b"3g") else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # Matroska / WebM: the EBML header names its DocType
        return "webm" if b"webm" in head[:64] else "matroska"
    return None


def _media(head: bytes) -> str | None:
    found = container(head)
    return CONTAINER_FORMAT[found] if found else None


# --- text -----------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Letters that cp1251 gives to bytes which the Kazakh code page (KZ-1048) uses for Kazakh letters.
_CP1251_ONLY = set("ЉЊЌЋЏљњќћџЎўЈјҐґЇїЄєЅѕ")
_KK_LETTERS = set("ӘәҒғҚқҢңӨөҰұҮүҺһІі")
_HTML_TAG = re.compile(r"<\s*(!doctype\s+html|html|head|body|p|div|br|h[1-6]|table|span|meta)\b", re.IGNORECASE)


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f\v") or 0x7F <= ord(c) < 0xA0)
    return bad / len(text) < 0.01 and "\ufffd" not in text[:2000]


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode bytes as text (BOM, UTF-8, UTF-16 without BOM, Kazakh KZ-1048, cp1251); None when binary."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return None
    sample = data[:4096]
    if b"\x00" in sample:  # UTF-16 without a BOM: the high bytes are nearly all 0x00 (Latin) or 0x04 (Cyrillic)
        for enc, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if sum(b in (0x00, 0x04) for b in high) >= 0.9 * len(high):
                try:
                    text = data[: len(data) // 2 * 2].decode(enc)
                except UnicodeDecodeError:
                    continue
                if _looks_like_text(text):
                    return text, enc
        return None
    try:
        text = data.decode("utf-8")
        return (text, "utf-8") if _looks_like_text(text) else None
    except UnicodeDecodeError:
        pass
    cp1251 = data.decode("cp1251", errors="replace")
    kz1048 = data.decode("kz1048", errors="replace")
    odd = sum(c in _CP1251_ONLY for c in cp1251)
    if odd and sum(c in _KK_LETTERS for c in kz1048) >= odd:
        text, enc = kz1048, "kz1048"
    else:
        text, enc = cp1251, "cp1251"
    return (text, enc) if _looks_like_text(text.replace("\ufffd", "\x00")) else None


def _text_format(text: str, ext: str) -> str:
    if ext in (".html", ".htm", ".xhtml") or _HTML_TAG.search(text[:8192]):
        return "html" if _HTML_TAG.search(text[:65536]) else "txt"
    if ext in (".md", ".markdown"):
        return "md"
    return "txt"


# --- entry ------------------------------------------------------------------------------------------


def _sniff(path: Path, head: bytes, ext: str) -> Detected:
    if b"%PDF-" in head[:1024]:
        return Detected("pdf")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return Detected(_zip_format(path))
    if head[:8] == OLE_MAGIC:
        _ole(path)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise IntakeError("unsupported_type", "the file is a WebP image, not a document",
                          hint="if it is a scan, put the pages into a PDF; otherwise " + SAVE_AS)
    for magic, what in _IMAGES:
        if head.startswith(magic):
            raise IntakeError("unsupported_type", f"the file is {what}, not a document",
                              hint="if it is a scan, put the pages into a PDF; otherwise " + SAVE_AS)
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return _text(path, ext)
    media = _media(head)
    if media:
        return Detected(media)
    for magic, what in _OTHER_BINARIES:
        if head.startswith(magic):
            raise IntakeError("unsupported_type", f"the file is {what}, not a project document", hint=SAVE_AS)
    return _text(path, ext)


def _text(path: Path, ext: str) -> Detected:
    decoded = decode_text(path.read_bytes())
    if decoded is None:
        raise IntakeError("unsupported_type", "the file's content is not a document type this service reads "
                          "(not PDF, DOCX, PPTX, text, audio or video)", hint=SAVE_AS)
    text, encoding = decoded
    if not text.strip():
        raise IntakeError("empty", "the file contains only whitespace, no text",
                          hint="ask the applicant to send the file again with its content")
    return Detected(_text_format(text, ext), text=text, encoding=encoding)


def detect(path: Path, settings: Settings, declared_name: str | None = None) -> Detected:
    """Check size, detect the format by content, and warn when the extension says otherwise."""
    check_size(path, settings)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    body = next((head[len(bom):] for bom, _ in _BOMS if head.startswith(bom)), head)
    if len(head) < HEAD_BYTES and not body.strip(b" \t\r\n\x00\x0b\x0c"):
        raise IntakeError("empty", "the file contains only whitespace, no text",
                              hint="ask the applicant to send the file again with its content")
    name = declared_name or path.name
    ext = Path(name).suffix.lower()
    found = _sniff(path, head, ext)
    check_size(path, settings, found.format)
    human, extensions = FORMATS[found.format]
    if found.format in ("audio", "video"):
        extensions = FORMATS["audio"][1] | FORMATS["video"][1]
    if ext and ext not in extensions:
        message = f"named {ext} but is {human}; read as {found.format.upper()}"
        logger.info("%s: %s", name, message)
        found = Detected(found.format, (Reason("wrong_extension", message, {"named": ext, "actual": found.format}),),
                         found.text, found.encoding)
    return found
