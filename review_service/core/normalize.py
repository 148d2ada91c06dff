"""Text normalisation and Kazakh Latin↔Cyrillic transliteration.

Three uses, three functions:
- ``normalize_text``: what intake stores (NFC, soft hyphens and line-end hyphenation removed, whitespace tidied);
- ``kk_latin_to_cyrillic`` / ``kk_cyrillic_to_latin``: readable transliteration (Latin alphabets of 2018 with acutes
  and of 2021 with diaereses/breves are both read; 2018 is written);
- ``fold``: a lossy matching key — lower case, one Latin "skeleton" for Kazakh/Russian in either script, where letters
  that the alphabets disagree on (ы/і/и/й, у/ұ/ү …) collapse. Two texts that differ only by script fold equal.
"""
from __future__ import annotations

import re
import unicodedata

_SOFT_HYPHEN = "\u00ad"
_HYPHEN_BREAK = re.compile(r"(\w)[-\u2010\u2011]\s*\n\s*(\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC, no soft hyphens or zero-width characters, words split across lines joined, tidy spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace(_SOFT_HYPHEN, "").replace("\ufeff", "").replace("\u200c", "").replace("\u200d", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


# --- Kazakh Cyrillic → Latin (2018 alphabet, acute accents) -----------------------------------------
_CYR2LAT = {
    "а": "a", "ә": "á", "б": "b", "в": "v", "г": "g", "ғ": "ǵ", "д": "d", "е": "e", "ё": "io", "ж": "j",
    "з": "z", "и": "ı", "й": "ı", "і": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ń",
    "о": "o", "ө": "ó", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ý", "ұ": "u", "ү": "ú", "ф": "f",
    "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "ıý", "я": "ıa",
}

# --- Kazakh Latin → Cyrillic: 2018 (acutes) and 2021 (diaereses) alphabets --------------------------
_LAT2018 = [("sh", "ш"), ("ch", "ч"), ("ıý", "ю"), ("ıa", "я"), ("á", "ә"), ("ǵ", "ғ"), ("ń", "ң"), ("ó", "ө"),
            ("ú", "ү"), ("ý", "у"), ("u", "ұ"), ("ı", "и"), ("i", "і"), ("y", "ы"), ("q", "қ"), ("h", "х"),
            ("j", "ж"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
            ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
            ("t", "т"), ("f", "ф"), ("c", "ц"), ("w", "у"), ("x", "х")]
_LAT2021 = [("ş", "ш"), ("ç", "ч"), ("ä", "ә"), ("ğ", "ғ"), ("ñ", "ң"), ("ö", "ө"), ("ü", "ү"), ("ū", "ұ"),
            ("u", "у"), ("ı", "ы"), ("i", "і"), ("y", "й"), ("q", "қ"), ("h", "х"), ("j", "ж"), ("a", "а"),
            ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("k", "к"), ("l", "л"),
            ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("f", "ф"),
            ("c", "ц"), ("w", "у"), ("x", "х")]
_MARKS_2018 = set("áǵńóúý")
_MARKS_2021 = set("äğñöüūşç")
_KK_CYR_LETTERS = set("әғқңөұүһі")
_KK_LAT_LETTERS = _MARKS_2018 | _MARKS_2021 | {"ı"}
_KK_LATIN_WORDS = {
    "jáne", "jane", "men", "bul", "úshin", "ushin", "kitaphana", "kitaphanasy", "kitapxana", "oqyrman",
    "oqyrmandar", "jasandy", "zerde", "arqyly", "bolyp", "bolady", "degen", "osy", "biz", "jobanyń", "joba",
    "qazaq", "qazaqstan", "tili", "tilinde", "kómegimen", "qyzmet", "qyzmetteri", "kitap", "kitaptar",
    "jasaý", "jumys", "arnalǵan", "bar", "emes", "sondyqtan", "sonymen", "qatar", "ortalyq", "ulttyq",
}


def _apply(text: str, table: list[tuple[str, str]]) -> str:
    out = []
    i = 0
    lower = text.lower()
    while i < len(text):
        for lat, cyr in table:
            if lower.startswith(lat, i):
                piece = text[i:i + len(lat)]
                out.append(cyr.upper() if piece[:1].isupper() else cyr)
                i += len(lat)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def kk_latin_to_cyrillic(text: str) -> str:
    """Best-effort Latin-script Kazakh → Cyrillic; picks the 2018 or 2021 alphabet by its letters."""
    text = unicodedata.normalize("NFC", text)
    chars = set(text.lower())
    table = _LAT2021 if len(chars & _MARKS_2021) > len(chars & _MARKS_2018) else _LAT2018
    return _apply(text, table)


def kk_cyrillic_to_latin(text: str) -> str:
    """Kazakh Cyrillic → Latin (2018 alphabet)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        low = ch.lower()
        if low in _CYR2LAT:
            lat = _CYR2LAT[low]
            out.append(lat[:1].upper() + lat[1:] if ch != low and lat else lat)
        else:
            out.append(ch)
    return "".join(out)


def is_latin_kazakh(text: str) -> bool:
    """Kazakh written in Latin script, recognised by its letters and common words (language-ID tools miss it)."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text.lower()))
    latin = [w for w in words if all("a" <= c <= "z" or c in _KK_LAT_LETTERS for c in w)]
    if not words or len(latin) < 0.6 * len(words):
        return False
    letters = sum(len(w) for w in latin) or 1
    marks = sum(c in _KK_LAT_LETTERS for w in latin for c in w)
    q_rate = sum(w.count("q") for w in latin) / letters
    known = sum(w in _KK_LATIN_WORDS for w in latin) / len(latin)
    return marks / letters > 0.01 or (q_rate > 0.008 and known > 0.02) or known > 0.08


# --- folding for matching ------------------------------------------------------------------------------
_FOLD_CYR = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "і": "i", "ы": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u",
    "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}
_FOLD_LAT = {
    "á": "a", "ä": "a", "ǵ": "g", "ğ": "g", "ń": "n", "ñ": "n", "ó": "o", "ö": "o", "ú": "u", "ü": "u",
    "ū": "u", "ý": "u", "ı": "i", "y": "i", "ş": "sh", "ç": "ch", "x": "h", "w": "u", "é": "e",
}
_FOLD = {**_FOLD_CYR, **_FOLD_LAT}
_FOLD_TABLE = str.maketrans({k: v for k, v in _FOLD.items()})


def fold(text: str) -> str:
    """Lower-case matching key where Kazakh (either script) and Russian fold to one Latin skeleton."""
    text = unicodedata.normalize("NFC", text).lower().replace("i̇", "i")
    return text.translate(_FOLD_TABLE)


def kk_letter_rate(text: str) -> float:
    """Share of Kazakh-specific Cyrillic letters among Cyrillic letters (Russian has none)."""
    cyr = [c for c in text.lower() if "а" <= c <= "я" or c in _KK_CYR_LETTERS or c == "ё"]
    if not cyr:
        return 0.0
    return sum(c in _KK_CYR_LETTERS for c in cyr) / len(cyr)
