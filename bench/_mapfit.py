"""Bench helper for the clustering map (``review_service.stages.themes.to_clustering_space``): unlabelled fitting pairs
(the same text embedded with the document and with the clustering prompt), the fitting methods compared, and
cross-fitting over the sample archive's projects.

Sources of pairs (no label of any kind is read):
- ``sib``: SIB-200 sentences (../shared/data/topics), the given split and languages;
- ``archive``: the sample archive's (sample_data/archive.jsonl) 900-character chunks, as the screen chunks them;
- ``entries``: the sample batch's entry texts (sample_data/entry_texts.jsonl), chunked the same way;
- ``ntrex``: NTREX news documents (../shared/data/crosslingual), kk/ru/en, chunked the same way.
Vectors come from the bench disk cache (bench/_cache.py); texts not cached yet are embedded once.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ARCHIVE = ROOT / "sample_data" / "archive.jsonl"
ENTRIES = ROOT / "sample_data" / "entry_texts.jsonl"
NTREX = DATA / "crosslingual" / "ntrex_docs.jsonl"
CHUNK, OVERLAP = 900, 150  # review_service.core.config.Settings.chunk_chars / chunk_overlap_chars

_ENCODER = None


def encoder():
    global _ENCODER
    if _ENCODER is None:
        from _cache import cached_encoder

        _ENCODER = cached_encoder()
    return _ENCODER


def embed(texts: Sequence[str], kind: str) -> np.ndarray:
    """Unit vectors of ``texts`` under the ``kind`` prompt (disk cache first, then the model, 32 at a time)."""
    from embeddings.encoder import encode_in_batches

    return encode_in_batches(encoder(), list(texts), kind=kind, batch=32).astype(np.float64)


def chunks_of(doc_id: str, text: str) -> list[str]:
    from review_service.intake.chunking import chunk_text

    return [c.text for c in chunk_text(doc_id, text, max_chars=CHUNK, overlap=OVERLAP)]


def archive_rows() -> list[dict]:
    return [json.loads(x) for x in ARCHIVE.read_text(encoding="utf-8").splitlines() if x.strip()]


def archive_frame() -> tuple[list[str], dict[str, str], list[str], list[str], list[list[str]], np.ndarray,
                                np.ndarray, np.ndarray]:
    """The sample archive as the themes benches use it: project ids, gold topics, languages, texts, chunk texts per
    project, and the chunk pairs (document-prompt vectors, clustering-prompt vectors, owning project index)."""
    rows = archive_rows()
    groups = archive_chunks()
    ax, ay, owner = pairs(groups)
    return ([r["id"] for r in rows], {r["id"]: r["topic"] for r in rows}, [r["lang"] for r in rows],
            [r["text"] for r in rows], groups, ax, ay, owner)


def archive_chunks() -> list[list[str]]:
    return [chunks_of(r["id"], r["text"]) for r in archive_rows()]


def entry_chunks() -> list[list[str]]:
    rows = [json.loads(x) for x in ENTRIES.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [cs for r in rows if (cs := chunks_of(r["file_name"], r["text"]))]


def ntrex_chunks(langs: Sequence[str] = ("kk", "ru", "en")) -> list[list[str]]:
    rows = [json.loads(x) for x in NTREX.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [chunks_of(f"{r['doc_id']}:{lg}", r[lg]) for r in rows for lg in langs]


def sib_texts(split: str, langs: Sequence[str]) -> list[list[str]]:
    import _sib200 as S

    rows = S.load_rows(split)
    return [[t] for lg in langs for t in S.texts(rows, lg)]


def source(name: str, langs: Sequence[str] = ("kk", "ru")) -> list[list[str]]:
    """Groups of texts (one group = one document's chunks, or one sentence) of a named source."""
    if name == "sib":
        return sib_texts("train", langs)
    if name == "archive":
        return archive_chunks()
    if name == "entries":
        return entry_chunks()
    if name == "ntrex":
        return ntrex_chunks()
    raise KeyError(f"unknown source {name!r}; known: sib, archive, entries, ntrex")


def pairs(groups: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document-prompt vectors, clustering-prompt vectors, group index of each row)."""
    flat = [t for g in groups for t in g]
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    return embed(flat, "document"), embed(flat, "clustering"), owner


# --- fitting ------------------------------------------------------------------------------------------------


def fit(x: np.ndarray, y: np.ndarray, *, method: str = "ridge", lam: float = 0.1, rank: int = 0,
        weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """An affine map y ≈ (x − mx) W + my. Methods:
    ``ridge``: W = (XᵀX + λI)⁻¹XᵀY (shrunk towards 0); ``ridge-id``: shrunk towards the identity,
    W = (XᵀX + λI)⁻¹(XᵀY + λI); ``procrustes``: the orthogonal W closest to XᵀY. ``rank`` > 0 keeps W's leading
    singular directions only. ``weights``: a weight per row (e.g. to balance sources)."""
    w8 = np.ones(len(x)) if weights is None else np.asarray(weights, float)
    w8 = w8 / w8.mean()
    mx = (w8[:, None] * x).sum(0) / w8.sum()
    my = (w8[:, None] * y).sum(0) / w8.sum()
    xc, yc = x - mx, y - my
    xtx = xc.T @ (w8[:, None] * xc)
    xty = xc.T @ (w8[:, None] * yc)
    d = x.shape[1]
    if method == "ridge":
        w = np.linalg.solve(xtx + lam * np.eye(d), xty)
    elif method == "ridge-id":
        w = np.linalg.solve(xtx + lam * np.eye(d), xty + lam * np.eye(d))
    elif method == "procrustes":
        u, _, vt = np.linalg.svd(xty)
        w = u @ vt
    else:
        raise KeyError(f"unknown method {method!r}; known: ridge, ridge-id, procrustes")
    if rank:
        u, s, vt = np.linalg.svd(w)
        w = (u[:, :rank] * s[:rank]) @ vt[:rank]
    return {"w": w, "mx": mx, "my": my}


def apply(m: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    y = (np.asarray(x, float) - m["mx"]) @ m["w"] + m["my"]
    return y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)


def mean_cos(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(1).mean())


def centred_cos(m: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Mean cosine between mapped and true clustering vectors with the fitted mean ``my`` removed from both: the
    part themes see (they remove each language's mean before clustering), not the shared component."""
    return mean_cos(apply(m, x) - m["my"], y - m["my"])


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    """k disjoint random parts of range(n) (by group: documents, never chunks, are split)."""
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def pool(chunk_vecs: Sequence[np.ndarray], how: str = "mean-unit") -> np.ndarray:
    """One unit vector per entry from its chunk vectors: ``mean`` (plain mean) or ``mean-unit`` (chunks
    normalised first, as the clustering-prompt vectors are)."""
    out = []
    for v in chunk_vecs:
        v = np.asarray(v, float)
        if how == "mean-unit":
            v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        m = v.mean(0)
        out.append(m / (np.linalg.norm(m) or 1.0))
    return np.stack(out)
