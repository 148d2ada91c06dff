"""The search analyser: Kazakh suffix stripping, script folding, Russian/English Snowball stemming."""
from __future__ import annotations

import pytest

from review_service.core.lexical import KK_SUFFIXES, analyse, kk_stem


@pytest.mark.parametrize("word, stem", [
    ("кітапханалардың", "кітапхана"),  # plural + genitive
    ("кітапханаға", "кітапхана"),  # dative
    ("оқырмандарға", "оқырман"),  # plural + dative
    ("мектептен", "мектеп"),  # ablative
    ("балалармен", "бала"),  # plural + instrumental
    ("жобаларымыздың", "жоба"),  # plural + 1pl possessive + genitive
    ("кітапханасында", "кітапхана"),  # possessive + locative (-нда after -сы)
    ("қазақстанда", "қазақстан"),  # -да, not -нда: the н is the stem's
    ("қазақстан", "қазақстан"),  # -стан is not an ablative
    ("қазақстандағы", "қазақстан"),
])
def test_kazakh_suffixes_are_stripped(word: str, stem: str) -> None:
    assert kk_stem(word) == stem


def test_short_stems_are_kept() -> None:
    assert kk_stem("қызы") == "қызы"  # stripping -ы would leave a 3-letter stem
    assert kk_stem("су") == "су"
    assert kk_stem("ұлы") == "ұлы"


def test_suffix_list_covers_the_documented_groups() -> None:
    for suffix in ("лар", "дер", "ның", "ға", "ке", "да", "те", "дан", "мен", "бен", "пен", "ымыз", "сы"):
        assert suffix in KK_SUFFIXES


def test_inflected_forms_share_a_term() -> None:
    forms = ["кітапхана", "кітапханалар", "кітапханада", "кітапханалардан", "кітапханасының"]
    assert len({analyse(f, "kk")[0] for f in forms}) == 1


def test_latin_kazakh_matches_cyrillic() -> None:
    cyr = analyse("Қазақстандағы кітапханаларда жасанды интеллект қолданылады")
    lat = analyse("Qazaqstandaǵy kitaphanalarda jasandy intellekt qoldanylady")
    assert cyr == lat
    assert set(analyse("oqyrmandarǵa arnalǵan chat-bot")) & set(analyse("оқырмандарға арналған чат-бот"))


def test_russian_stemming() -> None:
    assert analyse("библиотеками", "ru") == analyse("библиотека", "ru") == analyse("библиотеки", "ru")
    assert analyse("читателей", "ru") == analyse("читатели", "ru")
    assert analyse("Искусственный интеллект в библиотеках")[0] == analyse("искусственного", "ru")[0]


def test_english_stemming_and_stopwords() -> None:
    assert analyse("the libraries of Kazakhstan") == analyse("library Kazakhstan")
    assert analyse("және мен бен", "kk") == []


def test_language_switches_per_token() -> None:
    # a Kazakh-only letter makes a token Kazakh even inside a Russian sentence
    terms = analyse("Проект «Кітапханалар» для читателей", "ru")
    assert analyse("кітапхана", "kk")[0] in terms
