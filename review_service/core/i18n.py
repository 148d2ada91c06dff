"""Interface languages (kk, ru, en): message catalogs, choosing a language, dates and numbers per locale.

Every interface string lives in the gettext catalogs under ``review_service/locales/<lang>/LC_MESSAGES/
messages.po`` (extracted from the code and templates by ``bash scripts/i18n.sh extract``), never in a template.
Entry texts are shown as written; only the interface is translated.
"""
from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from importlib import resources

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


def format_datetime(value: datetime | str, lang: str, fmt: str = "medium") -> str:
    """A time in ``lang``'s format; an ISO 8601 string (as stored) is read first."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _babel_datetime(value, format=fmt, locale=Locale.parse(lang))


def format_number(value: float, lang: str, digits: int = 2) -> str:
    return format_decimal(round(value, digits), locale=Locale.parse(lang))
