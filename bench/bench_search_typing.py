"""Kazakh typed other ways, lexical side only (needs no embedding, so it runs in seconds): KazQAD dev questions as
typed (clean Cyrillic), in apostrophe Latin and on a Russian keyboard (bench/kk_sets.py), each without and with the
engine's query normalisation (``FusionConfig.typing``, review_service/core/kk_typing.py), ranked by the lexical
half of the engine alone (word BM25 + character 4-gram BM25, dense weight 0; the dense side gets a random vector).
Also counts how many questions of every dev set the normaliser changes at all (a set where it changes none ranks
exactly as before, dense side included).

REVIEW_SERVICE_SHARED=../shared nice -n 10 python bench/bench_search_typing.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import metrics
from kk_sets import kazqad, ntrex_sets, variant_queries

from review_service.search.engine import SearchEngine
from review_service.search.fusion import FusionConfig


def main() -> None:
    s = kazqad()
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((len(s.chunks()), 768)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    engine = SearchEngine.build(s.docs, None, vectors=vecs, config=FusionConfig(typing=True))
    qvec = rng.standard_normal(768).astype(np.float32)
    qvec /= np.linalg.norm(qvec)
    variants = variant_queries()
    lexical = FusionConfig(dense_weight=0.0)
    for name, texts in (("clean", dict(s.queries)), ("apostrophe", variants["apostrophe"]),
                        ("rukeyboard", variants["rukeyboard"])):
        for norm in (False, True):
            rows = []
            for qid, _ in s.queries:
                text = engine.normalise_query(texts[qid]) if norm else texts[qid]
                fused = engine.rank(engine.signals(text, qvec), lexical)[0]
                rows.append(metrics([d for d, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))],
                                    s.qrels[qid]))
            m = np.mean(rows, axis=0)
            print(f"lexical half, {name:<11} normalised={norm!s:<5} nDCG@10 {m[0]:.3f}  R@10 {m[1]:.3f}  "
                  f"MRR@10 {m[2]:.3f}", flush=True)
    changed = sum(engine.normalise_query(q) != q for _, q in s.queries)
    print(f"kazqad: the normaliser changes {changed} of {len(s.queries)} clean questions")
    for n in ntrex_sets():
        eng = SearchEngine.build(n.docs, None, vectors=np.zeros((len(n.chunks()), 8), np.float32),
                                 config=FusionConfig(typing=True))
        changed = sum(eng.normalise_query(q) != q for _, q in n.queries)
        print(f"{n.name}: the normaliser changes {changed} of {len(n.queries)} questions")


if __name__ == "__main__":
    main()
