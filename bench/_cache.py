"""Bench helper: a persistent (SQLite) embedding cache under bench/out, so benchmarks never embed twice."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"


class DiskCache:
    """Same two methods as ``embeddings.encoder.MemoryCache``; rows keyed by (text key, model id)."""

    def __init__(self, path: Path = OUT / "embeddings.sqlite") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT, model TEXT, vec BLOB, PRIMARY KEY (key, model))")

    def get_many(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT key, vec FROM emb WHERE model=? AND key IN ({','.join('?' * len(part))})"
            for key, blob in self.db.execute(q, [model_id, *part]):
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, items: dict[str, np.ndarray], model_id: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                            [(k, model_id, np.asarray(v, np.float32).tobytes()) for k, v in items.items()])
        self.db.commit()


def cached_encoder(name: str | None = None):
    """The real encoder wrapped with the disk cache (batches of 32 written as they finish)."""
    from embeddings.encoder import CachedEncoder, load_encoder
    from review_service.core.config import Settings

    return CachedEncoder(load_encoder(Settings(environment="test"), name=name), DiskCache())
