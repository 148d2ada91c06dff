"""Language of a document or chunk: kk (Cyrillic or Latin script), ru, en, or und.

Latin-script Kazakh is recognised by its letters and words (language-ID tools take it for Turkish or
Uzbek); Cyrillic kk/ru and en are told apart by lingua, restricted to the three languages, with the share of
Kazakh-specific letters as a tie-breaker for very short texts.
"""
from __future__ import annotations

import re
from functools import lru_cache

from review_service.core.domain import Lang
from review_service.core.normalize import is_latin_kazakh, kk_letter_rate

_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.KAZAKH, Language.RUSSIAN, Language.ENGLISH).build()


def script_of(text: str) -> str:
    """'cyrillic', 'latin' or 'none' by majority of letters."""
    letters = _LETTER.findall(text)
    if not letters:
        return "none"
    cyr = sum("\u0400" <= c <= "\u04ff" for c in letters)
    return "cyrillic" if cyr >= len(letters) / 2 else "latin"


def detect_language(text: str) -> Lang:
    sample = text[:4000]
    if len(_LETTER.findall(sample)) < 3:
        return "und"
    script = script_of(sample)
    if script == "latin":
        return "kk" if is_latin_kazakh(sample) else "en"
    rate = kk_letter_rate(sample)
    if rate > 0.04:
        return "kk"
    from lingua import Language

    result = _detector().detect_language_of(sample)
    if result == Language.KAZAKH:
        return "kk" if rate > 0.0 or len(sample) > 40 else "ru"
    if result == Language.RUSSIAN:
        return "ru"
    if result == Language.ENGLISH:
        return "en"
    return "und"


def is_latin_script_kazakh(text: str) -> bool:
    return script_of(text) == "latin" and is_latin_kazakh(text)
