"""One letter (RFC 5322 bytes) → :class:`Letter`: sender, date received, subject, body text, its attachments
decoded by name and kept by content, forwarded letters (``message/rfc822``) opened, cloud-drive links found.

Pure: bytes in, frozen dataclasses out; nothing is written. A part that cannot be decoded is still listed
(``Part.problem``), never dropped.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from review_service.intake.mailbox.links import CloudLink, find_links
from review_service.intake.mailbox.names import decode_name, extension_by_content, safe_name

MAX_BODY = 20_000
"""Characters of a letter's body text kept (the matching reads it; the whole letter stays in the mailbox)."""
MAX_DEPTH = 5
"""Forwards inside forwards opened at most this deep."""


@dataclass(frozen=True)
class Part:
    """An attached file: its decoded name, its bytes, and how it came (``direct`` or ``forwarded``)."""

    name: str
    data: bytes
    content_type: str
    via: str = "direct"
    inline: bool = False
    problem: str = ""  # a code when the part's content could not be decoded


@dataclass(frozen=True)
class Letter:
    source: str
    message_id: str
    sender: str  # the e-mail address, lower-case
    sender_name: str
    date: datetime | None
    date_source: str  # "received" (the mail server's Received: header), "date" (the Date: header) or "none"
    subject: str
    body: str
    parts: tuple[Part, ...] = ()
    links: tuple[CloudLink, ...] = ()
    forwarded_from: tuple[str, ...] = ()  # addresses of the forwarded letters' senders
    problem: str = ""  # "unreadable" when the bytes are not a letter at all, "letter_too_large"

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(a for a in (self.sender, *self.forwarded_from) if a)


@dataclass
class _Walk:
    parts: list[Part] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    forwarded_from: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)  # HTML bodies as sent: a link's address is in its href
    unnamed: int = 0


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, LookupError, IndexError):  # a malformed header: read it raw
        raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
        value = raw[0] if raw else ""
    return decode_name(str(value)) if value is not None else ""


def _address(msg: Message) -> tuple[str, str]:
    raw = _header(msg, "From")
    pairs = getaddresses([raw])
    name, address = pairs[0] if pairs else ("", "")
    return address.strip().casefold(), name.strip()


def received_date(msg: Message, zone: tzinfo) -> tuple[datetime | None, str]:
    """When the mailbox received the letter: the first ``Received:`` header's time (the organizer's server), else
    the ``Date:`` header (the sender's clock); in ``zone`` (the contest's time zone)."""
    for value in msg.get_all("Received", failobj=[]) or []:
        stamp = _parse_date(str(value).rpartition(";")[2])
        if stamp is not None:
            return stamp.astimezone(zone), "received"
    stamp = _parse_date(_header(msg, "Date"))
    return (stamp.astimezone(zone), "date") if stamp is not None else (None, "none")


def _parse_date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        stamp = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp if stamp.tzinfo else None  # "-0000": no zone known; Date: is tried instead


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8", "cp1251"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def _html_text(text: str) -> str:
    text = re.sub(r"<\s*(br|/p|/div|/li|/tr)\b[^>]*>", "\n", text, flags=re.IGNORECASE)
    return html.unescape(_TAGS.sub(" ", text))


def _is_attachment(part: Message, name: str) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and not name:
        return False
    return bool(name) or part.get_content_maintype() in ("application", "audio", "video", "image")


def _walk(msg: Message, walk: _Walk, via: str, depth: int) -> None:
    ctype = msg.get_content_type()
    if ctype != "message/rfc822" and msg.is_multipart():
        for sub in msg.get_payload() or []:
            if isinstance(sub, Message):
                _walk(sub, walk, via, depth)
        return
    if ctype == "message/rfc822":
        inner = msg.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner, Message) and depth < MAX_DEPTH:
            address, _ = _address(inner)
            if address:
                walk.forwarded_from.append(address)
            _walk(inner, walk, "forwarded", depth + 1)
        return
    try:
        name = decode_name(msg.get_filename())
    except (ValueError, LookupError, IndexError):
        name = ""
    if not _is_attachment(msg, name):
        if ctype == "text/plain":
            walk.bodies.append(_text_of(msg))
        elif ctype == "text/html":
            walk.html.append(_text_of(msg))
            walk.bodies.append(_html_text(walk.html[-1]))
        return
    problem = ""
    try:
        data = msg.get_payload(decode=True)
    except (ValueError, LookupError):
        data = None
    if not isinstance(data, bytes):
        data, problem = b"", "undecodable"
    if not name:
        walk.unnamed += 1
        name = f"attachment-{walk.unnamed}{extension_by_content(data, ctype)}"
    inline = (msg.get_content_disposition() or "") == "inline" and msg.get_content_maintype() == "image"
    walk.parts.append(Part(safe_name(name), data, ctype, via, inline, problem))


def read_letter(raw: bytes | None, source: str, zone: tzinfo) -> Letter:
    """One letter from its bytes; ``source`` says where it was found (``mbox#3``, a file name, a Maildir key);
    ``raw`` None: a letter too large to read (:data:`~.sources.MAX_LETTER_MB`), listed as ``letter_too_large``."""
    if raw is None:
        return Letter(source, "", "", "", None, "none", "", "", problem="letter_too_large")
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        if not isinstance(msg, EmailMessage) or not msg.keys():
            raise ValueError("no headers")
        walk = _Walk()
        _walk(msg, walk, "direct", 0)
    except Exception:  # noqa: BLE001 — hostile bytes: the letter is listed as unreadable, the mailbox goes on
        return Letter(source, "", "", "", None, "none", "", "", problem="unreadable")
    sender, sender_name = _address(msg)
    date, date_source = received_date(msg, zone)
    body = unicodedata.normalize("NFC", "\n".join(b.strip() for b in walk.bodies if b.strip()))[:MAX_BODY]
    subject = _header(msg, "Subject")
    return Letter(source=source, message_id=_header(msg, "Message-ID").strip("<> "), sender=sender,
                  sender_name=sender_name, date=date, date_source=date_source, subject=subject, body=body,
                  parts=tuple(walk.parts), links=tuple(find_links("\n".join([subject, body, *map(html.unescape, walk.html)]))),
                  forwarded_from=tuple(walk.forwarded_from))
