"""One saved search index per (corpus file content, embedder), under ``settings.data_dir/search/``."""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from review_service.core.exchange import read_corpus
from review_service.search.engine import SearchEngine
from review_service.search.persist import FORMAT, load_engine, save_engine
from review_service.search.query_cache import QueryVectorCache

logger = logging.getLogger(__name__)

ENGINE_VERSION = "5"  # bump when analysis, chunking or fusion defaults change: old caches are rebuilt
# 2: titled passages (EmbeddingGemma's title slot), dense weight 0.5, max + bonus per further matching chunk
# 5: sentence windows, query-adaptive dense weight, Kazakh typing restored (issue 25)


def corpus_key(corpus: Path, model_id: str, revision: str = "") -> str:
    h = hashlib.sha256()
    with open(corpus, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f"\x00{model_id}\x00{revision}\x00{ENGINE_VERSION}\x00{FORMAT}".encode())
    return f"{h.hexdigest()[:16]}-{model_id}"


def engine_for_corpus(corpus: str | Path, settings, encoder=None, progress=None) -> SearchEngine:
    """The search engine over ``corpus`` (CORPUS.jsonl), loaded from the cache or built and saved there
    (``progress`` as in :meth:`SearchEngine.build`)."""
    corpus = Path(corpus)
    if encoder is None:
        from embeddings import load_encoder

        encoder = load_encoder(settings)
    folder = Path(settings.data_dir) / "search" / corpus_key(corpus, encoder.model_id, encoder.revision)
    if (folder / "engine.json").is_file():
        logger.info("search index from %s", folder)
        engine = load_engine(folder, encoder)
    else:
        docs = read_corpus(corpus)
        logger.warning("indexing %d documents from %s (once per corpus and model)", len(docs), corpus)
        engine = SearchEngine.build(docs, encoder, max_chars=settings.chunk_chars,
                                    overlap=settings.chunk_overlap_chars, progress=progress)
        save_engine(engine, folder, extra={"corpus": str(corpus)})
    engine.query_cache = QueryVectorCache(settings.query_cache_size)
    return engine
