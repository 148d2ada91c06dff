"""Interface languages (kk, ru, en): message catalogs, choosing a language, dates and numbers per locale.

Every interface string lives in the gettext catalogs under ``review_service/locales/<lang>/LC_MESSAGES/
messages.po`` (extracted from the code and templates by ``bash scripts/i18n.sh extract``), never in a template.
Entry texts are shown as written; only the interface is translated.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


@cache
def translations(lang: str) -> Translations:
    """The catalog of ``lang`` (read from its .po file once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown interface language {lang!r}; known: {', '.join(LANGUAGES)}")
    po = resources.files("review_service") / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(lang: str, message: str, **values: object) -> str:
    text = translations(lang).gettext(message)
    return text % values if values else text


def from_accept_language(header: str | None) -> str | None:
    """The first supported language in an ``Accept-Language`` header, by its q-values."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose_language(asked: str | None, remembered: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the remembered choice (cookie), then the browser's languages, then Kazakh."""
    for candidate in (asked, remembered):
        if candidate in LANGUAGES:
            return candidate
    return from_accept_language(accept_language) or DEFAULT_LANGUAGE


DEFAULT_TIMEZONE = "Asia/Almaty"  # Astana's time (UTC+5 since 2024), where the contest runs


def format_datetime(value: datetime | str, lang: str, fmt: str = "medium", timezone: str = DEFAULT_TIMEZONE) -> str:
    """A time in ``lang``'s format, in ``timezone`` (the contest's); an ISO 8601 string (as stored) is read first,
    and a time without an offset is taken as UTC (as the service stores times)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _babel_datetime(value, format=fmt, tzinfo=ZoneInfo(timezone), locale=Locale.parse(lang))


def format_number(value: float, lang: str, digits: int = 2) -> str:
    return format_decimal(round(value, digits), locale=Locale.parse(lang))


# --- the words of stored codes, for templates (core.messages) -------------------------------------------------


def _field(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def install(env, lang: str, timezone: str = DEFAULT_TIMEZONE) -> None:
    """The catalogs of ``lang`` and the filters that word stored codes, on a Jinja2 environment: ``datetime``,
    ``number``, ``check`` (a pre-check's finding), ``check_name``, ``reason`` (an intake reason), ``conflict``,
    ``place`` (a cited anchor label), ``term`` (a stored value: a facet, an outcome, a language), ``action`` and
    ``actor`` (audit records), ``explanation`` (why a juror is suggested), ``message`` (any code and params)."""
    from review_service.core import messages as m

    translation = translations(lang)
    env.install_gettext_translations(translation, newstyle=True)
    text = translation.gettext

    def when(value, fmt: str = "medium") -> str:
        return format_datetime(value, lang, fmt, timezone) if value else ""

    def message(code: str, params: dict | None = None, fallback: str = "") -> str:
        return m.render(code, params or {}, lang, text, timezone=timezone, when=when, fallback=fallback)

    env.filters["datetime"] = when
    env.filters["number"] = lambda value, digits=2: format_number(value, lang, digits)
    env.filters["check"] = lambda c: message(_field(c, "code") or "", _field(c, "params"), _field(c, "reason", ""))
    env.filters["check_name"] = lambda name: text(m.CHECK_NAMES[name]) if name in m.CHECK_NAMES else name
    env.filters["reason"] = lambda r: message(f"intake.{_field(r, 'code')}", _field(r, "params"),
                                              _field(r, "message", ""))
    env.filters["conflict"] = lambda c: message(f"conflict.{_field(c, 'kind')}", _field(c, "params"),
                                                _field(c, "reason", ""))
    env.filters["place"] = lambda label: place(label, lang, timezone)
    env.filters["term"] = lambda value: m.term(str(value), text) if value is not None else ""
    env.filters["stage"] = lambda name: m.stage_text(str(name), text)
    env.filters["form_field"] = lambda name: m.form_field(str(name), text)
    env.filters["action"] = lambda action: m.action_text(str(action), text)
    env.filters["actor"] = lambda actor: m.actor_text(str(actor or ""), text)
    env.filters["explanation"] = lambda e: explanation(e, lang, timezone)
    env.filters["subject"] = lambda subject: audit_subject(str(subject or ""), lang)
    env.globals["message"] = message


def place(label: str, lang: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A cited anchor label as stored (``page 3``, ``slide 2 (notes)``, ``section 4``, ``01:20–01:35``) in ``lang``."""
    import re

    from review_service.core import messages as m

    text = translations(lang).gettext
    label = (label or "").strip()
    if " – " in label:  # a passage over two places ("section 1–2 – section 3–5")
        return " – ".join(place(part, lang, timezone) for part in label.split(" – "))
    found = re.match(r"^(page|slide|section|line) (\d+)(?:[–-](\d+))?(?: \((notes|table)\))?$", label)
    if found:
        kind, first, last, part = found[1], found[2], found[3], found[4]
        where = text(m.MESSAGES[f"place.{kind}"]) % {"n": f"{first}–{last}" if last else first}
        if part:
            where = text(m.MESSAGES[f"place.part_{part}"]) % {"where": where}
        return where
    span = re.match(r"^((?:\d+:)?\d{1,2}:\d{2})(?:\s*[–-]\s*((?:\d+:)?\d{1,2}:\d{2}))?$", label)
    if span:
        if span[2]:
            return text(m.MESSAGES["place.time"]) % {"start": span[1], "end": span[2]}
        return text(m.MESSAGES["place.moment"]) % {"start": span[1]}
    if not label or label in ("document", "whole", "entry"):
        return text(m.MESSAGES["place.whole"])
    return label


def explanation(value: Any, lang: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """Why a juror is suggested, as a sentence: the shared words and the juror's work it comes from."""
    from review_service.core import messages as m

    text = translations(lang).gettext
    if not value:
        return text(m.MESSAGES["match.no_explanation"])
    if isinstance(value, str):
        return value
    title = str(_field(value, "profile_title") or _field(value, "profile_item") or "")
    terms = [str(t) for t in (_field(value, "shared_terms") or [])][:5]
    if terms:
        return text(m.MESSAGES["match.explanation"]) % {"terms": ", ".join(f"«{t}»" for t in terms), "title": title}
    return text(m.MESSAGES["match.explanation_no_terms"]) % {"title": title}


def audit_subject(subject: str, lang: str) -> str:
    """What an audit record is about, as stored (``batch:3``, ``user:serik``, ``assignment:published:2``,
    ``check:ID:age``, an entry id) in ``lang``; an entry's id stays as it is (organizers search by it)."""
    from review_service.core import messages as m

    text = translations(lang).gettext
    kind, _, rest = subject.partition(":")
    if not rest and kind in m.BARE_SUBJECTS:
        return text(m.BARE_SUBJECTS[kind])
    if kind in m.SUBJECTS and rest:
        parts = rest.split(":")
        if kind == "assignment" and len(parts) == 2:
            return text(m.SUBJECTS["assignment_" + parts[0]] if "assignment_" + parts[0] in m.SUBJECTS
                        else m.SUBJECTS["assignment"]) % {"v": parts[1]}
        if kind == "check" and len(parts) == 2:
            name = text(m.CHECK_NAMES[parts[1]]) if parts[1] in m.CHECK_NAMES else parts[1]
            return text(m.SUBJECTS[kind]) % {"entry": parts[0], "what": name}
        if kind == "note" and len(parts) >= 2:
            return text(m.SUBJECTS[kind]) % {"entry": parts[0], "what": parts[1]}
        if kind in ("check", "note"):
            return subject
        value = "—" if rest in ("None", "none", "") else rest
        return text(m.SUBJECTS[kind]) % {"id": value}
    return subject
