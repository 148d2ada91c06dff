"""Issue 25: Kazakh typed other ways (apostrophe Latin, Russian keyboard), the query-adaptive dense weight, and
dense over sentence windows — pure functions on hand-made inputs, and the engine with windows end to end."""
from __future__ import annotations

import itertools
from pathlib import Path

import bm25s
import numpy as np
import pytest

from review_service.core.domain import Document
from review_service.core.kk_typing import KeyboardRestorer, apostrophe_latin, keyboard_key
from review_service.core.normalize import kk_latin_to_cyrillic
from review_service.search import FusionConfig, SearchEngine, load_engine, save_engine
from review_service.search.adaptive import adaptive_dense_weight, lexical_confidence, sharpness, term_coverage
from review_service.search.granularity import best_window, chunk_dense, sentence_windows, window_rows


# -- typing ------------------------------------------------------------------------------------------------
def test_apostrophe_latin_becomes_kazakh_cyrillic() -> None:
    text = "kitaphanadag'y bag'darlamany kim jasady"
    assert apostrophe_latin(text) == "kitaphanadaǵy baǵdarlamany kim jasady"
    assert kk_latin_to_cyrillic(apostrophe_latin(text)) == "кітапханадағы бағдарламаны кім жасады"
    assert kk_latin_to_cyrillic(apostrophe_latin("O'skemen qalasy")) == "Өскемен қаласы"


@pytest.mark.parametrize("text", ["the library's reading room", "it's o'clock", "O'Brien read it",
                                  "кітапхана", "no apostrophes here"])
def test_apostrophe_latin_leaves_other_text_alone(text: str) -> None:
    assert apostrophe_latin(text) == text


ARCHIVE_WORDS = ("Қала кітапханасы оқырмандарға арналған бағдарлама жасады. Кітапханада оқырмандар көп. "
                 "Библиотека города провела конкурс чтецов.")


def test_russian_keyboard_kazakh_is_restored_from_the_archive_words() -> None:
    r = KeyboardRestorer.from_texts([ARCHIVE_WORDS])
    assert r.restore("Кала китапханасы окырмандарга арналган багдарлама") == \
        "Қала кітапханасы оқырмандарға арналған бағдарлама"
    assert keyboard_key("Қала") == "кала"


def test_russian_questions_and_clean_kazakh_keep_their_words() -> None:
    r = KeyboardRestorer.from_texts([ARCHIVE_WORDS])
    assert r.restore("Библиотека провела конкурс") == "Библиотека провела конкурс"  # known as typed
    assert r.restore("кто проводил конкурс чтецов в городе") == "кто проводил конкурс чтецов в городе"
    assert r.restore("Қала кітапханасы") == "Қала кітапханасы"
    # one restorable word of four is not enough to call the question Kazakh typed on a Russian keyboard
    assert r.restore("когда провели этот кала") == "когда провели этот кала"


# -- adaptive weight ---------------------------------------------------------------------------------------
def test_dense_weight_rises_as_lexical_confidence_falls() -> None:
    weights = [adaptive_dense_weight(0.5, c) for c in np.linspace(1.0, 0.0, 11)]
    assert weights[0] == pytest.approx(0.5) and weights[-1] == pytest.approx(1.0)
    assert all(b > a for a, b in itertools.pairwise(weights))
    assert adaptive_dense_weight(0.5, 3.0) == pytest.approx(0.5)  # never below the configured weight


def test_a_flat_bm25_top_is_less_sure_than_a_sharp_one() -> None:
    sharp = np.array([12.0, 5, 4, 4, 3, 3, 3, 2, 2, 2])
    flat = np.array([6.0, 5.9, 5.9, 5.8, 5.8, 5.7, 5.7, 5.6, 5.6, 5.5])
    assert sharpness(sharp) > 0.8
    assert sharpness(flat) < 0.1
    assert lexical_confidence(0.9, flat, "coverage_sharp") < lexical_confidence(0.9, sharp, "coverage_sharp")
    assert lexical_confidence(0.9, flat, "coverage") == lexical_confidence(0.9, sharp, "coverage") == 0.9
    assert lexical_confidence(0.2, sharp, "off") == 1.0
    assert sharpness(np.zeros(0)) == 0.0


def test_coverage_weights_rare_terms_more() -> None:
    corpus = [["kitap", "oqyrman"], ["robot", "mektep"], ["kitap", "ortalyq"], ["kitap", "zal"], ["kitap", "robot"]]
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    df = np.diff(np.asarray(bm25.scores["indptr"]))
    rare_only = term_coverage(bm25, df, ["kitap", "robot"], 1)  # the row holds robot (2 rows), not kitap (4)
    common_only = term_coverage(bm25, df, ["kitap", "robot"], 0)
    assert 1.0 > rare_only > 0.5 > common_only > 0
    assert term_coverage(bm25, df, ["kitap", "robot"], 4) == pytest.approx(1.0)
    assert term_coverage(bm25, df, ["robot", "robot"], 1) == pytest.approx(1.0)
    assert term_coverage(bm25, df, ["unseen"], 0) == 0.0


# -- sentence windows --------------------------------------------------------------------------------------
def test_windows_cover_every_sentence_once_in_order() -> None:
    sents = [f"Сөйлем нөмірі {i} кітапхана туралы біраз ұзынырақ мәтін." for i in range(12)]
    text = " ".join(sents)
    windows = sentence_windows(text, max_chars=160)
    assert len(windows) > 3 and all(len(w) <= 160 for w in windows)
    assert " ".join(windows) == text  # every sentence once, in order, none split
    assert sentence_windows("Қысқа мәтін. Екі сөйлем.", max_chars=160) == []
    texts, owner = window_rows(["Қысқа.", text], max_chars=160)
    assert len(texts) == len(windows) and set(owner.tolist()) == {1}


def test_chunk_dense_mixes_the_best_window_and_keeps_chunks_without_windows() -> None:
    best = best_window(np.array([0.2, 0.9, 0.4]), np.array([0, 0, 2]), 3)
    assert best[0] == pytest.approx(0.9) and np.isnan(best[1]) and best[2] == pytest.approx(0.4)
    mixed = chunk_dense(np.array([0.5, 0.6, 0.5], dtype=np.float32), best, 0.5)
    assert mixed.tolist() == pytest.approx([0.7, 0.6, 0.45])
    assert chunk_dense(np.array([0.5]), np.array([0.9]), 0.0).tolist() == [0.5]


# -- the engine ----------------------------------------------------------------------------------------------
LONG = " ".join(["Аудандық кітапхана оқырмандарға арналған чат-бот іске қосты."] +
                [f"Кітапхана {i}-ші жылы жаңа кітаптар алды және оқу залын жөндеді." for i in range(2015, 2024)] +
                ["Бот түнде де сұрақтарға жауап береді."])


def _docs() -> list[Document]:
    return [Document("kk-bot", LONG, "Чат-бот", "kk", (), 2023, {}),
            Document("kk-read", "Ауылдық кітапхана жазғы кітап оқу марафонын ұйымдастырды.", "Марафон", "kk",
                     (), 2022, {})]


def test_engine_with_windows_round_trips_and_restores_typing(tiny_encoder, tmp_path: Path) -> None:
    cfg = FusionConfig(window_share=0.5, adaptive="coverage", typing=True)
    engine = SearchEngine.build(_docs(), tiny_encoder, config=cfg, max_chars=900)
    assert engine.windows is not None and len(engine.windows) == len(sentence_windows(LONG))
    assert engine.normalise_query("аудандык китапхана") == "аудандық кітапхана"
    hits = engine.ranked("аудандык китапхана чат-бот", k=2)
    assert hits[0][0] == "kk-bot"
    save_engine(engine, tmp_path / "idx")
    loaded = load_engine(tmp_path / "idx", tiny_encoder)
    assert loaded.windows is not None and len(loaded.windows) == len(engine.windows)
    assert loaded.ranked("аудандык китапхана чат-бот", k=2) == hits
    plain = SearchEngine.build(_docs(), tiny_encoder, config=FusionConfig(window_share=0.0), max_chars=900)
    assert plain.windows is None


def test_fusion_config_knows_the_new_settings() -> None:
    assert FusionConfig().typing is True
    with pytest.raises(ValueError, match="adaptive"):
        FusionConfig(adaptive="always")
