"""A bounded, thread-safe LRU of query vectors: (model id, revision, query text) → unit vector.

Jurors and organisers repeat queries and page through results; each repeat would otherwise embed the query again,
which costs more than the whole rest of a search (EmbeddingGemma ~75 ms eager on 2 cores against ~10 ms for BM25 +
FAISS + fusion at 100,000 chunks). The key holds the model's id and revision, so vectors of another model or
preprocessing are never served.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

DEFAULT_SIZE = 4096
"""~12 MB of 768-d float32 vectors."""

Key = tuple[str, str, str]


class QueryVectorCache:
    """``get(key, compute)``: the cached vector, or ``compute()``'s, kept as the most recent of ``size``.

    The embedding runs outside the lock, so a slow novel query never holds up cache hits in other threads; two
    threads asking for the same novel query at once may both embed it (the second write wins, same vector)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 0:
            raise ValueError("query cache size must be ≥ 0 (0 turns caching off)")
        self.size = size
        self._items: OrderedDict[Key, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key, compute: Callable[[], np.ndarray]) -> np.ndarray:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        vec = np.array(compute(), dtype=np.float32)  # own copy, read-only: callers share it
        vec.setflags(write=False)
        if self.size:
            with self._lock:
                self._items[key] = vec
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return vec

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
