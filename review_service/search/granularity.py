"""Dense search over two granularities: whole chunks and sentence windows inside them (max-sim).

A question usually asks about one or two sentences of a passage. A chunk's single vector averages its whole
~900 characters, so a question phrased in other words than the passage meets the chunk only through that average;
the vector of the window that holds the answer is closer. Each chunk longer than one window is cut into windows of
consecutive sentences (at most ``WINDOW_CHARS`` characters, the next window starting at the last sentence of the
one before, so a fact split over two sentences stays together); a chunk's dense score is then the mean of its own
cosine and the best cosine among its windows (:func:`chunk_dense`), the chunk's own cosine where it has no windows.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from review_service.intake.chunking import split_sentences

WINDOW_CHARS = 300


def sentence_windows(text: str, max_chars: int = WINDOW_CHARS) -> list[str]:
    """Windows of consecutive sentences of ``text`` (none when the text fits in one window)."""
    sents = split_sentences(text)
    if len(text) <= max_chars or len(sents) < 2:
        return []
    out: list[str] = []
    i = 0
    while i < len(sents):
        j, size = i, 0
        while j < len(sents) and (j == i or size + len(sents[j]) + 1 <= max_chars):
            size += len(sents[j]) + 1
            j += 1
        out.append(" ".join(sents[i:j]))
        if j >= len(sents):
            break
        i = j - 1 if j - 1 > i else j  # one sentence of overlap
    return out


def window_rows(texts: Sequence[str], max_chars: int = WINDOW_CHARS) -> tuple[list[str], np.ndarray]:
    """Every chunk's windows in chunk order, and the chunk row each window belongs to."""
    windows: list[str] = []
    owner: list[int] = []
    for row, text in enumerate(texts):
        for w in sentence_windows(text, max_chars):
            windows.append(w)
            owner.append(row)
    return windows, np.asarray(owner, dtype=np.int64)


def best_window(window_cos: np.ndarray, owner: np.ndarray, n_chunks: int) -> np.ndarray:
    """The best window cosine per chunk row (NaN where a chunk has no window)."""
    out = np.full(n_chunks, np.nan, dtype=np.float32)
    if len(owner):
        np.fmax.at(out, owner, window_cos.astype(np.float32))
    return out


def chunk_dense(chunk_cos: np.ndarray, window_best: np.ndarray, window_share: float) -> np.ndarray:
    """A chunk's dense score: ``(1 - window_share)`` × its own cosine + ``window_share`` × its best window's
    (its own cosine where it has no window)."""
    if window_share <= 0:
        return chunk_cos
    best = np.where(np.isnan(window_best), chunk_cos, window_best)
    return (1 - window_share) * chunk_cos + window_share * best
