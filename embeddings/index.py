"""The VectorIndex protocol and its FAISS implementation.

Vectors are L2-normalised, so inner product is cosine. Small collections (below ``hnsw_from`` vectors) use an
exact flat index; larger ones an approximate one: IVF (default: builds in seconds, ~2·√n lists, probing about
6 % of them) or HNSW (``approx="hnsw"``: better recall per probe, but slow to build on a small CPU). String ids map to internal rows; removal marks rows dead and the index is
rebuilt once a quarter of it is dead. save/load are atomic (a temp folder renamed into place).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from review_service.core.exchange import replace_dir


class VectorIndex(Protocol):
    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...
    def remove(self, ids: Sequence[str]) -> None: ...
    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]: ...
    def __len__(self) -> int: ...


class FaissIndex:
    def __init__(self, dim: int, *, hnsw_from: int = 50_000, hnsw_m: int = 32, ef_search: int = 128,
                 approx: str = "ivf") -> None:
        if approx not in ("ivf", "hnsw"):
            raise ValueError(f"unknown approximate index {approx!r}; known: ivf, hnsw")
        self.dim = dim
        self.approx = approx
        self._built: str | None = None
        self.hnsw_from = hnsw_from
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._dead: set[int] = set()
        self._index: Any = None  # a faiss index, built on the first search

    # -- building ---------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.approx if len(self._ids) >= self.hnsw_from else "flat"

    def _build(self) -> None:
        import faiss

        if self._dead:
            keep = [i for i in range(len(self._ids)) if i not in self._dead]
            self._vectors = self._vectors[keep]
            self._ids = [self._ids[i] for i in keep]
            self._row = {id_: i for i, id_ in enumerate(self._ids)}
            self._dead.clear()
        kind = self.kind
        index: Any
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = self.ef_search
        elif kind == "ivf":
            n = len(self._vectors)
            nlist = int(min(4096, max(16, 2 * n ** 0.5)))
            quantizer = faiss.IndexFlatIP(self.dim)
            index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = self._vectors[np.random.default_rng(0).permutation(n)[: min(n, 64 * nlist)]]
            index.train(sample)
            index.nprobe = max(8, nlist // 16)
            self._quantizer = quantizer  # the IVF index does not own its quantizer: keep it alive
        else:
            index = faiss.IndexFlatIP(self.dim)
        if len(self._vectors):
            index.add(self._vectors)
        self._index = index
        self._built = kind

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(ids) != len(vectors):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}")
        replaced = [i for i in ids if i in self._row]
        if replaced:
            self.remove(replaced)
        start = len(self._ids)
        self._vectors = np.vstack([self._vectors, vectors]) if len(self._vectors) else vectors.copy()
        for offset, id_ in enumerate(ids):
            self._row[id_] = start + offset
        self._ids.extend(ids)
        was = self._index
        if was is not None and self.kind == self._built and not self._dead:
            was.add(vectors)
        else:
            self._index = None

    def remove(self, ids: Sequence[str]) -> None:
        for id_ in ids:
            row = self._row.pop(id_, None)
            if row is not None:
                self._dead.add(row)
        if len(self._dead) * 4 > len(self._ids):
            self._index = None

    def __len__(self) -> int:
        return len(self._ids) - len(self._dead)

    def __contains__(self, id_: str) -> bool:
        return id_ in self._row

    def vector(self, id_: str) -> np.ndarray:
        return self._vectors[self._row[id_]]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids``, one row each (one gather, not one lookup per id)."""
        return self._vectors[np.fromiter((self._row[i] for i in ids), dtype=np.int64, count=len(ids))]

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not len(self):
            return [[] for _ in range(len(queries))]
        if self._index is None:
            self._build()
        want = min(len(self._ids), k + len(self._dead))
        scores, rows = self._index.search(queries, want)
        out = []
        for srow, rrow in zip(scores, rows):
            hits = [(self._ids[r], float(s)) for s, r in zip(srow, rrow) if r >= 0 and r not in self._dead]
            out.append(hits[:k])
        return out

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        live = [i for i in range(len(self._ids)) if i not in self._dead]
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            np.save(tmp / "vectors.npy", self._vectors[live])
            (tmp / "meta.json").write_text(json.dumps({
                "dim": self.dim, "ids": [self._ids[i] for i in live], "hnsw_from": self.hnsw_from,
                "hnsw_m": self.hnsw_m, "ef_search": self.ef_search, "approx": self.approx,
            }, ensure_ascii=False))
            replace_dir(tmp, path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, path: str | Path) -> FaissIndex:
        path = Path(path)
        meta = json.loads((path / "meta.json").read_text())
        index = cls(meta["dim"], hnsw_from=meta["hnsw_from"], hnsw_m=meta["hnsw_m"], ef_search=meta["ef_search"],
                    approx=meta.get("approx", "hnsw"))
        vectors = np.load(path / "vectors.npy")
        if len(meta["ids"]):
            index.add(meta["ids"], vectors)
        return index
