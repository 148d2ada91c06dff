"""Embedding benchmarks: throughput of the pipeline's encoding path vs raw ``model.encode_document`` (same run),
and Spearman correlation on STSb multi-mt (../shared/data/similarity): Russian dev and Russian–English pairs.

    .venv/bin/python bench/bench_embed.py throughput [N]   # N texts (default 64 SIB-200 Russian sentences)
    .venv/bin/python bench/bench_embed.py sts [N]          # first N dev pairs (default 300), vectors cached

Throughput: the two paths are timed alternately (raw, ours, raw, ours) on the same texts, with the product's
content-hash cache disabled for ours (a cache hit would not be a fair comparison).
"""
from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "eval"))

from metrics import spearman

from review_service.core.normalize import normalize_text


def throughput(n: int = 64) -> None:
    from embeddings.encoder import CachedEncoder, load_encoder
    from review_service.core.config import Settings
    from review_service.stages.dedup.semantic import encode_texts

    rows = [json.loads(line) for line in (SHARED / "data/topics/sib200.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [normalize_text(r["ru"]) for r in rows[-n:]]
    enc = load_encoder(Settings(environment="test"))
    enc.encode(texts[:4])  # warm-up
    raw_t, ours_t = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        raw = enc.model.encode_document(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        raw_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ours = encode_texts(texts, CachedEncoder(enc))  # fresh cache: every text is embedded
        ours_t.append(time.perf_counter() - t0)
    diff = float(np.abs(np.asarray(raw, np.float32) - ours).max())
    r, o = n / min(raw_t), n / min(ours_t)
    print(f"{n} texts, best of 2: raw encode_document {r:.1f} texts/s, pipeline {o:.1f} texts/s → {o / r:.2f}× "
          f"(max |Δ| between vectors {diff:.1e})")


def sts(n: int = 300) -> None:
    from _cache import cached_encoder

    from review_service.stages.dedup.semantic import encode_texts

    ru = list(csv.reader((SHARED / "data/similarity/stsb-ru-dev.csv").read_text(encoding="utf-8").splitlines()))[:n]
    en = list(csv.reader((SHARED / "data/similarity/stsb-en-dev.csv").read_text(encoding="utf-8").splitlines()))[:n]
    enc = cached_encoder()
    a = encode_texts([normalize_text(r[0]) for r in ru], enc)
    b = encode_texts([normalize_text(r[1]) for r in ru], enc)
    b_en = encode_texts([normalize_text(r[1]) for r in en], enc)
    gold = [float(r[2]) for r in ru]
    print(f"STSb multi-mt dev, first {n} pairs (document prompt, cosine)")
    print(f"  ru–ru Spearman: {spearman((a * b).sum(1).tolist(), gold):.3f}   (MTEB ru test: LaBSE 0.73, bge-m3 0.79)")
    print(f"  ru–en Spearman: {spearman((a * b_en).sum(1).tolist(), gold):.3f}")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "sts"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else None
    if what == "throughput":
        throughput(n or 64)
    else:
        sts(n or 300)
