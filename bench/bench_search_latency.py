"""Warm search latency at 100,000 chunks, index build time and peak memory.

The corpus is generated: each chunk is 2–5 real Kazakh sentences drawn at random from the KazQAD passages
(../shared/data/search), so BM25 sees real analysed text and a real vocabulary; the dense side uses random unit
vectors (768-d) for chunks and queries instead of EmbeddingGemma (embedding 100k passages would take hours on this
CPU) — FAISS switches to HNSW at this size exactly as with real vectors. Query texts are the real KazQAD questions.
The query embedding itself (EmbeddingGemma, ~20–40 ms for a short query on 2 cores) is not in these figures;
``--encoder`` measures it separately.

Baselines in the same run: BM25 alone (bm25s ``get_scores``) and FAISS alone, on the same queries.

python bench/bench_search_latency.py [--chunks 100000] [--queries 300] [--encoder]
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.chunking import split_sentences
from review_service.domain import Anchor, Chunk, Document
from review_service.exchange import read_corpus, read_jsonl
from review_service.lexical import analyse
from review_service.search import FusionConfig, SearchEngine

DATA = ROOT.parent / "shared" / "data" / "search"
REGIONS = ["Астана", "Алматы", "Шымкент", "Қарағанды облысы", "Атырау облысы", "Павлодар облысы", "Түркістан облысы"]
TYPES = ["ұлттық", "облыстық", "аудандық", "ауылдық", "балалар", "ЖОО"]
THEMES = ["chatbot", "digitisation", "reading", "accessibility", "events", "catalogue"]
OUTCOMES = ["winner", "finalist", "participant"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n_chunks: int, per_doc: int, dim: int, seed: int = 0) -> tuple[list[Document], np.ndarray]:
    rng = random.Random(seed)
    sentences = [s for d in read_corpus(DATA / "corpus.jsonl") for s in split_sentences(d.text) if len(s) > 30]
    docs = []
    for i in range(n_chunks // per_doc):
        doc_id = f"g{i:06d}"
        chunks = tuple(Chunk(doc_id, j, " ".join(rng.sample(sentences, rng.randint(2, 5))), Anchor("section", j + 1),
                             "kk") for j in range(per_doc))
        docs.append(Document(doc_id, "", f"Жоба {i}", "kk", chunks, rng.choice(range(2019, 2027)),
                             {"region": rng.choice(REGIONS), "library_type": rng.choice(TYPES),
                              "theme": rng.choice(THEMES), "outcome": rng.choice(OUTCOMES)}))
    vecs = np.random.default_rng(seed).standard_normal((len(docs) * per_doc, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return docs, vecs


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, p))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--per-doc", type=int, default=5)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--encoder", action="store_true", help="also time EmbeddingGemma query embedding")
    a = ap.parse_args()
    dim = 768
    t0 = time.perf_counter()
    docs, vecs = generate(a.chunks, a.per_doc, dim)
    print(f"generated {len(docs)} documents / {len(vecs)} chunks in {time.perf_counter() - t0:.1f} s; "
          f"peak RSS {rss_mb():.0f} MB")
    rss0 = rss_mb()
    t0 = time.perf_counter()
    engine = SearchEngine.build(docs, None, vectors=vecs, config=FusionConfig())
    t_lex = time.perf_counter() - t0
    del vecs
    rng = np.random.default_rng(1)
    warm = rng.standard_normal(dim).astype(np.float32)
    t1 = time.perf_counter()
    engine.index.search(warm[None, :] / np.linalg.norm(warm), 10)  # FAISS builds its HNSW graph lazily
    t_build = time.perf_counter() - t0
    print(f"index build: {t_build:.1f} s (analysis + BM25 {t_lex:.1f} s, FAISS {engine.index.kind} "
          f"{time.perf_counter() - t1:.1f} s); peak RSS {rss_mb():.0f} MB (+{rss_mb() - rss0:.0f} MB)")

    texts = [q["text"] for q in read_jsonl(DATA / "queries.jsonl")][: a.queries]
    qvecs = rng.standard_normal((len(texts), dim)).astype(np.float32)
    qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)
    for t, v in zip(texts[:20], qvecs[:20]):  # warm caches
        engine.search(t, 10, qvec=v)

    def timed(fn) -> list[float]:
        out = []
        for t, v in zip(texts, qvecs):
            s = time.perf_counter()
            fn(t, v)
            out.append(time.perf_counter() - s)
        return out

    rows = {
        "BM25 alone (analyse + get_scores)": timed(lambda t, v: engine.bm25.get_scores(analyse(t))),
        "FAISS alone (top 100)": timed(lambda t, v: engine.index.search(v[None, :], 100)),
        "hybrid ranked ids (batch path)": timed(lambda t, v: engine.ranked(t, 10, qvec=v)),
        "hybrid search (passages, facets)": timed(lambda t, v: engine.search(t, 10, qvec=v)),
        "hybrid search + filters": timed(lambda t, v: engine.search(
            t, 10, {"year": "2022-2024", "library_type": "аудандық,ауылдық"}, qvec=v)),
    }
    base = np.percentile(rows["BM25 alone (analyse + get_scores)"], 50) + np.percentile(
        rows["FAISS alone (top 100)"], 50)
    print(f"\n{len(texts)} queries, warm, k=10, {len(engine.chunk_ids)} chunks:")
    print(f"{'':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50 / (BM25+FAISS p50)':>24}")
    for name, xs in rows.items():
        print(f"{name:<36} {pct(xs, 50):>8.1f} {pct(xs, 95):>8.1f} {np.percentile(xs, 50) / base:>24.2f}")
    p95 = pct(rows["hybrid search (passages, facets)"], 95)
    print(f"\ntarget p95 ≤ 50 ms: {'met' if p95 <= 50 else 'NOT met'} ({p95:.1f} ms, without query embedding); "
          f"peak RSS {rss_mb():.0f} MB")
    if a.encoder:
        from embeddings import load_encoder

        enc = load_encoder()
        enc.encode(texts[:5], kind="query")
        times = []
        for t in texts[:50]:
            s = time.perf_counter()
            enc.encode([t], kind="query")
            times.append(time.perf_counter() - s)
        print(f"EmbeddingGemma query embedding: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms")


if __name__ == "__main__":
    main()
