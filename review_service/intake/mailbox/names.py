"""Attachment names: RFC 2231 / RFC 2047 in any charset (also the non-standard forms mail programs send), raw
8-bit names, ZIP member names (UTF-8 flag, else cp437 as stored by Windows archivers over cp866), made safe to
write as one file name. Pure functions over strings and bytes."""
from __future__ import annotations

import re
import unicodedata
from email.header import decode_header, make_header
from pathlib import PurePosixPath

MAX_NAME = 150
"""The longest file name written (characters); a longer one keeps its extension and loses the middle."""

_ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_FALLBACK_CHARSETS = ("utf-8", "cp1251", "koi8-r", "cp866")


def _from_surrogates(text: str) -> str:
    """Raw 8-bit bytes in a header arrive as surrogate escapes: decode them (UTF-8, else a Cyrillic code page)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for charset in _FALLBACK_CHARSETS:
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def decode_name(raw: str | None) -> str:
    """A header's file name as a person reads it: encoded words (``=?koi8-r?B?…?=``, also inside quotes, where
    some mail programs put them) decoded, raw bytes decoded, NFC."""
    if not raw:
        return ""
    text = _from_surrogates(str(raw))
    if _ENCODED_WORD.search(text):
        try:
            text = str(make_header(decode_header(text)))
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    return unicodedata.normalize("NFC", text).strip()


def zip_member_name(filename: str, flag_bits: int) -> str:
    """A ZIP member's name: as stored when the UTF-8 flag is set, else the cp437 bytes re-read as UTF-8 (7-Zip,
    macOS) or cp866 (Windows archivers in Kazakhstan and Russia)."""
    if flag_bits & 0x800:
        return unicodedata.normalize("NFC", filename)
    try:
        raw = filename.encode("cp437")
    except UnicodeEncodeError:
        return unicodedata.normalize("NFC", filename)
    for charset in ("utf-8", "cp866"):
        try:
            return unicodedata.normalize("NFC", raw.decode(charset))
        except UnicodeDecodeError:
            continue
    return unicodedata.normalize("NFC", filename)


def safe_name(name: str, fallback: str = "attachment") -> str:
    """One file name that is safe to write: the last path part, no control or reserved characters, no leading
    dot (hidden files are not taken in), at most :data:`MAX_NAME` characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name if "/" in name else name
    name = _UNSAFE.sub("_", name).strip().lstrip(". ").rstrip(". ")
    if not name or name in (".", ".."):
        name = fallback
    if len(name) > MAX_NAME:
        _stem, dot, ext = name.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_NAME - len(ext)] + ext
    return name


_EXTENSIONS = ((b"%PDF-", ".pdf"), (b"PK\x03\x04", ".zip"), (b"Rar!", ".rar"), (b"7z\xbc\xaf\x27\x1c", ".7z"),
               (b"\xd0\xcf\x11\xe0", ".doc"), (b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"))


def extension_by_content(data: bytes, content_type: str) -> str:
    """An extension for a part that came without a name, by its first bytes, else its declared type."""
    for magic, ext in _EXTENSIONS:
        if data.startswith(magic):
            return ext
    return {"text/plain": ".txt", "text/html": ".html", "application/pdf": ".pdf"}.get(content_type, ".bin")
