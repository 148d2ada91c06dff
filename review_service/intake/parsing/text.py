"""Plain text, Markdown and HTML → blocks (one per paragraph, anchored ``section`` 1, 2, …).

Text arrives already decoded by :mod:`.detect` (BOM, UTF-8, UTF-16, KZ-1048, cp1251). HTML is turned into
text with the standard library's parser: script/style skipped, block elements end a paragraph.
"""
from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

from review_service.core.domain import ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.core.normalize import normalize_text
from review_service.intake.chunking import text_blocks

logger = logging.getLogger(__name__)

_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
          "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt", "figcaption", "main", "nav",
          "aside", "title"}


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip += 1
        if tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(text, title) of an HTML page; paragraphs separated by blank lines."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    # whitespace inside a paragraph is not meaningful in HTML; blank lines (from block tags) are
    paragraphs = [re.sub(r"\s+", " ", p).strip(" |") for p in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(p for p in paragraphs if p), normalize_text(" ".join(parser.title))


_MD_RULES = [
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE), r"\1"),  # headings
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links → link text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"^[ \t]{0,3}(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE), ""),  # list markers
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # quotes
    (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),  # rules
    (re.compile(r"`{1,3}"), ""),
]


def markdown_to_text(md: str) -> str:
    for pattern, repl in _MD_RULES:
        md = pattern.sub(repl, md)
    return md


def parse_text(text: str, fmt: str, *, encoding: str = "", warnings: tuple[Reason, ...] = ()) -> ParsedDocument:
    meta = {"encoding": encoding} if encoding else {}
    if fmt == "html":
        text, title = html_to_text(text)
        if title:
            meta["title"] = title
    elif fmt == "md":
        text = markdown_to_text(text)
    text = normalize_text(text)
    if not text:
        what = "HTML page" if fmt == "html" else "file"
        raise IntakeError("no_text", f"the {what} has no readable text", hint="ask the applicant for the document itself")
    return ParsedDocument(format=fmt, blocks=tuple(text_blocks(text)), warnings=warnings, meta=meta)
