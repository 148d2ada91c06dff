"""Word shingles over folded text, MinHash signatures with LSH banding, and exact overlap verification.

Text is folded first (:func:`review_service.core.normalize.fold`: lower case, Kazakh Latin and Cyrillic to one
skeleton), so a copy re-typed in the other script shingles the same. Shingle hashes are 64-bit rolling
combinations of per-word CRC32 values (deterministic across processes, unlike ``hash``). MinHash uses
multiply-shift hashing in uint64 arithmetic, vectorised over all documents at once.
"""
from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

import numpy as np

from review_service.core.normalize import fold

_WORD = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
_MUL = np.uint64(0x9E3779B97F4A7C15)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


_CRC: dict[str, int] = {}


def _code(token: str) -> int:
    code = _CRC.get(token)
    if code is None:
        code = zlib.crc32(token.encode("utf-8"))
        if len(_CRC) < 2_000_000:
            _CRC[token] = code
    return code


def shingle_hashes(text: str, size: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the ``size``-word shingles of folded ``text`` (short texts: one shingle)."""
    toks = words(text)
    if not toks:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter(map(_code, toks), dtype=np.uint64, count=len(toks))
    n = max(1, len(toks) - size + 1)
    width = min(size, len(toks))
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            h = h * _MUL + codes[j:j + n]
    return np.unique(h)


def _perm_params(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def minhash_signatures(sets: Sequence[np.ndarray], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures; an empty set gets all-ones (matches nothing)."""
    a, b = _perm_params(num_perm, seed)
    sig = np.full((len(sets), num_perm), 0xFFFFFFFF, dtype=np.uint64)
    budget = max(1, 2_000_000 // num_perm)  # shingles per block: bounds memory at ~16 MB
    with np.errstate(over="ignore"):
        i = 0
        while i < len(sets):
            j, size = i, 0
            while j < len(sets) and (size == 0 or size + len(sets[j]) <= budget):
                size += len(sets[j])
                j += 1
            docs = [k for k in range(i, j) if len(sets[k])]
            if docs:
                block = np.concatenate([sets[k] for k in docs])
                starts = np.concatenate([[0], np.cumsum([len(sets[k]) for k in docs])[:-1]])
                hv = ((block[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)) & _MASK32
                sig[docs] = np.minimum.reduceat(hv, starts, axis=0)
            i = j
    return sig.astype(np.uint32)


def lsh_params(threshold: float, num_perm: int = 128, recall: float = 0.995) -> tuple[int, int]:
    """(bands, rows): the most selective banding that still makes a pair at ``threshold`` a candidate
    with probability ≥ ``recall`` (so verification, not banding, decides)."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
        else:
            break
    return best


def lsh_candidates(sig: np.ndarray, bands: int, rows: int, *, max_bucket: int = 200) -> set[tuple[int, int]]:
    """Index pairs (i < j) that agree on all rows of at least one band. A bucket larger than
    ``max_bucket`` is boilerplate (or empty texts), not a copy, and is skipped."""
    pairs: set[tuple[int, int]] = set()
    mul = np.random.default_rng(7).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    for band in range(bands):
        part = sig[:, band * rows:(band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (part * mul[None, :]).sum(axis=1, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        cuts = np.flatnonzero(np.diff(sk)) + 1
        for group in np.split(order, cuts):
            if 1 < len(group) <= max_bucket:
                g = sorted(group.tolist())
                for x in range(len(g)):
                    for y in range(x + 1, len(g)):
                        pairs.add((g[x], g[y]))
    return pairs


def overlap(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b, assume_unique=True))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) and not len(b):
        return 0.0
    inter = overlap(a, b)
    return inter / (len(a) + len(b) - inter)


def shared_shingle_pairs(sets: Sequence[np.ndarray], *, min_shared: int, max_df: int = 50,
                         ) -> dict[tuple[int, int], int]:
    """Exact shared-shingle counts for every pair with at least ``min_shared`` in common (sparse product).
    Shingles found in more than ``max_df`` documents are boilerplate and ignored."""
    import scipy.sparse as sp

    sizes = np.array([len(s) for s in sets])
    if sizes.sum() == 0:
        return {}
    flat = np.concatenate([np.asarray(s, dtype=np.uint64) for s in sets])
    rows = np.repeat(np.arange(len(sets)), sizes)
    uniq, cols, df = np.unique(flat, return_inverse=True, return_counts=True)
    keep = (df[cols] > 1) & (df[cols] <= max_df)
    m = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (rows[keep], cols[keep])),
                      shape=(len(sets), len(uniq)))
    co = sp.triu(m @ m.T, k=1).tocoo()
    return {(int(i), int(j)): int(v) for i, j, v in zip(co.row, co.col, co.data) if v >= min_shared}


def expected_band_recall(threshold: float, bands: int, rows: int) -> float:
    return 1 - (1 - threshold**rows) ** bands


def num_bands_note(threshold: float, num_perm: int) -> str:
    bands, rows = lsh_params(threshold, num_perm)
    return f"{bands}×{rows} (candidate threshold ≈ {math.pow(1 / bands, 1 / rows):.2f})"
