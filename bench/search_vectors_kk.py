"""Embed (once, into the bench/out disk cache) what bench/bench_search_kk.py needs beyond bench/search_vectors.py:
KazQAD sentence windows (titled, as the engine embeds them), the NTREX-128 archives and questions of the
cross-lingual sets, and the typed-differently question variants (apostrophe Latin, Russian keyboard) before and
after query normalisation.

REVIEW_SERVICE_SHARED=../shared nice -n 10 python bench/search_vectors_kk.py [--only variants,windows,ntrex]
(ntrex = ntrex_base, the chunks and questions, then ntrex_windows)
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


def encode(enc, texts: list[str], kind: str, what: str) -> None:
    """In slices of 128, so each slice is in the disk cache as soon as it is done (a stopped run loses little)."""
    t = time.perf_counter()
    for lo in range(0, len(texts), 128):
        enc.encode(texts[lo:lo + 128], kind=kind)
        print(f"  {what}: {min(lo + 128, len(texts))}/{len(texts)} in {time.perf_counter() - t:.0f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="variants,windows,ntrex")
    a = ap.parse_args()
    enc = cached_encoder()
    for part in a.only.split(","):
        t = time.perf_counter()
        if part == "windows":
            texts = kazqad_windows()[0]
            encode(enc, texts, "raw", "kazqad windows")
        elif part in ("ntrex", "ntrex_base", "ntrex_windows"):
            sets = ntrex_sets()
            texts = []
            for s in sets if part != "ntrex_windows" else ():  # chunks and questions of every set first
                encode(enc, s.passage_texts(), "raw", f"{s.name} chunks")
                encode(enc, [q for _, q in s.queries], "query", f"{s.name} questions")
            for s in sets if part != "ntrex_base" else ():
                encode(enc, s.window_texts(), "raw", f"{s.name} windows")
        elif part == "variants":
            texts = [t for qs in variant_queries().values() for t in qs.values()]
            encode(enc, texts, "query", "question variants")
        print(f"{part}: {len(texts)} texts in {time.perf_counter() - t:.0f} s", flush=True)


if __name__ == "__main__":
    main()
