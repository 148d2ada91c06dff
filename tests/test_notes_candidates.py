"""Notes on the batch's chunk vectors: a bounded number of sentences embedded, chosen from the central chunks."""
from __future__ import annotations

import numpy as np

from review_service.stages.notes.support import SourceSentence, candidate_sentences


def _sources(per_chunk: list[int]) -> list[SourceSentence]:
    return [SourceSentence(f"Sentence {c}.{i} is long enough to be a candidate sentence.", f"page {c}", c, "en")
            for c, n in enumerate(per_chunk) for i in range(n)]


def test_candidates_are_bounded_taken_round_robin_from_central_chunks_first() -> None:
    sources = _sources([4, 4, 4])
    chunks = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]], dtype=np.float32)  # chunk 1 is the most central
    picked = candidate_sentences(sources, chunks, 4)
    assert len(picked) == 4 and picked == sorted(picked)
    by_chunk = [sources[i].chunk for i in picked]
    assert by_chunk.count(1) == 2 and by_chunk.count(0) == 1 and by_chunk.count(2) == 1
    assert candidate_sentences(sources, chunks, 50) == list(range(12))  # few sentences: all of them


def test_candidates_stay_within_a_character_budget_but_never_below_the_minimum() -> None:
    sources = _sources([4, 4, 4])  # 12 sentences of 55 characters
    chunks = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]], dtype=np.float32)
    size = len(sources[0].text)
    picked = candidate_sentences(sources, chunks, 24, budget_chars=5 * size + 10)
    assert len(picked) == 5  # the sentence count allows all 12; the characters allow 5
    assert [sources[i].chunk for i in picked].count(1) == 2  # still round-robin from the most central chunk
    assert len(candidate_sentences(sources, chunks, 24, budget_chars=10, at_least=3)) == 3
    assert candidate_sentences(sources, chunks, 24, budget_chars=12 * size) == list(range(12))
