"""Hybrid search over a tiny kk/ru/en archive with the real embedder: cross-lingual matches, filters and facets,
more-like-this, highlighted passages, save/load, and the batch CLI format."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from review_service.core.domain import Document
from review_service.core.errors import InputError, NotFound
from review_service.search import FusionConfig, SearchEngine, load_engine, save_engine
from review_service.search.fusion import fuse

ARCHIVE = [
    {"id": "kk-bot", "lang": "kk", "year": 2023, "region": "Алматы облысы", "library_type": "аудандық",
     "theme": "chatbot", "outcome": "winner", "title": "Оқырмандарға арналған чат-бот",
     "text": "Аудандық кітапхана оқырмандардың сұрақтарына тәулік бойы жауап беретін чат-бот іске қосты. "
             "Бот кітаптарды іздеуге, кітапханаға жазылуға және іс-шаралар туралы білуге көмектеседі."},
    {"id": "ru-bot", "lang": "ru", "year": 2024, "region": "Астана", "library_type": "областная",
     "theme": "chatbot", "outcome": "finalist", "title": "Чат-бот для читателей",
     "text": "Областная библиотека запустила чат-бот, который круглосуточно отвечает на вопросы читателей, "
             "помогает искать книги, записываться в библиотеку и узнавать о мероприятиях."},
    {"id": "kk-digit", "lang": "kk", "year": 2024, "region": "Астана", "library_type": "ұлттық",
     "theme": "digitisation", "outcome": "participant", "title": "Сирек қолжазбаларды цифрландыру",
     "text": "Ұлттық кітапхана сирек қолжазбалар мен ескі газеттерді сканерлеп, мәтінді тану жүйесімен "
             "цифрлық мұрағат жасады."},
    {"id": "en-kids", "lang": "en", "year": 2022, "region": "Shymkent", "library_type": "children",
     "theme": "reading", "outcome": "winner", "title": "Reading club for children",
     "text": "A children's library ran a weekly reading club where volunteers read fairy tales aloud and "
             "children drew pictures about the stories."},
    {"id": "ru-audio", "lang": "ru", "year": 2023, "region": "Караганда", "library_type": "городская",
     "theme": "accessibility", "outcome": "participant", "title": "Аудиокниги для незрячих",
     "text": "Городская библиотека записала аудиокниги на казахском и русском языках для незрячих и "
             "слабовидящих читателей и открыла пункт прослушивания."},
    {"id": "kk-lat", "lang": "kk", "year": 2022, "region": "Атырау", "library_type": "ауылдық",
     "theme": "reading", "outcome": "participant", "title": "Ауылдағы кітап оқу марафоны",
     "text": "Ауылдық кітапхана жазғы кітап оқу марафонын ұйымдастырды: балалар мен ересектер бір айда "
             "жүзден астам кітап оқыды."},
]


def _docs() -> list[Document]:
    keep = {"id", "text", "title", "lang", "year"}
    return [Document(r["id"], r["text"], r["title"], r["lang"], (), r["year"],
                     {k: str(v) for k, v in r.items() if k not in keep}) for r in ARCHIVE]


@pytest.fixture(scope="module")
def engine(encoder) -> SearchEngine:
    return SearchEngine.build(_docs(), encoder)


def test_cross_lingual_match_comes_from_the_dense_side(engine: SearchEngine) -> None:
    result = engine.search("виртуальный помощник круглосуточно отвечает посетителям", k=3)
    ids = [h.id for h in result.hits]
    assert set(ids[:2]) == {"ru-bot", "kk-bot"}
    kk = next(h for h in result.hits if h.id == "kk-bot")
    assert kk.lexical == 0.0  # no shared word: found across languages by the embedder


def test_english_query_finds_kazakh_and_russian_entries(engine: SearchEngine) -> None:
    ids = [h.id for h in engine.search("digitising rare manuscripts", k=2).hits]
    assert ids[0] == "kk-digit"


def test_latin_script_kazakh_query_matches_cyrillic_entry(engine: SearchEngine) -> None:
    result = engine.search("auyldyq kitaphanadaǵy kitap oqý marafony", k=3)
    assert result.hits[0].id == "kk-lat"
    assert result.hits[0].lexical > 0


def test_passage_is_highlighted_with_an_anchor(engine: SearchEngine) -> None:
    hit = engine.search("аудиокниги для незрячих", k=1).hits[0]
    assert hit.id == "ru-audio"
    assert "**аудиокниги**" in hit.passage.text.lower()
    assert hit.passage.anchor.startswith("section")
    assert hit.passage.spans


def test_filters_restrict_and_facets_count(engine: SearchEngine) -> None:
    result = engine.search("чат-бот кітапхана", k=10, filters={"year": "2024"})
    assert result.hits and all(h.year == 2024 for h in result.hits)
    assert set(result.facets["year"]) == {"2024"}
    only_kk = engine.search("library chatbot", k=10, filters={"lang": ["kk"], "year": "2022-2023"})
    assert {h.id for h in only_kk.hits} <= {"kk-bot", "kk-lat"}
    assert only_kk.facets["lang"] == {"kk": len(only_kk.hits)}
    both = engine.search("library", k=10, filters={"theme": "chatbot,reading", "outcome": "winner"})
    assert {h.id for h in both.hits} == {"kk-bot", "en-kids"}
    unfiltered = engine.search("library", k=10)
    assert sum(unfiltered.facets["lang"].values()) == unfiltered.candidates == len(ARCHIVE)
    with pytest.raises(InputError):
        engine.search("library", filters={"colour": "red"})
    assert engine.search("library", filters={"region": "nowhere"}).hits == ()


def test_more_like_this_finds_the_translation_not_itself(engine: SearchEngine) -> None:
    result = engine.more_like_this("kk-bot", k=3)
    assert result.hits[0].id == "ru-bot"
    assert "kk-bot" not in [h.id for h in result.hits]
    with pytest.raises(NotFound):
        engine.more_like_this("missing")


def test_save_load_round_trip(engine: SearchEngine, encoder, tmp_path: Path) -> None:
    save_engine(engine, tmp_path / "idx")
    save_engine(engine, tmp_path / "idx")  # replacing an existing index works
    loaded = load_engine(tmp_path / "idx", encoder)
    for q, filters in (("чат-бот", None), ("reading club", {"year": "2022"})):
        a, b = engine.search(q, 4, filters), loaded.search(q, 4, filters)
        assert [(h.id, h.score, h.passage.text) for h in a.hits] == [(h.id, h.score, h.passage.text) for h in b.hits]
        assert a.facets == b.facets
    assert loaded.config == engine.config


def test_other_language_entries_are_not_punished_for_missing_words(engine: SearchEngine) -> None:
    result = engine.search("library chatbot", k=3)  # only the English entry shares a word with the query
    assert result.hits[0].id in {"ru-bot", "kk-bot"}
    assert result.hits[0].lexical == 0.0


def test_fusion_on_hand_made_scores() -> None:
    lexical = {"a": 10.0, "b": 5.0, "c": 0.0}
    dense = {"a": 0.2, "b": 0.9, "c": 0.5}
    assert fuse(lexical, dense, FusionConfig(method="lexical"))["a"] == 10.0
    minmax = fuse(lexical, dense, FusionConfig(method="weighted", norm="minmax", dense_weight=0.5))
    assert minmax == pytest.approx({"a": 0.5, "b": 0.75, "c": 3 / 14})
    rrf = fuse(lexical, dense, FusionConfig(method="rrf", rrf_k=60, dense_weight=0.5))
    assert rrf["b"] > rrf["a"] > rrf["c"]
    with pytest.raises(ValueError):
        FusionConfig(method="magic")


def test_ngrams_find_a_word_form_the_stemmer_misses(engine: SearchEngine) -> None:
    # «цифрландырылған» (passive participle) stems to tsifrlandiril, the entry says «цифрландыру» / «цифрлық»:
    # no word term in common, but most of their character 4-grams are
    sig = engine.signals("цифрландырылған", engine.query_vector("цифрландырылған"))
    assert not sig.lexical.any()
    by_ngrams = engine.rank(sig, FusionConfig(method="ngram"))[0]
    assert max(by_ngrams, key=by_ngrams.get) == "kk-digit"
    hit = engine.search("цифрландырылған", k=1).hits[0]
    assert hit.id == "kk-digit"
    assert "**" not in hit.passage.text  # «цифрлық» shares too few 4-grams to be marked as the same word
    # «сканерленген» (stem skanerlen) vs the entry's «сканерлеп» (no rule strips -п after a vowel): marked by 4-grams
    hit = engine.search("сканерленген қолжазбалар", k=1).hits[0]
    assert hit.id == "kk-digit"
    assert "**сканерлеп**" in hit.passage.text and "**қолжазбалар**" in hit.passage.text


def test_other_language_entries_are_judged_by_meaning_alone() -> None:
    lexical = {"ru-off": 8.0, "kk-on": 4.0, "ru-mid": 0.0}  # kk-on shares only a name with the Russian query
    dense = {"ru-off": 0.2, "kk-on": 0.9, "ru-mid": 0.5}
    base = {"method": "weighted", "norm": "minmax", "dense_weight": 0.5}
    judged = fuse(lexical, dense, FusionConfig(**base, other_language="dense"), unmatched=["kk-on"])
    assert judged["kk-on"] == pytest.approx(1.0)  # its dense part stands for both halves
    assert max(judged, key=judged.get) == "kk-on"
    zero = fuse(lexical, dense, FusionConfig(**base, other_language="zero"), unmatched=["kk-on"])
    assert zero["kk-on"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)  # its name match counted as a lexical score
    assert FusionConfig().other_language == "dense"


def test_ngram_share_splits_the_lexical_part() -> None:
    lexical = {"a": 10.0, "b": 0.0, "c": 0.0}
    ngram = {"a": 0.0, "b": 8.0, "c": 0.0}
    dense = {"a": 0.5, "b": 0.5, "c": 0.5}
    cfg = FusionConfig(method="weighted", norm="minmax", dense_weight=0.5, ngram_share=0.25)
    assert fuse(lexical, dense, cfg, ngram=ngram) == pytest.approx({"a": 0.375 + 0.5, "b": 0.125 + 0.5, "c": 0.5})
    assert fuse(lexical, dense, cfg) == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.5})  # no n-grams: words alone
    assert fuse(lexical, dense, FusionConfig(method="ngram"), ngram=ngram)["b"] == 8.0
    rrf = fuse(lexical, dense, FusionConfig(method="rrf", dense_weight=0.0, ngram_share=0.5), ngram=ngram)
    assert rrf["a"] == pytest.approx(rrf["b"]) and rrf["a"] > rrf["c"]


def test_indexing_reports_progress_per_embedded_chunk(tiny_encoder) -> None:
    seen: list[tuple[str, int]] = []

    class Bar:
        def __init__(self, total: int, desc: str) -> None:
            self.total, self.desc, self.done, self.closed = total, desc, 0, False

        def update(self, n: int) -> None:
            self.done += n

        def close(self) -> None:
            seen.append((self.desc, self.done))
            assert self.done == self.total

    engine = SearchEngine.build(_docs(), tiny_encoder, progress=Bar)
    assert seen == [("embedding passages", len(engine.chunk_ids))]


def test_batch_cli_writes_run_tsv(encoder, tmp_path: Path, monkeypatch) -> None:
    from review_service.commands.cli import main
    from review_service.core.config import get_settings

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ARCHIVE), encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"id": "q1", "text": "чат-бот для читателей"}, ensure_ascii=False) + "\n"
                       + json.dumps({"id": "q2", "text": "rare manuscripts"}) + "\n", encoding="utf-8")
    out = tmp_path / "run.tsv"
    monkeypatch.setenv("REVIEW_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        assert main(["search", "--corpus", str(corpus), "--queries", str(queries), "--out", str(out),
                     "--k", "3"]) == 0
        rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r[0] for r in rows] == ["q1"] * 3 + ["q2"] * 3
        assert all(len(r) == 3 and float(r[2]) == float(r[2]) for r in rows)
        assert rows[0][1] in {"ru-bot", "kk-bot"} and rows[3][1] == "kk-digit"
        scores = [float(r[2]) for r in rows[:3]]
        assert scores == sorted(scores, reverse=True)
        assert list((tmp_path / "var" / "search").iterdir())  # cached for the next run
        assert main(["search", "--corpus", str(corpus), "--queries", str(queries), "--out", str(out),
                     "--k", "3"]) == 0
        assert main(["search", "--corpus", str(corpus), "--queries", str(queries)]) == 2
    finally:
        get_settings.cache_clear()
