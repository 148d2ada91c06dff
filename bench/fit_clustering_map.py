"""Fit the linear map from EmbeddingGemma's document-prompt space to its clustering-prompt space that the screen's
themes stage applies to its one-pass vectors (``review_service.themes.to_clustering_space``).

    .venv/bin/python bench/fit_clustering_map.py [--lam 0.1] [--langs kk,ru]

Fitted on SIB-200 *train* sentences (../shared/data/topics, 701 items × languages): the same text embedded with
the document and with the clustering prompt (vectors from the bench cache, embedded on a miss); no topic label is
used. Ridge regression on centred vectors, W = (XᵀX + λI)⁻¹XᵀY. Written to
review_service/resources/clustering_map_<model>.npz (W as float16, the means, the model revision, the source).
Prints the held-out fit on SIB-200 dev: mean cosine between mapped and true clustering-prompt vectors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import _sib200 as S


def pairs(split: str, langs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    rows = S.load_rows(split)
    x = np.concatenate([S.vectors(rows, lg, "document") for lg in langs]).astype(np.float64)
    y = np.concatenate([S.vectors(rows, lg, "clustering") for lg in langs]).astype(np.float64)
    return x, y


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lam", type=float, default=0.1)
    ap.add_argument("--langs", default="kk,ru")
    args = ap.parse_args()
    from embeddings.encoder import SentenceTransformerEncoder
    from models.registry import get_spec

    langs = args.langs.split(",")
    x, y = pairs("train", langs)
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    w = np.linalg.solve(xc.T @ xc + args.lam * np.eye(x.shape[1]), xc.T @ yc)
    dx, dy = pairs("dev", langs)

    def cos(a: np.ndarray, b: np.ndarray) -> float:
        a = a / np.linalg.norm(a, axis=1, keepdims=True)
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
        return float((a * b).sum(1).mean())

    print(f"fitted on {len(x)} train pairs ({'+'.join(langs)}), lambda {args.lam}; SIB-200 dev ({len(dx)} pairs): "
          f"cos(document, clustering) {cos(dx, dy):.3f}, cos(mapped document, clustering) "
          f"{cos((dx - mx) @ w + my, dy):.3f}")
    model = "embeddinggemma-300m"
    revision = f"{get_spec(model).revision}+{SentenceTransformerEncoder.PREPROCESSING}"
    out = ROOT / "review_service" / "resources" / f"clustering_map_{model}.npz"
    np.savez(out, w=w.astype(np.float16), mx=mx.astype(np.float32), my=my.astype(np.float32),
             revision=np.array(revision),
             fitted_on=np.array(f"ridge λ={args.lam} on {len(x)} SIB-200 train sentence pairs, {'+'.join(langs)}, "
                                f"no labels"))
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
