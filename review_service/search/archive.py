"""The archive of past projects as documents — the ``archive_entries`` table (storage.edition_store), which
closing an edition and ``editions import`` fill — and the search engine over it.

The engine is saved under ``data_dir/search/`` keyed by the archive's content hash (every row's id, text hash and
facets) and the embedder: a change to the archive (an edition closed, a past one imported) builds the next one,
its passages' vectors from the database's embedding cache (only new documents are embedded; the word and
character indexes and the vector index are rebuilt whole); an unchanged archive loads the saved index
(docs/editions.md, "The archive").
"""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from review_service.core.domain import Document
from review_service.core.errors import NotFound
from review_service.search.engine import SearchEngine
from review_service.search.index_cache import ENGINE_VERSION
from review_service.search.persist import FORMAT, load_engine, save_engine
from review_service.search.query_cache import QueryVectorCache
from review_service.storage import Database
from review_service.storage.edition_store import EditionStore

logger = logging.getLogger(__name__)


def archive_documents(db: Database, *, exclude_edition: int | None = None) -> list[Document]:
    """Every archive row with text as a Document (id: the archive id; facets in ``meta``: edition, outcome,
    theme, region, library type). A closed edition's entry that could not be read is kept in the archive, without
    text, and is not searched."""
    docs = []
    for row in EditionStore(db).archive(exclude_edition=exclude_edition):
        if not row["text"].strip():
            continue
        meta = {k: str(v) for k, v in (row["meta"] or {}).items()}
        meta.update(edition=row["edition"], outcome=row["outcome"], region=row["region"],
                    library_type=row["library_type"], theme=", ".join(row["themes"]))
        docs.append(Document(id=row["doc_id"], text=row["text"], title=row["title"], lang=row["lang"],
                             year=row["year"], meta=meta))
    return docs


def archive_key(db: Database, model_id: str, revision: str = "") -> str:
    h = hashlib.sha256(EditionStore(db).archive_digest().encode())
    h.update(f"\x00{model_id}\x00{revision}\x00{ENGINE_VERSION}\x00{FORMAT}".encode())
    return f"archive-{h.hexdigest()[:16]}-{model_id}"


def engine_for_archive(db: Database, settings, encoder=None, progress=None) -> SearchEngine:
    """The search engine over the archive tables, loaded from the saved index of this archive's content or built
    and saved."""
    if encoder is None:
        from embeddings import load_encoder

        encoder = load_encoder(settings)
    folder = Path(settings.data_dir) / "search" / archive_key(db, encoder.model_id, encoder.revision)
    if (folder / "engine.json").is_file():
        logger.info("search index from %s", folder)
        engine = load_engine(folder, encoder)
    else:
        docs = archive_documents(db)
        logger.warning("indexing %d archive documents (once per archive content and model)", len(docs))
        from embeddings.encoder import CachedEncoder

        engine = SearchEngine.build(docs, encoder, max_chars=settings.chunk_chars,
                                    overlap=settings.chunk_overlap_chars, progress=progress,
                                    passage_encoder=CachedEncoder(encoder, cache=db))  # only new passages embedded
        save_engine(engine, folder, extra={"corpus": "archive tables"})
    engine.query_cache = QueryVectorCache(settings.query_cache_size)
    return engine


class ArchiveSearch:
    """``search()``: the engine over the archive as it is now — built at the first call, built again (keeping the
    embedder, and with it a prepared fast query path) when a call finds the archive changed (its row count or
    newest row: archive rows are only ever added). An empty archive is :class:`NotFound`, with what fills it."""

    def __init__(self, db: Database, settings) -> None:
        self.db, self.settings = db, settings
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._version: tuple[int, int] | None = None

    def __call__(self) -> SearchEngine:
        version = EditionStore(self.db).archive_version()
        with self._lock:
            if self._engine is None or version != self._version:
                if version[0] == 0:
                    raise NotFound("the archive of past projects is empty",
                                   hint="review-service editions import ARCHIVE.jsonl --edition NAME --year YYYY, "
                                        "or close an edition (docs/editions.md)")
                encoder = self._engine.encoder if self._engine is not None else None
                self._engine = engine_for_archive(self.db, self.settings, encoder=encoder)
                self._version = version
            return self._engine
