"""Themes: deterministic clustering, every entry assigned, keyword labels without stop-words, the map PNG."""
from __future__ import annotations

import numpy as np
import pytest

from review_service.themes import assign_themes, cluster, keywords, stopwords, theme_map_png

TOPICS = {
    "кітапхана": ["Кітапхана оқырмандарына кітап ұсынатын жүйе", "Кітапхана каталогы және оқырман",
                  "Ауылдық кітапхана оқырмандары кітап оқиды"],
    "музыка": ["Концерт и музыка для детей", "Музыка оркестра в концертном зале", "Новый концерт: музыка Баха"],
    "robots": ["Robots assemble cars in the factory", "Factory robots and automation", "A robot arm at the factory"],
}


def _blobs(n_per: int = 20, dim: int = 32, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 3
    vecs, texts, gold = [], [], []
    for t, (name, examples) in enumerate(TOPICS.items()):
        for i in range(n_per):
            vecs.append(centres[t] + rng.normal(scale=0.6, size=dim))
            texts.append(examples[i % len(examples)])
            gold.append(t)
    v = np.array(vecs, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True), texts, gold


def test_every_item_gets_a_theme_and_result_is_deterministic():
    vecs, texts, gold = _blobs()
    ids = [f"e{i}" for i in range(len(texts))]
    first = assign_themes(vecs, ids, texts)
    second = assign_themes(vecs.copy(), list(ids), list(texts))
    assert first == second
    assert [a.id for a in first] == ids
    assert len({a.theme for a in first}) == 3  # k chosen automatically
    by_gold: dict[int, set[int]] = {}
    for a, g in zip(first, gold):
        by_gold.setdefault(g, set()).add(a.theme)
    assert all(len(s) == 1 for s in by_gold.values())
    assert all(0.0 < a.confidence <= 1.0 for a in first)


def test_labels_are_keywords_without_stop_words_plus_representative():
    vecs, texts, _ = _blobs()
    ids = [f"e{i}" for i in range(len(texts))]
    result = assign_themes(vecs, ids, texts, k=3)
    labels = {a.label for a in result}
    assert any("кітапхана" in lab for lab in labels)
    assert any("концерт" in lab or "музыка" in lab for lab in labels)
    assert any("factory" in lab or "robots" in lab for lab in labels)
    for a in result:
        assert "(e.g. e" in a.label
        words = a.label.split(" (e.g.")[0].split(", ")
        assert not set(words) & {"және", "и", "the", "and", "in"}


def test_fixed_k_and_tiny_inputs():
    vecs, texts, _ = _blobs(n_per=4)
    ids = [str(i) for i in range(len(texts))]
    assert len({a.theme for a in assign_themes(vecs, ids, texts, k=5)}) == 5
    one = assign_themes(vecs[:1], ids[:1], texts[:1])
    assert one[0].theme == 0 and one[0].confidence == 1.0
    with pytest.raises(ValueError):
        assign_themes(vecs, ids[:-1], texts)


def test_language_centering_groups_by_topic_not_language():
    rng = np.random.default_rng(1)
    dim = 24
    topic = np.eye(dim)[:3] * 2
    lang = {"kk": np.eye(dim)[10] * 4, "ru": np.eye(dim)[11] * 4}
    vecs, langs, gold = [], [], []
    for t in range(3):
        for lg in ("kk", "ru"):
            for _ in range(10):
                vecs.append(topic[t] + lang[lg] + rng.normal(scale=0.4, size=dim))
                langs.append(lg)
                gold.append(t)
    v = np.array(vecs)
    labels, _, _ = cluster(v, k=3, langs=langs)
    groups = {tuple(sorted({int(l) for l, g in zip(labels, gold) if g == t})) for t in range(3)}
    assert len(groups) == 3 and all(len(g) == 1 for g in groups)


def test_stopwords_cover_three_languages():
    sw = stopwords()
    assert {"және", "үшін", "и", "который", "the", "of"} <= sw


def test_keywords_group_kazakh_word_forms():
    texts = ["кітапхана кітапханада кітапханалар", "кітапханаға оқырман", "робот робототехника"]
    kws = keywords(texts, np.array([0, 0, 1]), top=2)
    assert kws[0][0].startswith("кітапхан")


def test_theme_map_png(tmp_path):
    vecs, texts, _ = _blobs(n_per=5)
    result = assign_themes(vecs, [str(i) for i in range(len(texts))], texts, k=3)
    path = theme_map_png(vecs, result, tmp_path / "map.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


@pytest.mark.parametrize("true_k", [3, 5, 8])
def test_k_chosen_on_well_separated_clusters(true_k):
    rng = np.random.default_rng(true_k)
    dim = 40
    vecs, gold = [], []
    for t in range(true_k):
        centre = rng.normal(size=dim)
        for _ in range(12):
            vecs.append(centre / np.linalg.norm(centre) * 3 + rng.normal(scale=0.35, size=dim))
            gold.append(t)
    v = np.array(vecs)
    labels, conf, _ = cluster(v)
    assert len(set(labels.tolist())) == true_k
    pairs = {(g, int(l)) for g, l in zip(gold, labels)}
    assert len(pairs) == true_k  # each hand-made cluster is exactly one theme
    assert conf.min() > 0.5
