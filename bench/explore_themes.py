"""Exploration behind the themes method (train split only): prompts × preprocessing × clusterer × k choice.

    .venv/bin/python bench/explore_themes.py [document|clustering|query ...]
Prints V-measure on SIB-200 train items (kk, ru, mixed) at k=7 for each variant."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT.parent / "shared" / "eval")]

import _sib200 as S
from metrics import v_measure


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def centre(x, langs=None):
    x = np.asarray(x, np.float64).copy()
    groups = np.asarray(langs) if langs is not None else np.zeros(len(x))
    for g in set(groups.tolist()):
        m = groups == g
        x[m] -= x[m].mean(0)
    return unit(x)


def pca(x, d, whiten=False):
    xc = x - x.mean(0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    z = xc @ vt[:d].T
    if whiten:
        z = z / s[:d] * np.sqrt(len(x))
    return unit(z)


def km(x, k, seed=0):
    from sklearn.cluster import KMeans
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)


def ward(x, k):
    from sklearn.cluster import AgglomerativeClustering
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)


def avgcos(x, k):
    from sklearn.cluster import AgglomerativeClustering
    return AgglomerativeClustering(n_clusters=k, linkage="average", metric="cosine").fit_predict(x)


def knn_affinity(x, nn):
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    idx = np.argsort(-s, axis=1)[:, :nn]
    a = np.zeros_like(s)
    rows = np.repeat(np.arange(len(x)), nn)
    a[rows, idx.ravel()] = 1.0
    return np.maximum(a, a.T)


def spectral_embed(a, k):
    d = a.sum(1)
    dinv = 1 / np.sqrt(np.maximum(d, 1e-12))
    m = dinv[:, None] * a * dinv[None, :]
    w, v = np.linalg.eigh(m)
    return w[::-1], v[:, ::-1]


def spectral(x, k, nn=15):
    a = knn_affinity(x, nn)
    _, v = spectral_embed(a, k)
    return km(unit(v[:, :k]), k)


def spectral_w(x, k, nn=15):
    # weighted kNN graph: cosine similarity on kNN edges
    s = np.clip(x @ x.T, 0, None)
    a = knn_affinity(x, nn) * s
    _, v = spectral_embed(a, k)
    return km(unit(v[:, :k]), k)


def run(kind):
    import os
    limit = int(os.environ.get("LIMIT", "0")) or None
    rows = [r for r in S.load_rows()[:limit] if r["split"] == "train"]
    by = {}
    for lg in ("kk", "ru"):
        try:
            by[lg] = S.vectors(rows, lg, kind)
        except Exception as e:  # noqa: BLE001
            print(kind, lg, "not cached", e)
            return
    gold = {i: r["category"] for i, r in enumerate(rows)}
    mv, _, ml = S.mixed(rows, by)
    sets = {"kk": (by["kk"], None), "ru": (by["ru"], None), "mixed": (mv, ml)}
    prep = {
        "raw": lambda x, l: unit(x),
        "centre": lambda x, l: centre(x, l),
        "pca50": lambda x, l: pca(centre(x, l), 50),
        "pca100": lambda x, l: pca(centre(x, l), 100),
        "pca50w": lambda x, l: pca(centre(x, l), 50, True),
    }
    algos = {"kmeans": km, "ward": ward, "avgcos": avgcos, "spec10": lambda x, k: spectral(x, k, 10),
             "spec20": lambda x, k: spectral(x, k, 20), "specw15": lambda x, k: spectral_w(x, k, 15)}
    for pn, pf in prep.items():
        for an, af in algos.items():
            vs = []
            for x, l in sets.values():
                lab = af(pf(x, l), 7)
                vs.append(v_measure(dict(enumerate(lab.tolist())), gold))
            print(f"{kind:10s} {pn:7s} {an:8s} kk={vs[0]:.3f} ru={vs[1]:.3f} mixed={vs[2]:.3f}", flush=True)


if __name__ == "__main__":
    for kind in sys.argv[1:] or ["document"]:
        run(kind)
