"""Embed (once, into the bench/out disk cache) what bench/bench_search_kk.py needs beyond bench/search_vectors.py:
KazQAD sentence windows (titled, as the engine embeds them), the NTREX-128 archives and questions of the
cross-lingual sets, and the typed-differently question variants (apostrophe Latin, Russian keyboard) before and
after query normalisation.

REVIEW_SERVICE_SHARED=../shared nice -n 10 python bench/search_vectors_kk.py [--only windows,ntrex,variants]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _cache import cached_encoder
from kk_sets import kazqad_windows, ntrex_sets, variant_queries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="variants,windows,ntrex")
    a = ap.parse_args()
    enc = cached_encoder()
    for part in a.only.split(","):
        t = time.perf_counter()
        if part == "windows":
            texts = kazqad_windows()[0]
            enc.encode(texts, kind="raw")
        elif part == "ntrex":
            for s in ntrex_sets():
                enc.encode(s.passage_texts(), kind="raw")
                enc.encode(s.window_texts(), kind="raw")
                enc.encode([q for _, q in s.queries], kind="query")
            texts = []
        elif part == "variants":
            texts = [t for qs in variant_queries().values() for t in qs.values()]
            enc.encode(texts, kind="query")
        print(f"{part}: {len(texts)} texts in {time.perf_counter() - t:.0f} s", flush=True)


if __name__ == "__main__":
    main()
