"""Cache EmbeddingGemma vectors for the KazQAD dev search data in bench/out/ (git-ignored).

Passage variants (one vector per chunk, chunks from :func:`review_service.search.chunk_documents`):
  doc        document prompt ("title: none | text: ") on the chunk text — the Encoder protocol's default
  doc_title  document prompt on "title\\nchunk"
  title      EmbeddingGemma's own title slot: "title: {title} | text: {chunk}"
  none       no prompt
Query variants: query (query prompt), doc (document prompt), none (no prompt); query_onnx: the query prompt through
the API's fast path for a new question (ONNX Runtime, 8-bit weights, one query at a time; embeddings/onnx_query.py).

python bench/search_vectors.py [--passages doc,title,none] [--queries query,doc,none]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.core.exchange import read_corpus, read_jsonl
from review_service.search.engine import chunk_documents

SHARED = Path(os.environ.get("REVIEW_SERVICE_SHARED", ROOT.parent / "shared"))  # a worktree: set it to ../shared
DATA = SHARED / "data" / "search"
OUT = ROOT / "bench" / "out"
logger = logging.getLogger("bench.search_vectors")


def _raw_encode(encoder, texts: list[str], prompt: str) -> np.ndarray:
    model = encoder.model
    vecs = model.encode(texts, prompt=prompt, batch_size=16, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32)


def passage_texts(docs, chunks, variant: str) -> list[tuple[str, str]]:
    """(prompt, text) per chunk for one passage variant."""
    titles = {d.id: d.title for d in docs}
    out = []
    for c in chunks:
        title = titles[c.doc_id]
        if variant == "doc":
            out.append(("title: none | text: ", c.text))
        elif variant == "doc_title":
            out.append(("title: none | text: ", f"{title}\n{c.text}" if title else c.text))
        elif variant == "title":
            out.append((f"title: {title or 'none'} | text: ", c.text))
        elif variant == "none":
            out.append(("", c.text))
        else:
            raise ValueError(variant)
    return out


QUERY_PROMPTS = {"query": "task: search result | query: ", "doc": "title: none | text: ", "none": "",
                 "query_onnx": "task: search result | query: (onnx-int8)"}


def cached(name: str, items: list[tuple[str, str]], encoder_fn) -> np.ndarray:
    key = hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:16]
    path = OUT / f"vec_{name}_{key}.npy"
    if path.exists():
        return np.load(path)
    t = time.perf_counter()
    by_prompt: dict[str, list[int]] = {}
    for i, (p, _) in enumerate(items):
        by_prompt.setdefault(p, []).append(i)
    vecs = np.zeros((len(items), 768), dtype=np.float32)
    for p, rows in by_prompt.items():
        vecs[rows] = encoder_fn([items[i][1] for i in rows], p)
    OUT.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    logger.warning("encoded %s: %d texts in %.0f s", name, len(items), time.perf_counter() - t)
    return vecs


def load_all(passage_variants, query_variants, *, encode: bool = True):
    docs = read_corpus(DATA / "corpus.jsonl")
    queries = list(read_jsonl(DATA / "queries.jsonl"))
    chunks = chunk_documents(docs)
    encoder = None

    def fn(texts, prompt):
        nonlocal encoder
        if not encode:
            raise RuntimeError("vectors not cached; run bench/search_vectors.py first")
        if encoder is None:
            from embeddings import load_encoder
            encoder = load_encoder()
        if prompt.endswith("(onnx-int8)"):
            encoder.use_onnx_queries(required=True)
            return np.stack([encoder.encode([t], kind="query")[0] for t in texts])
        return _raw_encode(encoder, texts, prompt)

    qv = {v: cached(f"q_{v}", [(QUERY_PROMPTS[v], q["text"]) for q in queries], fn) for v in query_variants}
    pv = {v: cached(f"p_{v}", passage_texts(docs, chunks, v), fn) for v in passage_variants}
    return docs, queries, chunks, qv, pv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", default="doc,title,none")
    ap.add_argument("--queries", default="query,doc,none")
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    load_all([v for v in a.passages.split(",") if v], [v for v in a.queries.split(",") if v])


if __name__ == "__main__":
    main()
