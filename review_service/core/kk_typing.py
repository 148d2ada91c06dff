"""Kazakh typed in other ways, brought back to what the search index and the embedder know (query side only).

Two habits of people typing Kazakh that the analyser and the embedder cannot read as they are:

- **Apostrophe Latin** (the 2017 alphabet, and what people type without the accented letters): «o'qyrman»,
  «bag'darlama», «kitaptyn'», «s'ag'yn». :func:`apostrophe_latin` rewrites letter + apostrophe as the 2018
  acute letters (a' → á, g' → ǵ, n' → ń, o' → ó, u' → ú, y' → ý, i' → ı, s' → sh, c' → ch), which
  :func:`review_service.core.normalize.kk_latin_to_cyrillic` and the analyser read. Only when the result reads as
  Kazakh and the text has two such letters or a Kazakh q (not before u); text with an English contraction
  ('s 't 'll 're 've 'd 'm) is never touched.
- **A Russian keyboard**: the nine Kazakh letters typed as their Russian look-alikes (ә→а, ғ→г, қ→к, ң→н, ө→о,
  ұ/ү→у, һ→х, і→и or Latin i). No rule can put the letters back (is «кала» «қала»?), but the archive can: a
  :class:`KeyboardRestorer` is built from the words of the indexed texts, and a query word with no Kazakh letter
  becomes the archive's most frequent Kazakh word that types the same on a Russian keyboard, when the archive
  has no such word as typed, and only when at least half of the query's words of 3+ letters can be restored that
  way (a Russian question keeps its words).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from review_service.core.normalize import is_latin_kazakh

_APOS_CHARS = "'’ʼ`‘"
_CONTRACTION = re.compile(rf"[{_APOS_CHARS}](?:s|t|ll|re|ve|d|m)\b", re.IGNORECASE)
_APOS = re.compile(rf"([agnouyisc])[{_APOS_CHARS}]", re.IGNORECASE)
_APOS_MAP = {"a": "á", "g": "ǵ", "n": "ń", "o": "ó", "u": "ú", "y": "ý", "i": "ı", "s": "sh", "c": "ch"}
_KAZAKH_Q = re.compile(r"q(?!u)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_KK_LETTERS = frozenset("әғқңөұүһі")
_RU_KEYBOARD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
                              "і": "и", "i": "и"})


def apostrophe_latin(text: str) -> str:
    """Apostrophe-Latin Kazakh → the 2018 acute letters; any other text unchanged."""
    text = unicodedata.normalize("NFC", text)
    if not any(c in text for c in _APOS_CHARS) or _CONTRACTION.search(text):
        return text

    def repl(m: re.Match) -> str:
        out = _APOS_MAP[m.group(1).lower()]
        return out[:1].upper() + out[1:] if m.group(1).isupper() else out

    converted, n = _APOS.subn(repl, text)
    kazakh_q = _KAZAKH_Q.search(text) is not None  # q not before u: a Kazakh letter, rare in English
    return converted if n and (n >= 2 or kazakh_q) and is_latin_kazakh(converted) else text


def keyboard_key(word: str) -> str:
    """How ``word`` types on a Russian keyboard (lower case)."""
    return word.lower().translate(_RU_KEYBOARD)


class KeyboardRestorer:
    """Puts back Kazakh letters typed as Russian look-alikes, from the words of the indexed texts."""

    def __init__(self, words: Iterable[str]) -> None:
        counts = Counter(w.lower() for w in words)
        best: dict[str, tuple[int, str]] = {}
        for word, n in counts.items():
            if _KK_LETTERS.intersection(word):
                key = keyboard_key(word)
                if n > best.get(key, (0, ""))[0]:
                    best[key] = (n, word)
        self.kazakh = {key: word for key, (_, word) in best.items()}
        """Russian-keyboard form → the archive's most frequent Kazakh word typed that way."""
        self.known = frozenset(w for w in counts if w in self.kazakh)
        """Words the archive has as typed, without Kazakh letters, that look like a Kazakh word's typing."""

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> KeyboardRestorer:
        return cls(w for t in texts for w in _WORD.findall(unicodedata.normalize("NFC", t)))

    def _restore_word(self, word: str) -> str | None:
        low = word.lower()
        if _KK_LETTERS.intersection(low) or low in self.known:
            return None
        found = self.kazakh.get(keyboard_key(low))
        if found is None:
            return None
        return found.capitalize() if word[:1].isupper() else found

    def restore(self, text: str) -> str:
        """``text`` with its restorable words restored, when at least half its words of 3+ letters are; else as
        it is."""
        text = unicodedata.normalize("NFC", text)
        words = [m for m in _WORD.finditer(text) if len(m.group()) >= 3]
        if not words:
            return text
        fixes = {m.start(): (m.end(), r) for m in words if (r := self._restore_word(m.group())) is not None}
        if 2 * len(fixes) < len(words):
            return text
        out, pos = [], 0
        for start in sorted(fixes):
            end, word = fixes[start]
            out.append(text[pos:start])
            out.append(word)
            pos = end
        out.append(text[pos:])
        return "".join(out)
