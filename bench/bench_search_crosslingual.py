"""Cross-lingual search on a mixed archive: does fusion rank the right entry in another language above
same-language distractors? KazQAD (bench_search.py) is Kazakh only, so it cannot tell.

Data: NTREX-128 (../shared/data/crosslingual): 40 news documents, each in kk, ru and en. For a query language Q,
the archive holds every document in the two other languages, plus half of the documents (every other one) in Q
as well: same-language distractors. Queries are sentences 3, 5, 8 and 12 of the other half's Q version (whose Q
version is not archived), so the relevant entries are that document's two other-language versions (nDCG@10,
binary gains, ideal = 2). Passages are embedded with the real EmbeddingGemma (~2 min per language on 2 cores).

python bench/bench_search_crosslingual.py [--langs ru,en,kk]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import metrics

from review_service.core.domain import Document
from review_service.intake.chunking import split_sentences
from review_service.search import FusionConfig, SearchEngine

DATA = ROOT.parent / "shared" / "data" / "crosslingual" / "ntrex_docs.jsonl"
LANGS = ("kk", "ru", "en")
SETTINGS = {
    "engine default (other_language=dense)": FusionConfig(),
    "other_language=impute (session 3 default)": FusionConfig(other_language="impute"),
    "other_language=zero": FusionConfig(other_language="zero"),
    "default without n-grams": FusionConfig(ngram_share=0.0),
    "word BM25 only": FusionConfig(method="lexical", aggregation="max"),
    "4-gram BM25 only": FusionConfig(method="ngram", aggregation="max"),
    "dense only": FusionConfig(method="dense", aggregation="max"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--langs", default="ru,en,kk", help="query languages to run")
    a = ap.parse_args()
    from embeddings import load_encoder

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    encoder = load_encoder()
    table: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for q_lang in a.langs.split(","):
        others = [lang for lang in LANGS if lang != q_lang]
        in_q = {r["doc_id"] for i, r in enumerate(rows) if i % 2 == 0}
        docs = [Document(f"{r['doc_id']}:{lang}", r[lang], "", lang, (), None, {}) for r in rows for lang in others]
        docs += [Document(f"{r['doc_id']}:{q_lang}", r[q_lang], "", q_lang, (), None, {}) for r in rows
                 if r["doc_id"] in in_q]
        queries = [(r["doc_id"], s) for r in rows if r["doc_id"] not in in_q
                   for i, s in enumerate(split_sentences(r[q_lang])) if i in (2, 4, 7, 11)]
        t0 = time.perf_counter()
        engine = SearchEngine.build(docs, encoder)
        qvecs = encoder.encode([q for _, q in queries], kind="query")
        signals = [engine.signals(q, v) for (_, q), v in zip(queries, qvecs)]
        print(f"\nqueries in {q_lang}: {len(queries)}; archive {len(docs)} entries ({', '.join(others)} all, "
              f"{q_lang} half), {len(engine.chunk_ids)} chunks; built in {time.perf_counter() - t0:.0f} s")
        for name, cfg in SETTINGS.items():
            res = []
            for (doc, _), sig in zip(queries, signals):
                fused = engine.rank(sig, cfg)[0]
                ranking = [d for d, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))]
                res.append(metrics(ranking, {f"{doc}:{lang}" for lang in others}))
            m = np.mean(res, axis=0)
            table[name].append(m[0])
            print(f"  {name:<44} nDCG@10 {m[0]:.3f}  R@10 {m[1]:.3f}  MRR@10 {m[2]:.3f}")
    print("\nmean nDCG@10 over query languages:")
    for name, xs in table.items():
        print(f"  {name:<44} {np.mean(xs):.3f}")


if __name__ == "__main__":
    main()
