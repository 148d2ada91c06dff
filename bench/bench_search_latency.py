"""Warm search latency at 100,000 chunks, index build time and peak memory.

The corpus is generated: each chunk is 2–5 real Kazakh sentences drawn at random from the KazQAD passages
(../shared/data/search), so BM25 sees real analysed text and a real vocabulary; the dense side uses random unit
vectors (768-d) for chunks and queries instead of EmbeddingGemma (embedding 100k passages would take hours on this
CPU) — FAISS switches to its approximate index (IVF by default) at this size exactly as with real vectors. Query
texts are the real KazQAD questions.
The query embedding itself (EmbeddingGemma, ~75 ms eager for a short query on 2 cores) is not in these figures;
``--encoder`` measures it separately.

Baselines in the same run: BM25 alone (bm25s ``get_scores``) and FAISS alone, on the same queries.

``--api`` then measures end to end through the real app (``create_app`` with this engine handed in) over real HTTP
(uvicorn in a thread, one keep-alive httpx client), queries embedded by the real EmbeddingGemma (documents keep
their random vectors: latency, not ranking, is measured): (a) novel queries, eager; (c) the same queries again (query
vector LRU hits); (d) the same queries novel again (cache cleared) on a second app started with
``query_encoder=onnx`` (8-bit ONNX Runtime, :mod:`embeddings.onnx_query`), timed once ``/health`` says the path is
verified; with ``--compiled`` also (b), the same on an app with ``query_encoder=compiled`` — next to the engine-only
figure.

python bench/bench_search_latency.py [--chunks 100000] [--queries 300] [--encoder] [--api [--api-queries 200] [--compiled]]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.core.domain import Anchor, Chunk, Document
from review_service.core.exchange import read_corpus, read_jsonl
from review_service.core.lexical import analyse, char_ngrams
from review_service.intake.chunking import split_sentences
from review_service.search import FusionConfig, SearchEngine, chunk_documents
from review_service.search.granularity import window_rows

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


@contextmanager
def serve(app) -> Iterator[str]:
    """The app on a free local port (uvicorn in a thread); yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def _organizer_token(settings) -> dict[str, str]:
    from review_service.contest import accounts as people
    from review_service.storage import open_database

    db = open_database(settings)
    try:
        people.add_user(db, login="bench", role="organizer", password="bench-password", actor="bench")
        token = people.sign_in(db, "bench", "bench-password", hours=12)
    finally:
        db.close()
    return {"Authorization": f"Bearer {token}"}


def api_latency(engine: SearchEngine, texts: list[str], engine_p50: float, engine_p95: float, *,
                compiled: bool = False) -> None:
    import httpx

    from embeddings import load_encoder
    from review_service.core.config import Settings
    from review_service.server import create_app

    t0 = time.perf_counter()
    engine.encoder = load_encoder()
    print(f"\nAPI: {engine.encoder.model_id} loaded in {time.perf_counter() - t0:.1f} s; peak RSS {rss_mb():.0f} MB")
    warm = [f"{t} (warm-up)" for t in texts[:10]]

    def run(client: httpx.Client, queries: list[str]) -> list[float]:
        out = []
        for q in queries:
            s = time.perf_counter()
            r = client.get("/search", params={"q": q, "k": 10})
            out.append(time.perf_counter() - s)
            r.raise_for_status()
        return out

    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "var")
        auth = _organizer_token(settings)  # search is for organizers: sign in once, as a client would
        with serve(create_app(settings, search_engine=engine)) as url, httpx.Client(base_url=url,
                                                                                    headers=auth) as client:
            run(client, warm)
            rows["(a) novel queries, eager"] = run(client, texts)
            rows["(c) repeated queries (LRU hits)"] = run(client, texts)
        fast = [("onnx", "(d) novel queries, onnx-int8", "loading")]
        if compiled:
            fast.append(("compiled", "(b) novel queries, compiled", "compiling"))
        for mode, label, pending in fast:
            engine.query_cache.clear()
            engine.encoder.use_eager_queries()  # each fast path from a cold start
            t0 = time.perf_counter()
            with serve(create_app(settings.model_copy(update={"query_encoder": mode}), search_engine=engine)) as url, \
                    httpx.Client(base_url=url, headers=auth) as client:
                during = run(client, texts[:1])[0]
                while (state := client.get("/health").json()["query_encoder"]) == pending:
                    time.sleep(0.2)
                print(f"{mode}: prepared in the background in {time.perf_counter() - t0:.1f} s → {state} (a query "
                      f"during it: {during * 1000:.0f} ms); peak RSS {rss_mb():.0f} MB")
                engine.query_cache.clear()
                run(client, warm)
                rows[label] = run(client, texts)
    print(f"\n{len(texts)} queries over HTTP, k=10, {len(engine.chunk_ids)} chunks:")
    print(f"{'':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50 / engine p50':>17} {'p50 / (a) p50':>14}")
    print(f"{'engine.search only (random qvec)':<36} {engine_p50:>8.1f} {engine_p95:>8.1f} {1:>17.2f}")
    eager_p50 = pct(rows["(a) novel queries, eager"], 50)
    for name, xs in sorted(rows.items()):
        print(f"{name:<36} {pct(xs, 50):>8.1f} {pct(xs, 95):>8.1f} {pct(xs, 50) / engine_p50:>17.2f} "
              f"{pct(xs, 50) / eager_p50:>14.2f}")
    for name in sorted(set(rows) - {"(a) novel queries, eager"}):
        p95 = pct(rows[name], 95)
        print(f"target p95 ≤ 50 ms, {name}: {'met' if p95 <= 50 else 'NOT met'} ({p95:.1f} ms)")
    print(f"peak RSS {rss_mb():.0f} MB; load average now {os.getloadavg()[0]:.2f} (this run's own threads count)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--per-doc", type=int, default=5)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--encoder", action="store_true", help="also time EmbeddingGemma query embedding")
    ap.add_argument("--api", action="store_true", help="also measure end to end through the API (see above)")
    ap.add_argument("--api-queries", type=int, default=200)
    ap.add_argument("--compiled", action="store_true",
                    help="with --api, also the torch.compile path (adds ~2 min of compiling)")
    a = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (timings on a shared CPU: compare within one run)")
    dim = 768
    t0 = time.perf_counter()
    docs, vecs = generate(a.chunks, a.per_doc, dim)
    print(f"generated {len(docs)} documents / {len(vecs)} chunks in {time.perf_counter() - t0:.1f} s; "
          f"peak RSS {rss_mb():.0f} MB")
    rss0 = rss_mb()
    t0 = time.perf_counter()
    n_windows = len(window_rows([c.text for c in chunk_documents(docs)])[0])
    wvecs = np.random.default_rng(2).standard_normal((n_windows, dim)).astype(np.float32)
    wvecs /= np.linalg.norm(wvecs, axis=1, keepdims=True)  # sentence windows: random unit vectors too
    t0 = time.perf_counter()
    engine = SearchEngine.build(docs, None, vectors=vecs, config=FusionConfig(), window_vectors=wvecs)
    t_lex = time.perf_counter() - t0
    del vecs, wvecs
    rng = np.random.default_rng(1)
    warm = rng.standard_normal(dim).astype(np.float32)
    t1 = time.perf_counter()
    engine.index.search(warm[None, :] / np.linalg.norm(warm), 10)  # FAISS builds (trains) its index lazily
    if engine.windows is not None:
        engine.windows.search(warm[None, :] / np.linalg.norm(warm), 10)
    t_build = time.perf_counter() - t0
    print(f"index build: {t_build:.1f} s (analysis + BM25 {t_lex:.1f} s, FAISS {engine.index.kind} "
          f"{time.perf_counter() - t1:.1f} s); peak RSS {rss_mb():.0f} MB (+{rss_mb() - rss0:.0f} MB)")

    def mb(bm25) -> float:
        return sum(getattr(v, "nbytes", 0) for v in bm25.scores.values()) / 2**20

    print(f"index sizes: word BM25 {mb(engine.bm25):.0f} MB ({len(engine.bm25.vocab_dict)} terms), character "
          f"4-gram BM25 {mb(engine.grams):.0f} MB ({len(engine.grams.vocab_dict)} grams), vectors "
          f"{len(engine.chunk_ids) * dim * 4 / 2**20:.0f} MB, sentence windows {n_windows} "
          f"({n_windows * dim * 4 / 2**20:.0f} MB)")
    t1 = time.perf_counter()
    engine.normalise_query("китапхана")  # the Russian-keyboard restorer is built from the words at first use
    print(f"Kazakh typing restorer (first query only): {time.perf_counter() - t1:.1f} s; peak RSS {rss_mb():.0f} MB")

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
        "n-gram BM25 alone (grams + scores)": timed(lambda t, v: engine._ngram_scores(char_ngrams(t), None)),
        "FAISS alone (top 100)": timed(lambda t, v: engine.index.search(v[None, :], 100)),
        "hybrid ranked ids (batch path)": timed(lambda t, v: engine.ranked(t, 10, qvec=v)),
        "hybrid search (passages, facets)": timed(lambda t, v: engine.search(t, 10, qvec=v)),
        "hybrid search + filters": timed(lambda t, v: engine.search(
            t, 10, {"year": "2022-2024", "library_type": "аудандық,ауылдық"}, qvec=v)),
    }
    engine.config = FusionConfig(ngram_share=0.0)
    rows["hybrid search without n-grams"] = timed(lambda t, v: engine.search(t, 10, qvec=v))
    engine.config = FusionConfig(adaptive="off", window_share=0.0, typing=False)
    rows["hybrid search, settings as on main"] = timed(lambda t, v: engine.search(t, 10, qvec=v))
    engine.config = FusionConfig()
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
    if a.api:
        xs = rows["hybrid search (passages, facets)"]
        api_latency(engine, texts[: a.api_queries], pct(xs, 50), pct(xs, 95), compiled=a.compiled)


if __name__ == "__main__":
    main()
