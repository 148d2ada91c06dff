"""A passage with the query's terms marked: the words whose analysed term matches a query term."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from review_service.lexical import analyse

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def match_spans(text: str, terms: Collection[str], lang: str | None = None) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index term is one of ``terms``."""
    if not terms:
        return []
    spans = []
    for m in _WORD.finditer(text):
        got = analyse(m.group(0), lang)
        if got and got[0] in terms:
            spans.append((m.start(), m.end()))
    return spans


def snippet(text: str, spans: list[tuple[int, int]], *, width: int = 320, mark: tuple[str, str] = ("**", "**")
            ) -> tuple[str, list[tuple[int, int]]]:
    """A window of about ``width`` characters around the densest run of matches, with the matches marked.

    Returns the marked snippet and the spans (in the original text) that it covers.
    """
    text = unicodedata.normalize("NFC", text)
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        best, start = -1, 0
        for s, _ in spans:  # the window that starts a little before a match and covers most matches
            left = max(0, s - width // 4)
            covered = sum(1 for a, b in spans if a >= left and b <= left + width)
            if covered > best:
                best, start = covered, left
        start = max(0, min(start, len(text) - width))
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 30 else start
        end = min(len(text), start + width)
        space = text.rfind(" ", start, end)
        end = space if end < len(text) and space > start + width // 2 else end
    inside = [(a, b) for a, b in spans if a >= start and b <= end]
    out, pos = [], start
    for a, b in inside:
        out.append(text[pos:a])
        out.append(f"{mark[0]}{text[a:b]}{mark[1]}")
        pos = b
    out.append(text[pos:end])
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix, inside
