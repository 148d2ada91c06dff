"""The lexical analyser for search: text → index terms, the same way for documents and queries.

Steps: NFC + lower case → word tokens → a language per token → a stem → :func:`review_service.core.normalize.fold`
(one Latin skeleton for Kazakh in either script and for Russian), so a Latin-script Kazakh query meets a Cyrillic
document.

Language per token: Cyrillic with a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) is Kazakh; other Cyrillic follows the
text's language (Kazakh if the text is Kazakh, else Russian); Latin follows the text too (Latin-script Kazakh is
transliterated to Cyrillic and stemmed as Kazakh, anything else is English).

Stemmers: Russian and English by Snowball (PyStemmer). Kazakh by :func:`kk_stem`, a light suffix stripper of this
project: greedy longest-suffix stripping in three slots, outermost first — case (or a frequent verb ending), then
possessive, then plural, the order in which they stack up from the stem outwards — at most one suffix per slot,
never leaving fewer than ``MIN_STEM`` letters. The suffixes (Cyrillic):

- plural: -лар -лер -дар -дер -тар -тер
- possessive: -ым -ім -ың -ің -ыңыз -іңіз -ңыз -ңіз -ымыз -іміз -мыз -міз -ыңдар -іңдер -ңдар -ңдер -сы -сі -ы -і
- genitive: -ның -нің -дың -дің -тың -тің
- dative: -ға -ге -қа -ке -на -не
- accusative: -ны -ні -ды -ді -ты -ті
- locative: -да -де -та -те -нда -нде; with -ғы/-гі: -дағы -дегі -тағы -тегі -ндағы -ндегі
- ablative: -дан -ден -тан -тен -нан -нен -ндан -нден
  (-на -не -нда -нде -ндағы -ндегі -ндан -нден only after a 3rd-person possessive -ы/-і, so «Қазақстанда» keeps
  its н; -тан/-тен not after с, so «Қазақстан» is not read as an ablative)
- instrumental: -мен -бен -пен
- frequent verb endings (questions ask «қалай аталады?», passages say «аталған»): participle -ған -ген -қан -кен,
  present -ады -еді -йды -йді, converb -ып -іп (these share the case slot); the infinitive -у is left alone.

Single-letter suffixes (-ы, -і) are only stripped when the remaining stem keeps ``MIN_STEM`` + 1 letters, so
short roots are not eaten. Over-stemming is tolerable here: documents and queries are stemmed the same way.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from review_service.core.normalize import fold, is_latin_kazakh, kk_latin_to_cyrillic

MIN_STEM = 4
_KK_LETTERS = set("әғқңөұүһі")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

_KK_CASE = (  # the outermost slot: case endings, or a frequent verb ending
    "ның", "нің", "дың", "дің", "тың", "тің",  # genitive
    "ға", "ге", "қа", "ке", "на", "не",  # dative
    "ны", "ні", "ды", "ді", "ты", "ті",  # accusative
    "да", "де", "та", "те", "нда", "нде", "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі",  # locative
    "дан", "ден", "тан", "тен", "нан", "нен", "ндан", "нден",  # ablative
    "мен", "бен", "пен",  # instrumental
    "ған", "ген", "қан", "кен", "ады", "еді", "йды", "йді", "ып", "іп",  # verb endings
)
_KK_POSSESSIVE = (
    "ым", "ім", "ың", "ің", "ыңыз", "іңіз", "ңыз", "ңіз", "ымыз", "іміз", "мыз", "міз",
    "ыңдар", "іңдер", "ңдар", "ңдер", "сы", "сі", "ы", "і",
)
_KK_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_KK_SLOTS = tuple(tuple(sorted(slot, key=len, reverse=True)) for slot in (_KK_CASE, _KK_POSSESSIVE, _KK_PLURAL))
KK_SUFFIXES: tuple[str, ...] = _KK_CASE + _KK_POSSESSIVE + _KK_PLURAL
_AFTER_POSSESSIVE = frozenset({"на", "не", "нда", "нде", "ндағы", "ндегі", "ндан", "нден"})

STOPWORDS = frozenset({
    # kk
    "және", "мен", "бен", "пен", "бұл", "осы", "сол", "ол", "да", "де", "та", "те", "не", "қандай", "қанша",
    "кім", "қай", "қалай", "қашан", "неше", "ма", "ме", "ба", "бе", "па", "пе", "үшін", "бар", "жоқ", "еді",
    "болып", "болады", "деген", "дегеніміз", "немесе", "бір", "әр", "ең", "өз",
    # ru
    "и", "в", "во", "на", "с", "со", "по", "к", "о", "об", "от", "до", "из", "за", "для", "что", "как", "это",
    "или", "а", "но", "ли", "же", "у", "какой", "какие", "какая", "кто", "где", "когда",
    # en
    "the", "a", "an", "of", "in", "on", "for", "to", "and", "or", "is", "are", "was", "what", "which", "who",
    "how", "when", "where", "with", "by", "at", "be", "it", "as", "from", "that", "this",
})


def kk_stem(word: str, *, min_stem: int = MIN_STEM) -> str:
    """Strip Kazakh (Cyrillic) suffixes slot by slot from the end — case, then possessive, then plural —
    taking the longest match in each slot and keeping at least ``min_stem`` letters (one more for -ы/-і)."""
    for slot in _KK_SLOTS:
        for suffix in slot:
            keep = min_stem + 1 if len(suffix) == 1 else min_stem
            if not word.endswith(suffix) or len(word) - len(suffix) < keep:
                continue
            if suffix in _AFTER_POSSESSIVE and word[-len(suffix) - 1] not in "ыі":
                continue
            if suffix in ("тан", "тен") and word[-4] == "с":  # Қазақстан, Ауғанстан: a name, not an ablative
                continue
            word = word[: -len(suffix)]
            break
    return word


@lru_cache(maxsize=4)
def _snowball(lang: str):
    import Stemmer

    return Stemmer.Stemmer(lang)


def _is_cyrillic(token: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in token)


def text_language(text: str) -> str:
    """kk / ru / en for the analyser (cheap: script and Kazakh letters first, lingua only when needed)."""
    from review_service.core.language import detect_language

    lang = detect_language(text)
    return lang if lang in ("kk", "ru", "en") else ("ru" if _is_cyrillic(text) else "en")


@lru_cache(maxsize=200_000)
def _term(token: str, lang: str) -> str:
    if token in STOPWORDS:
        return ""
    if _is_cyrillic(token):
        token = token.replace("ё", "е")
        if lang == "kk" or _KK_LETTERS.intersection(token):
            stem = kk_stem(token)
        else:
            stem = _snowball("russian").stemWord(token)
    elif lang == "kk":
        cyr = kk_latin_to_cyrillic(token)
        if cyr in STOPWORDS:
            return ""
        stem = kk_stem(cyr)
    else:
        stem = _snowball("english").stemWord(token)
    return fold(stem)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def analyse(text: str, lang: str | None = None) -> list[str]:
    """Index terms of ``text``; ``lang`` (kk/ru/en) if known, else detected from the text."""
    tokens = tokenize(text)
    if not tokens:
        return []
    if lang not in ("kk", "ru", "en"):
        lang = text_language(text)
    if lang == "en" and is_latin_kazakh(text):
        lang = "kk"
    return [t for t in (_term(tok, lang) for tok in tokens) if t]


NGRAM = 4


@lru_cache(maxsize=200_000)
def word_ngrams(token: str, n: int = NGRAM) -> tuple[str, ...]:
    """The character ``n``-grams of one word (folded, ``#`` at its edges)."""
    word = f"#{fold(token.replace('ё', 'е'))}#"
    if len(word) <= n:
        return (word,)
    return tuple(word[i:i + n] for i in range(len(word) - n + 1))


def char_ngrams(text: str, n: int = NGRAM) -> list[str]:
    """Character ``n``-grams of every folded word, ``#`` marking the word's edges («кітапханада» → #kit kita
    itap … ada#): the search engine's second lexical signal. It needs no stemmer and no language, so it meets
    what the suffix rules miss — an unlisted ending, a derived word (цифрлық / цифрландыру), a typo, Kazakh
    typed on a Russian keyboard — and, through :func:`fold`, Kazakh in either script."""
    return [g for tok in tokenize(text) for g in word_ngrams(tok, n)]


def query_terms(text: str) -> set[str]:
    """The folded surface forms and terms of a query, for highlighting passages."""
    return set(analyse(text))
