"""Score a run file from the product's batch search against qrels: nDCG@10, Recall@10, MRR@10.

    review-service search --corpus CORPUS.jsonl --queries QUERIES.jsonl --out RUN.tsv --k 100
    python bench/eval_run.py RUN.tsv QRELS.tsv

RUN lines are ``query_id<TAB>doc_id<TAB>score`` (best first per query); QRELS lines ``query_id<TAB>doc_id<TAB>relevance``.
Metrics as in ../shared/data/README.md (binary gains, ideal = min(#relevant, 10)). Queries without a relevant document
are left out; a query with relevant documents but no run lines scores 0. The two halves of bench/bench_search.py are
printed too, so the product path can be compared with the benchmark's report half.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import half, metrics, read_qrels


def read_run(path: Path) -> dict[str, list[str]]:
    run: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            run[parts[0]].append((-float(parts[2]), parts[1]))
    return {q: [d for _, d in sorted(rows)] for q, rows in run.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("qrels", type=Path)
    a = ap.parse_args()
    run, qrels = read_run(a.run), read_qrels(a.qrels)
    rows = {q: metrics(run.get(q, []), rel) for q, rel in qrels.items()}
    missing = sum(q not in run for q in qrels)
    for name, ids in (("all", list(rows)), ("choose half", [q for q in rows if half(q) == "choose"]),
                      ("report half", [q for q in rows if half(q) == "report"])):
        m = np.mean([rows[q] for q in ids], axis=0)
        print(f"{name:<12} {len(ids):>4} queries  nDCG@10 {m[0]:.3f}  R@10 {m[1]:.3f}  MRR@10 {m[2]:.3f}")
    if missing:
        print(f"{missing} queries with relevant documents had no run lines (scored 0)")


if __name__ == "__main__":
    main()
