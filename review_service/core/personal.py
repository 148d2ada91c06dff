"""Where an applicant's personal values occur in a text: one matcher for everything a juror is shown in blind review
(the note, the extracted text, the PDF pages served; :mod:`review_service.intake.redaction`).

A value is found as it is written in running text, not only as the form spells it:

- **names** (name, surname, the surname in the file name, team members) word by word, in their Kazakh and Russian
  case forms (``Серікова``, ``Сериковой``, ``Серікованың``, ``Серіковаға``) and in either script (``Serikova``,
  ``Zholdasbekova`` / ``Joldasbekova`` / ``Şärıpova``): every word is reduced to a *key* (Cyrillic transliterated,
  digraphs folded, Kazakh letters folded to their Russian/Latin neighbours, doubled letters collapsed) and a word
  of the text matches when its key is the value's key plus a case ending (or, for a long stem, any short ending);
- **places** (library, region): the value's *distinctive* words (not library / administrative vocabulary such as
  «аудандық», «кітапхана», «областная») are found like names, and a span grows over the neighbouring library and
  place words, so «Жалағаш аудандық кітапханасы» is one span wherever the form said «Жалағаш аудандық
  орталықтандырылған кітапхана жүйесі»; a place with no distinctive word is found as its whole word sequence;
- **e-mail addresses** and **phone numbers** in their usual formats (``+7 (701) 123-45-67``, ``8 701 1234567``),
  any of them, not only the form's; and every value literally (case-insensitive).

Pure: strings in, spans out (:meth:`Matcher.spans`, :meth:`Matcher.redact`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "э": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "ы": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f",
    "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "ю": "u", "я": "a",
}
_LATIN = {"ş": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "g", "ñ": "n", "ı": "i", "ä": "a",
          "ö": "o", "ü": "u", "ū": "u", "ō": "o", "ā": "a", "ī": "i", "ə": "a"}
_DIGRAPHS = (("shch", "S"), ("dzh", "J"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("kh", "h"), ("gh", "g"),
             ("ph", "f"), ("ya", "a"), ("yu", "u"), ("yo", "o"), ("ye", "e"), ("ia", "a"), ("iu", "u"),
             ("io", "o"), ("ng", "n"), ("dj", "J"), ("j", "J"), ("x", "ks"), ("q", "k"), ("c", "k"), ("w", "v"),
             ("y", "i"))
_VOWELS = set("aeiou")
WORD = re.compile(r"[^\W\d_]+")

# Case endings (Cyrillic; their keys are taken): Kazakh endings go on the whole word, Russian ones replace a final
# vowel (Серикова → Сериковой) or follow a final consonant (Крылов → Крылову).
_KAZAKH = ("ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "а", "е", "на", "не", "ны", "ні",
           "ды", "ді", "ты", "ті", "н", "ы", "і", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен",
           "нан", "нен", "мен", "бен", "пен", "менен", "сы", "сі", "сын", "сын", "сының", "сінің", "сына", "сіне",
           "сында", "сінде", "сынан", "сінен", "сымен", "сімен", "лар", "лер", "дар", "дер", "тар", "тер", "лары",
           "лері", "ларының", "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі", "ша", "ше", "қызы", "ұлы")
_RUSSIAN = ("а", "у", "е", "ы", "и", "ой", "ою", "ей", "ею", "ом", "ем", "ым", "им", "ых", "их", "ым", "ыми", "ими",
            "ую", "юю", "ая", "яя", "ое", "ее", "ого", "его", "ому", "ему", "ом", "ий", "ый", "ой", "ия", "ии", "ию",
            "ией", "ский", "ская", "ской", "скую", "ском", "ского", "ова", "ову", "овой", "ове", "овым", "ых", "ам",
            "ами", "ах", "ями", "ям", "ях")
LONG_STEM = 6
"""A stem key this long matches with any ending of up to :data:`FREE_ENDING` letters (Павлодара, Павлодарская)."""
FREE_ENDING = 6
MIN_KEY = 3

# Library and administrative vocabulary: not distinctive on its own, joined to a span beside a distinctive word.
GENERIC = (
    "кітапхана", "кітапханалар", "библиотека", "библиотечная", "library", "libraries", "kitaphana", "аудандық",
    "аудан", "ауданы", "районная", "район", "районный", "облыстық", "облыс", "облысы", "областная", "областной",
    "область", "oblast", "region", "regional", "district", "қалалық", "қала", "қаласы", "городская", "город",
    "city", "орталық", "орталықтандырылған", "центральная", "централизованная", "central", "ауылдық", "ауыл",
    "сельская", "село", "ғылыми", "научная", "әмбебап", "универсальная", "жүйесі", "жүйе", "система", "цбс",
    "окж", "ожк", "мекемесі", "мемлекеттік", "государственная", "коммунальное", "коммуналдық", "гу", "кгу",
    "ккм", "атындағы", "имени", "им", "балалар", "детская", "жасөспірімдер", "юношеская", "жастар", "молодежная",
    "university", "университет", "университеті", "университетінің", "колледж", "колледжі", "college", "school",
    "мектеп", "мектебі", "школа", "филиал", "филиалы", "бөлімі", "отдел", "public", "national", "ұлттық",
    "национальная", "академиялық", "академическая", "республикалық", "республиканская", "of", "the", "and", "и",
    "және", "мен", "№", "no", "қ", "г", "обл", "р", "n")


def _latin(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text).casefold():
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _LATIN:
            out.append(_LATIN[ch])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)))
    return "".join(out)


def key(word: str) -> str:
    """The script-free key of a word: ``Жолдасбекова``, ``Zholdasbekova`` and ``Joldasbekova`` share one."""
    text = _latin(word)
    for a, b in _DIGRAPHS:
        text = text.replace(a, b)
    text = re.sub(r"[^a-zA-Z]", "", text)
    return re.sub(r"(.)\1+", r"\1", text)


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


_KAZAKH_KEYS = frozenset(key(e) for e in _KAZAKH)
_RUSSIAN_KEYS = frozenset(key(e) for e in _RUSSIAN)


def word_forms(word: str) -> frozenset[str]:
    """The keys of a name word's case forms (the word itself included)."""
    k = key(word)
    forms = {k} | {_collapse(k + e) for e in _KAZAKH_KEYS}
    stem = k[:-1] if k and k[-1] in _VOWELS else k
    forms |= {_collapse(stem + e) for e in _RUSSIAN_KEYS} | {_collapse(k + e) for e in _RUSSIAN_KEYS}
    return frozenset(f for f in forms if f)


@dataclass(frozen=True)
class WordPattern:
    """A name word (or a place's distinctive word) found in its case forms and either script."""

    value: str
    forms: frozenset[str]
    stems: tuple[str, ...]  # long stems: any short ending (a Russian adjective's stem too: Павлодарская → Павлодар)

    @classmethod
    def of(cls, word: str) -> WordPattern:
        k = key(word)
        stems = [k.rstrip("aeiou")] if len(k) >= LONG_STEM else []
        if stems and re.search(r"[aeiou]?sk$", stems[0]):
            stems.append(re.sub(r"(?:in)?[aeiou]?sk$", "", stems[0]).rstrip("aeiou"))
        return cls(word, word_forms(word), tuple(s for s in stems if len(s) >= LONG_STEM))

    def matches(self, k: str) -> bool:
        if k in self.forms:
            return True
        return any(k.startswith(stem) and len(k) - len(stem) <= FREE_ENDING for stem in self.stems)


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE = re.compile(r"(?<![\w+\-])(?:\+\s?\d{1,3}[\s\-.]*|8[\s\-.]*)?\(?\d{3,4}\)?[\s\-.]*\d{2,3}[\s\-.]*\d{2}"
                   r"[\s\-.]*\d{2}(?![\w\-])")
_GENERIC_KEYS = frozenset(key(w) for w in GENERIC)
_GENERIC_STEMS = frozenset(k.rstrip("aeiou") for k in _GENERIC_KEYS)


def _generic(k: str) -> bool:
    if k in _GENERIC_KEYS:
        return True
    return any(len(stem) >= 4 and k.startswith(stem) and len(k) - len(stem) <= FREE_ENDING for stem in _GENERIC_STEMS)


@dataclass(frozen=True)
class Place:
    """A library or region: its distinctive words, and its own words (the generic ones join a span)."""

    value: str
    distinctive: tuple[WordPattern, ...]
    words: tuple[str, ...]  # keys of all its words, for the whole-sequence match

    @classmethod
    def of(cls, value: str) -> Place:
        words = [w for w in WORD.findall(value)]
        distinctive = tuple(WordPattern.of(w) for w in words if len(key(w)) >= MIN_KEY and not _generic(key(w)))
        return cls(value, distinctive, tuple(key(w) for w in words))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # name | place | email | phone | value


@dataclass(frozen=True)
class Matcher:
    """Finds an applicant's personal values in text (:meth:`spans`) and replaces them (:meth:`redact`)."""

    names: tuple[WordPattern, ...] = ()
    places: tuple[Place, ...] = ()
    literals: tuple[str, ...] = ()
    phones: tuple[str, ...] = field(default=())  # the digits of the form's phone numbers

    @classmethod
    def build(cls, *, names: Iterable[str] = (), places: Iterable[str] = (), contacts: Iterable[str] = (),
              literals: Iterable[str] = ()) -> Matcher:
        """``names``: name, surname, team members (any number of words each); ``places``: library, region;
        ``contacts``: e-mail addresses, phone numbers, anything else the form's contact field holds."""
        words: dict[str, WordPattern] = {}
        for value in names:
            for w in WORD.findall(value):
                if len(key(w)) >= 2 and key(w) not in words:
                    words[key(w)] = WordPattern.of(w)
        phones = []
        lits = {unicodedata.normalize("NFC", v.strip()) for v in literals if len(v.strip()) >= 3}
        for c in contacts:
            c = c.strip()
            digits = re.sub(r"\D", "", c)
            if len(digits) >= 7 and len(digits) >= len(c) * 0.5:
                phones.append(digits[-10:])
            elif len(c) >= 3:
                lits.add(unicodedata.normalize("NFC", c))
        return cls(tuple(words.values()), tuple(Place.of(p) for p in places if p.strip()),
                   tuple(sorted(lits, key=len, reverse=True)), tuple(phones))

    @property
    def empty(self) -> bool:
        return not (self.names or self.places or self.literals or self.phones)

    def fingerprint(self) -> str:
        """Changes when the values change: a blind copy made for other values is made again."""
        text = "\x00".join([*(w.value for w in self.names), *(p.value for p in self.places), *self.literals,
                            *self.phones])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def values(self) -> list[str]:
        """Every value as given (what a verification searches the served bytes' text for, besides the spans)."""
        return [*(w.value for w in self.names), *(p.value for p in self.places), *self.literals]

    def spans(self, text: str) -> list[Span]:
        """Every personal value in ``text`` (merged, in order). Always looks for e-mail addresses and phone
        numbers, even with no form."""
        text = unicodedata.normalize("NFC", text)
        found = [Span(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
        for m in PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if 10 <= len(digits) <= 12 or any(p and digits.endswith(p[-7:]) for p in self.phones):
                found.append(Span(m.start(), m.end(), "phone"))
        folded = text.casefold()
        for lit in self.literals:
            needle = lit.casefold()
            at = folded.find(needle)
            while at >= 0 and needle:
                found.append(Span(at, at + len(needle), "value"))
                at = folded.find(needle, at + 1)
        words = [(m.start(), m.end(), key(m.group())) for m in WORD.finditer(text)]
        for start, end, k in words:
            if any(p.matches(k) for p in self.names):
                found.append(Span(start, end, "name"))
        found += self._places(text, words)
        return _merge(found)

    def _places(self, text: str, words: Sequence[tuple[int, int, str]]) -> list[Span]:
        out = []
        for place in self.places:
            own = set(place.words)
            hits = [i for i, (_, _, k) in enumerate(words) if any(p.matches(k) for p in place.distinctive)]
            if not place.distinctive and place.words:
                n = len(place.words)
                hits = []
                for i in range(len(words) - n + 1):
                    if all(_same(words[i + j][2], place.words[j]) for j in range(n)):
                        out.append(Span(words[i][0], words[i + n - 1][1], "place"))
            for i in hits:
                lo = hi = i
                while lo > 0 and _joined(text, words[lo - 1], words[lo]) and _joins(words[lo - 1][2], own):
                    lo -= 1
                while hi + 1 < len(words) and _joined(text, words[hi], words[hi + 1]) and \
                        _joins(words[hi + 1][2], own):
                    hi += 1
                out.append(Span(words[lo][0], words[hi][1], "place"))
        return out

    def redact(self, text: str, marker: str) -> tuple[str, int]:
        """``text`` with every span replaced by ``marker``; and how many were."""
        text = unicodedata.normalize("NFC", text)
        spans = self.spans(text)
        out, at = [], 0
        for s in spans:
            out += [text[at:s.start], marker]
            at = s.end
        out.append(text[at:])
        return "".join(out), len(spans)


def _same(k: str, value_key: str) -> bool:
    return k == value_key or (len(value_key) >= 4 and k.startswith(value_key.rstrip("aeiou"))
                              and len(k) - len(value_key) <= 4)


def _joins(k: str, own: set[str]) -> bool:
    return _generic(k) or any(_same(k, o) for o in own)


def _joined(text: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Two words side by side: only spaces, quotes, hyphens, dots, «№» or digits between them."""
    between = text[a[1]:b[0]]
    return len(between) <= 6 and re.fullmatch(r"[\s\"'«»“”„\-–.,№\d]*", between) is not None and "\n\n" not in between


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start <= out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, s.end), last.kind)
        else:
            out.append(s)
    return out
