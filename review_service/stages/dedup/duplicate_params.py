"""The thresholds of duplicate detection (:func:`review_service.stages.duplicates.find_duplicates`), from settings
or given; the figures behind each are in docs/duplicates.md."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from review_service.core.config import Settings


@dataclass(frozen=True)
class DuplicateParams:
    near_jaccard: float = 0.5
    partial_containment: float = 0.35
    semantic_margin: float = 1.06
    semantic_coverage: float = 0.5
    same_language_margin: float = 1.2
    """Same-language passages score higher for everything (shared wording, names): a stricter margin."""
    shingle_size: int = 5
    num_perm: int = 128
    partial_min_shared: int = 8
    """At least this many shared shingles (≈ a sentence or two) before a partial copy is considered."""
    partial_min_copied: int = 40
    """Shared 5-word shingles that make a verbatim passage (~45 words) a partial copy whatever its share of the
    shorter entry; unrelated sample entries share at most 12."""
    max_length_ratio: float = 1.6
    """A whole-document duplicate (paraphrase, translation) is about as long as its original: Russian runs
    ≤ 1.4× the characters of its English or Kazakh version on NTREX. A pair covered on both sides but with
    more disparate lengths is judged as a partial overlap (stricter margin, several passages)."""
    partial_min_passages: int = 2
    """A semantic partial copy needs at least this many aligned passages (one shared paragraph is a topic)."""
    knn: int = 4
    candidate_top: int = 8
    section_partners: int = 3
    """Cross-lingual sentence alignment is run for each document with the ``section_partners`` documents holding
    its best cross-lingual passage margins (≥ ``semantic_margin``); on the dev pools the true partner is first
    or second."""
    section_margin: float = 1.0
    """A sentence pair links when its ratio margin is at least this (and it is the best pair, see
    :func:`sections.links`)."""
    section_min_evidence: float = 0.5
    """A translated section is a run of linked sentences, in order, whose evidence Σ (margin − 1) reaches this:
    e.g. three sentences at 1.17 or two at 1.25. On the 12 dev compositions no run between different articles
    (same event included) exceeds 0.45; 92 of 96 translated sections reach 0.5."""
    section_min_links: int = 2
    section_min_chars: int = 150
    """… covering at least this many characters on each side (a single sentence is never a section)."""
    section_max_step: int = 3
    """Consecutive links may be up to this many sentences apart on either side: Kazakh translations often split
    one Russian or English sentence in two or three, and a sentence may be dropped."""
    max_evidence: int = 3
    chunk_chars: int = 900
    chunk_overlap: int = 150

    @classmethod
    def from_settings(cls, settings: Settings | None, **overrides: Any) -> DuplicateParams:
        if settings is None:
            return cls(**overrides)
        base: dict[str, Any] = {"near_jaccard": settings.dup_near_jaccard, "partial_containment": settings.dup_partial_containment,
                "semantic_margin": settings.dup_semantic_margin, "semantic_coverage": settings.dup_semantic_coverage,
                "chunk_chars": settings.chunk_chars, "chunk_overlap": settings.chunk_overlap_chars}
        for name in ("knn", "shingle_size", "partial_min_shared", "same_language_margin", "partial_min_copied",
                     "max_length_ratio", "section_partners", "section_margin", "section_min_evidence",
                     "section_min_links", "section_min_chars", "section_max_step"):
            if hasattr(settings, f"dup_{name}"):
                base[name] = getattr(settings, f"dup_{name}")
        base.update(overrides)
        return cls(**base)
