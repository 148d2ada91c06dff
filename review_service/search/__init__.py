"""Searching past projects: hybrid (BM25 + dense) cross-lingual kk/ru/en retrieval with filters and facets.

``SearchEngine.build(docs, encoder)`` → ``.search(query, k, filters)`` / ``.more_like_this(id)`` → SearchResult;
``save_engine(engine, folder)`` / ``load_engine(folder, encoder)``; ``engine_for_corpus`` caches one per corpus and
model.
"""
from __future__ import annotations

from review_service.search.engine import SearchEngine, chunk_documents
from review_service.search.facets import FACETS, FilterSet
from review_service.search.fusion import FusionConfig
from review_service.search.hits import Hit, Passage, SearchResult
from review_service.search.index_cache import engine_for_corpus
from review_service.search.persist import load_engine, save_engine

__all__ = ["FACETS", "FilterSet", "FusionConfig", "Hit", "Passage", "SearchEngine", "SearchResult",
           "chunk_documents", "engine_for_corpus", "load_engine", "save_engine"]
