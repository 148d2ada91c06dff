"""Letters → registration-form rows, for a person to confirm: by the sender's e-mail address first, then by the
surname in an attached file's name (the «ЖИ байқауы_Тегі» rule), then by the surname in the subject and body.

Surnames are compared on a skeleton where Kazakh (Cyrillic or Latin), Russian and English spellings fold together
(``Ахметова`` = ``Akhmetova``, ``Серікбаев`` = ``Serikbayev``) and a word matches when it is the surname with a
case ending (Russian ``Ахметовой``, ``Серікбаевым``; Kazakh ``Ахметованың``, ``Серікбаевқа``). Pure functions;
each match carries its evidence, and two rows matching at the same step are candidates, never a match.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from review_service.core.normalize import fold

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_VOWELS = set("aeiou")
MAX_ENDING = 6
"""Letters a case ending may add to a surname's stem (Kazakh ``-ның``, ``-ға``; Russian ``-ой``, ``-ым``)."""


Evidence = tuple[str, str]
"""What showed a match: the field looked at (``from``, ``file_name``, ``body``) and the text found there."""


@dataclass(frozen=True)
class FormMatch:
    """The form row a letter seems to belong to (``key``: the forms CSV key), how, and what showed it."""

    key: str | None
    by: str  # "email" | "file_name" | "body" | "none" | "ambiguous"
    evidence: tuple[Evidence, ...] = ()
    candidates: tuple[str, ...] = field(default=())


def skeleton(word: str) -> str:
    """A spelling-independent key of a name: folded to Latin, ``kh``→``h``, ``zh``→``j``, ``i`` before a vowel
    dropped (``Serikbayev``/``Серікбаев``), doubled letters single."""
    s = fold(word).replace("kh", "h").replace("zh", "j").replace("'", "").replace("’", "")
    s = "".join(ch for i, ch in enumerate(s) if not (ch == "i" and i + 1 < len(s) and s[i + 1] in _VOWELS))
    return re.sub(r"(.)\1+", r"\1", s)


def surname_stem(surname: str) -> str:
    """The part every case form of a surname starts with: ``Ахметова``→``ahmetov``, ``Ковальская``→``kovalsk``."""
    s = skeleton(surname)
    for ending in ("skaia", "skii", "skoi", "ska", "ski"):
        if s.endswith(ending) and len(s) > len(ending) + 2:
            return s[: -len(ending) + 2]
    return s[:-1] if len(s) > 4 and s[-1] in "ai" else s


def word_is_surname(word: str, surname: str) -> bool:
    stem, token = surname_stem(surname), skeleton(word)
    if len(stem) < 4:
        return token == skeleton(surname)
    return token.startswith(stem) and len(token) - len(stem) <= MAX_ENDING


def emails_of(row: Mapping[str, str]) -> set[str]:
    """Every e-mail address written in any cell of a form row, lower-case."""
    return {m.group(0).casefold().rstrip(".") for value in row.values() for m in _EMAIL.finditer(str(value or ""))}


def _found(words: Iterable[str], source: str, surname: str) -> str | None:
    """The first word of ``words`` that is ``surname`` in some case form, with up to 40 characters around it."""
    for word in words:
        if word_is_surname(word, surname):
            at = source.find(word)
            return source[max(at - 40, 0): at + len(word) + 40].replace("\n", " ").strip()
    return None


def _surnames(row: Mapping[str, str]) -> list[str]:
    names = [row.get("surname", "")]
    names += re.split(r"[;,]", row.get("team_members", "") or "")
    return [w for n in names for w in _WORD.findall(n or "")[:1] if len(w) >= 3]


def match_letter(addresses: Iterable[str], file_names: Iterable[str], text: str,
                 forms: Mapping[str, Mapping[str, str]]) -> FormMatch:
    """The form row of a letter from its senders' ``addresses``, its attachments' ``file_names`` and its subject
    and body ``text``; the first step that finds exactly one row decides."""
    addresses = {a.casefold() for a in addresses if a}
    by_email = [(k, sorted(emails_of(row) & addresses)) for k, row in forms.items()]
    hits: list[tuple[str, Evidence]] = [(k, ("from", found[0])) for k, found in by_email if found]
    if len(hits) == 1:
        return FormMatch(hits[0][0], "email", (hits[0][1],))
    if len(hits) > 1:
        return FormMatch(None, "ambiguous", tuple(e for _, e in hits), tuple(k for k, _ in hits))
    steps = (("file_name", [(n, _WORD.findall(Path(n).stem)) for n in file_names]),
             ("body", [(text, _WORD.findall(text))]))
    for by, sources in steps:
        found: list[tuple[str, Evidence]] = []
        for key, row in forms.items():
            for surname in _surnames(row):
                hit = next((h for src, words in sources if (h := _found(words, src, surname)) is not None), None)
                if hit is not None:
                    found.append((key, (by, f"{surname}: {hit}")))
                    break
        if len(found) == 1:
            return FormMatch(found[0][0], by, (found[0][1],))
        if len(found) > 1:
            return FormMatch(None, "ambiguous", tuple(e for _, e in found), tuple(k for k, _ in found))
    return FormMatch(None, "none")
