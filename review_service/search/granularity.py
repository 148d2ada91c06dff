"""Dense search over two granularities: whole chunks and sentence windows inside them (max-sim).

A question usually asks about one or two sentences of a passage. A chunk's single vector averages its whole
~900 characters, so a question phrased in other words than the passage meets the chunk only through that average;
the vector of the window that holds the answer is closer. Each chunk longer than one window is cut into windows of
consecutive sentences (at most ``WINDOW_CHARS`` characters, no overlap: windows cost as many embedded characters
as the chunks again, and overlapping ones half as many more); a chunk's dense score is then the mean of its own
cosine and the best cosine among its windows (:func:`chunk_dense`), the chunk's own cosine where it has no windows.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from review_service.intake.chunking import split_sentences

WINDOW_CHARS = 300


def sentence_windows(text: str, max_chars: int = WINDOW_CHARS) -> list[str]:
    """``text`` cut into runs of consecutive sentences of at most ``max_chars`` characters (a longer sentence is
    a window of its own); none when the text fits in one window."""
    sents = split_sentences(text)
    if len(text) <= max_chars or len(sents) < 2:
        return []
    out: list[str] = []
    current: list[str] = []
    size = 0
    for sent in sents:
        if current and size + len(sent) + 1 > max_chars:
            out.append(" ".join(current))
            current, size = [], 0
        current.append(sent)
        size += len(sent) + 1
    out.append(" ".join(current))
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
