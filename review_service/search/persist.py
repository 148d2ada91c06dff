"""Save a SearchEngine to one folder (:func:`save_engine`) and load it back warm (:func:`load_engine`); the folder
is replaced atomically. The engine knows nothing of files: this module sits above it.

Layout: ``engine.json`` (format version, fusion config, model id/revision, counts), ``docs.jsonl``,
``chunks.jsonl``, ``bm25/`` and ``grams/`` (bm25s files: words, character n-grams), ``vectors/``
(:class:`embeddings.index.FaissIndex`) and, when the engine has them, ``windows/`` (its sentence windows' vectors,
:mod:`review_service.search.granularity`; the windows themselves are cut again from the chunks).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from embeddings.index import FaissIndex
from review_service.core.domain import Anchor, Chunk, Document
from review_service.core.errors import InputError
from review_service.core.exchange import replace_dir
from review_service.search.engine import SearchEngine
from review_service.search.fusion import FusionConfig

FORMAT = 3  # 2: character n-gram BM25 in grams/; 3: sentence-window vectors in windows/ (when built)


def save_engine(engine: SearchEngine, path: str | Path, *, extra: dict | None = None) -> None:
    """Write the whole engine to the folder ``path`` (atomically replaced); ``extra``: more manifest keys."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        (tmp / "engine.json").write_text(json.dumps({
            "format": FORMAT, "config": engine.config.to_dict(), "lexical_unit": engine.lexical_unit,
            "passage_style": engine.passage_style, "model_id": engine.model_id, "revision": engine.revision,
            "documents": len(engine.doc_ids), "chunks": len(engine.chunk_ids), **(extra or {}),
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        with open(tmp / "docs.jsonl", "w", encoding="utf-8") as f:
            for doc_id in engine.doc_ids:
                d = engine.docs[doc_id]
                f.write(json.dumps({"id": d.id, "title": d.title, "lang": d.lang, "year": d.year, "meta": d.meta},
                                   ensure_ascii=False) + "\n")
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in engine.chunks:
                a = c.anchor
                f.write(json.dumps({"doc_id": c.doc_id, "index": c.index, "text": c.text, "lang": c.lang,
                                    "anchor": [a.kind, a.start, a.end, a.part]}, ensure_ascii=False) + "\n")
        engine.bm25.save(str(tmp / "bm25"), show_progress=False)
        engine.grams.save(str(tmp / "grams"), show_progress=False)
        engine.index.save(tmp / "vectors")
        if engine.windows is not None:
            engine.windows.save(tmp / "windows")
        replace_dir(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(path: str | Path) -> dict:
    manifest = Path(path) / "engine.json"
    if not manifest.is_file():
        raise InputError(f"{path}: not a saved search index (no engine.json)")
    return json.loads(manifest.read_text(encoding="utf-8"))


def load_engine(path: str | Path, encoder=None) -> SearchEngine:
    """The engine saved at ``path``; ``encoder`` embeds queries (must be the model the index was built with)."""
    import bm25s

    path = Path(path)
    meta = read_manifest(path)
    if meta.get("format") != FORMAT:
        raise InputError(f"{path}: search index format {meta.get('format')} is not {FORMAT}; rebuild it")
    if encoder is not None and meta["model_id"] and encoder.model_id != meta["model_id"]:
        raise InputError(f"{path}: index was built with {meta['model_id']}, not {encoder.model_id}",
                         hint="load it with the same embedder or rebuild the index")
    docs = []
    with open(path / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(Document(r["id"], "", r["title"], r["lang"], (), r["year"], r["meta"]))
    chunks = []
    with open(path / "chunks.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            kind, start, end, part = r["anchor"]
            chunks.append(Chunk(r["doc_id"], r["index"], r["text"], Anchor(kind, start, end, part), r["lang"]))
    bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
    grams = bm25s.BM25.load(str(path / "grams"), show_progress=False)
    index = FaissIndex.load(path / "vectors")
    windows = FaissIndex.load(path / "windows") if (path / "windows").exists() else None
    return SearchEngine(docs, chunks, bm25, grams, index, encoder=encoder, config=FusionConfig(**meta["config"]),
                        lexical_unit=meta["lexical_unit"], passage_style=meta["passage_style"],
                        model_id=meta["model_id"], revision=meta["revision"], windows=windows)
