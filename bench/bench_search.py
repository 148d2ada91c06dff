"""Search quality on the KazQAD dev subset (../shared/data/search): BM25-only, dense-only and fusion variants.

Queries are split in two halves by a hash of their id: the "choose" half picks the setting, the "report" half
gives the figures that count (so the chosen setting is not fitted to them). Everything is printed in one run.

python bench/bench_search.py            # vectors are cached in bench/out/ (first run embeds: ~5-15 min on CPU)
python bench/bench_search.py --quick    # the fusion grid only for the default passage/query prompts
"""
from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_vectors import DATA, load_all

from review_service.core import lexical
from review_service.search.engine import SearchEngine
from review_service.search.fusion import FusionConfig


def read_qrels(path: Path) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and float(parts[2]) > 0:
            qrels[parts[0]].add(parts[1])
    return qrels


def metrics(ranking: list[str], relevant: set[str], k: int = 10) -> tuple[float, float, float]:
    """nDCG@k (binary gains, ideal = min(#relevant, k)), Recall@k, MRR@k."""
    top = ranking[:k]
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(top) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    recall = len(set(top) & relevant) / len(relevant)
    rr = next((1 / (i + 1) for i, d in enumerate(top) if d in relevant), 0.0)
    return dcg / idcg, recall, rr


def half(qid: str) -> str:
    return "choose" if hashlib.sha1(qid.encode()).digest()[0] % 2 == 0 else "report"


def evaluate(engine, signals, config, qrels, ids) -> tuple[float, float, float]:
    rows = []
    for qid in ids:
        fused, _, _ = engine.rank(signals[qid], config)
        ranking = [d for d, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))]
        rows.append(metrics(ranking, qrels[qid]))
    return tuple(float(np.mean([r[i] for r in rows])) for i in range(3))


def grid(quick: bool) -> list[tuple[str, FusionConfig]]:
    out = [("bm25 only", FusionConfig(method="lexical", aggregation="max")),
           ("char 4-gram bm25 only", FusionConfig(method="ngram", aggregation="max")),
           ("dense only", FusionConfig(method="dense", aggregation="max"))]
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):  # how the lexical part is split between words and n-grams
        out.append((f"weighted zscore w=0.5 max_bonus 0.05 ngram_share={share}",
                    FusionConfig(method="weighted", norm="zscore", dense_weight=0.5, ngram_share=share)))
    out.append(("weighted zscore w=0.0 ngram_share=0.5 (lexical only: words + n-grams)",
                FusionConfig(method="weighted", norm="zscore", dense_weight=0.0, ngram_share=0.5)))
    for norm in ("minmax", "zscore"):
        for w in (0.3, 0.4, 0.5, 0.6, 0.7):
            out.append((f"weighted {norm} w={w}", FusionConfig(method="weighted", norm=norm, dense_weight=w,
                                                                         aggregation="max")))
    for k in (10, 60, 100):
        for w in (0.5, 0.6):
            out.append((f"rrf k={k} w={w}", FusionConfig(method="rrf", rrf_k=k, dense_weight=w, aggregation="max")))
    if not quick:
        for agg, bonus in (("max_bonus", 0.05), ("max_bonus", 0.15), ("sum", 0.0)):
            out.append((f"weighted zscore w=0.5 {agg} {bonus}",
                        FusionConfig(method="weighted", norm="zscore", dense_weight=0.5, aggregation=agg, bonus=bonus)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--passages", default="doc,title,none")
    ap.add_argument("--queries", default="query,doc,none")
    ap.add_argument("--units", default="chunk,doc", help="BM25 over chunks and/or whole documents")
    ap.add_argument("--no-stem-ablation", action="store_true", help="skip the run without the Kazakh stemmer")
    a = ap.parse_args()
    pvars = [v for v in a.passages.split(",") if v]
    qvars = [v for v in a.queries.split(",") if v]
    if a.quick:
        pvars, qvars = pvars[:1], qvars[:1]
    docs, queries, chunks, qv, pv = load_all(pvars, qvars)
    qrels = read_qrels(DATA / "qrels.tsv")
    all_ids = [q["id"] for q in queries]
    queries = [q for q in queries if q["id"] in qrels]
    split = {"choose": [q["id"] for q in queries if half(q["id"]) == "choose"],
             "report": [q["id"] for q in queries if half(q["id"]) == "report"]}
    print(f"corpus {len(docs)} passages → {len(chunks)} chunks; queries choose {len(split['choose'])}, "
          f"report {len(split['report'])}")

    table = []  # (setting, choose metrics, report metrics)
    ablate = not (a.quick or a.no_stem_ablation)
    stem_variants = [("kk stemmer", lexical.kk_stem)] + ([("no kk stemmer", lambda w, **_: w)] if ablate else [])
    for stem_name, stem_fn in stem_variants:
        lexical.kk_stem = stem_fn
        lexical._term.cache_clear()
        for unit in [u for u in a.units.split(",") if u]:
            for pvar in pvars:
                t = time.perf_counter()
                engine = SearchEngine.build(docs, None, lexical_unit=unit, vectors=pv[pvar])
                build_s = time.perf_counter() - t
                for qvar in qvars:
                    qvecs = dict(zip(all_ids, qv[qvar]))
                    signals = {q["id"]: engine.signals(q["text"], qvecs[q["id"]]) for q in queries}
                    for name, cfg in grid(a.quick):
                        if stem_name != "kk stemmer" and cfg.method == "dense":
                            continue
                        label = f"{stem_name} | bm25 {unit} | passage {pvar} | query {qvar} | {name}"
                        table.append((label, cfg, evaluate(engine, signals, cfg, qrels, split["choose"]),
                                      evaluate(engine, signals, cfg, qrels, split["report"])))
                print(f"  built {stem_name} / {unit} / {pvar} in {build_s:.1f} s", flush=True)
        lexical.kk_stem = stem_variants[0][1]
        lexical._term.cache_clear()

    print(f"\n{'setting':<92} {'choose nDCG':>11} {'report nDCG@10':>14} {'R@10':>6} {'MRR@10':>7}")
    for label, _, ch, rep in sorted(table, key=lambda r: -r[2][0]):
        print(f"{label:<92} {ch[0]:>11.3f} {rep[0]:>14.3f} {rep[1]:>6.3f} {rep[2]:>7.3f}")
    plain = [r for r in table if r[0].startswith("kk stemmer | bm25 chunk | passage doc | query query")]
    titled = [r for r in table if r[0].startswith("kk stemmer | bm25 chunk | passage title | query query")]
    best = max(table, key=lambda r: r[2][0])
    lexical_rows = plain or titled or table  # BM25 rows do not depend on the passage prompt
    bm25 = max((r for r in lexical_rows if r[0].endswith("| bm25 only")), key=lambda r: r[2][0])
    grams = max((r for r in lexical_rows if r[0].endswith("| char 4-gram bm25 only")), key=lambda r: r[2][0])
    dense = max((r for r in titled or plain if "dense only" in r[0]), key=lambda r: r[2][0])
    rrf = [r for r in titled or plain if r[0].endswith("rrf k=60 w=0.5")]
    product = [r for r in titled or plain if r[1] == FusionConfig()]  # the engine's passages: the title slot
    print("\nreport half (held out from the choice):")
    for tag, row in (("BM25 only (words)", bm25), ("char 4-gram BM25 only", grams), ("dense only", dense), *((("RRF k=60", rrf[0]),) if rrf else ()),
                     *((("engine default", product[0]),) if product else ()), ("chosen on 'choose' half", best)):
        print(f"  {tag:<26} nDCG@10 {row[3][0]:.3f}  R@10 {row[3][1]:.3f}  MRR@10 {row[3][2]:.3f}   [{row[0]}]")
    word_only = [r for r in titled or plain if r[1] == FusionConfig(ngram_share=0.0)]
    if word_only:
        print(f"  {'engine without n-grams':<26} nDCG@10 {word_only[0][3][0]:.3f}  R@10 {word_only[0][3][1]:.3f}  "
              f"MRR@10 {word_only[0][3][2]:.3f}   [{word_only[0][0]}]")
    ref = product[0] if product else best
    print(f"  engine default vs BM25 only (words): ×{ref[3][0] / bm25[3][0]:.2f}; vs char 4-gram BM25 only: "
          f"×{ref[3][0] / grams[3][0]:.2f}; vs dense only: ×{ref[3][0] / dense[3][0]:.2f}")


if __name__ == "__main__":
    main()
