"""What a page says in the reader's language: the words a person reads on a kk or ru page (text and the attributes
read aloud or shown: title, aria-label, placeholder, alt), with the applicants' and jurors' own content taken out,
checked for

- a word of the English catalog that is not also a word of the page language's catalog ("draft", "page", "none"…);
- an identifier-shaped token: ``snake_case``, ``system:…``, an ISO timestamp;
- a fixed note sentence of another language (``stages.notes.phrases``).
"""
from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

WORD = re.compile(r"[A-Za-z][A-Za-z']+")
IDENTIFIERS = (re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"), re.compile(r"\bsystem:\w+"),
               re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"))
ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
# words that are the same in every language of the interface (names of formats and products)
NEUTRAL = {"pdf", "docx", "pptx", "csv", "xlsx", "txt", "wav", "mp3", "mp4", "json", "html", "sha", "url", "id",
           "ok", "api", "swagger", "redoc", "embeddinggemma", "qwen", "whisper", "bm25", "faiss", "review",
           "service", "english"}


@cache
def catalog_words(lang: str) -> frozenset[str]:
    po = resources.files("review_service") / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    words: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in strings:
            words |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)[sdf]", " ", text or ""))}
    return frozenset(words)


def english_only(lang: str) -> frozenset[str]:
    return frozenset(w for w in catalog_words("en") - catalog_words(lang) if len(w) >= 3) - NEUTRAL


def readable(page: str) -> str:
    """The text a person reads on ``page`` (HTML), attribute texts included."""
    page = HIDDEN.sub(" ", page)
    attributes = " ".join(ATTRIBUTES.findall(page))
    return html.unescape(TAG.sub(" ", page) + " " + attributes)


def problems(page: str, lang: str, content: list[str], foreign_phrases: list[str] = ()) -> list[str]:
    """What a ``lang`` page says outside the reader's language. ``content``: texts people wrote (entries, forms,
    names, note quotes) removed before checking, longest first."""
    text = readable(page)
    out = [f"note sentence of another language: {p!r}" for p in foreign_phrases if p in text]
    for piece in sorted({c for c in content if c and len(c) >= 3}, key=len, reverse=True):
        text = text.replace(piece, " ")
    out += [f"identifier {m!r}" for rx in IDENTIFIERS for m in rx.findall(text)]
    english = english_only(lang)
    out += [f"English word {w!r}" for w in WORD.findall(text) if w.lower() in english or w.lower() == "none"]
    return out
