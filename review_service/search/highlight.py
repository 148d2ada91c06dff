"""A passage with the query's terms marked: the words whose analysed term matches a query term, or — for the
forms the stemmer does not join (цифрландырылған / цифрландыру) — whose character 4-grams mostly match a query
word's, as the n-gram signal saw them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

from review_service.core.lexical import analyse, tokenize, word_ngrams

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
NEAR_MIN_LETTERS = 5  # shorter words share 4-grams by chance
NEAR_DICE = 0.5  # share of 4-grams two words must have in common (Dice) to count as one word's forms


def near_words(query: str) -> list[frozenset[str]]:
    """The 4-gram sets of the query's words long enough to compare by n-grams (for :func:`match_spans`)."""
    return [frozenset(word_ngrams(w)) for w in tokenize(query) if len(w) >= NEAR_MIN_LETTERS]


@lru_cache(maxsize=100_000)
def _gram_set(word: str) -> frozenset[str]:
    return frozenset(word_ngrams(word.lower()))


def _is_near(word: str, near: Collection[frozenset[str]], starts: set[str]) -> bool:
    """``word`` has most of its 4-grams in common with a query word; ``starts`` (the query words' first 4-grams)
    rule out most words at once: Kazakh and Russian inflect at the end, so forms of one word begin alike."""
    if len(word) < NEAR_MIN_LETTERS or word_ngrams(word.lower())[0] not in starts:
        return False
    grams = _gram_set(word)
    return any(2 * len(grams & q) >= NEAR_DICE * (len(grams) + len(q)) for q in near)


def match_spans(text: str, terms: Collection[str], lang: str | None = None,
                near: Collection[frozenset[str]] = ()) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index term is one of ``terms``, or that are near (by
    4-grams) one of the ``near`` query words."""
    if not terms and not near:
        return []
    starts = {g for q in near for g in q if g.startswith("#")}
    spans = []
    for m in _WORD.finditer(text):
        got = analyse(m.group(0), lang)
        if (got and got[0] in terms) or (near and _is_near(m.group(0), near, starts)):
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
