"""The document stages of pre-screening, as registered in :mod:`review_service.batches.stage_registry`: each a
thin adaptor from the typed :class:`~review_service.batches.typed_batch.Batch` to a stage module's pure function, with
how its output is stored (``dump``: the payload of its ``ai_results`` row) and read back (``load``).

One embedding pass: ``embed`` encodes every chunk of the batch (and of the archive) once with the document prompt,
through the database's embedding cache; ``topic`` uses those vectors; ``duplicates`` and ``matching`` ask the same
cached encoder for the same texts with the same prompt (cache hits); ``themes`` maps them to the clustering prompt's
space and mean-pools them per entry; notes embed only a bounded number of candidate sentences (docs/jobs.md, "One
embedding pass").
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from review_service.batches.typed_batch import Batch, StageContext
from review_service.core.domain import Check, Document, DuplicateFlag, Evidence, ThemeAssignment
from review_service.core.provenance import of_encoder

# --- the archive of past projects (duplicates compares the entries with it) ----------------------------------


def archive_documents(ctx: StageContext) -> list[Document]:
    """The past projects the entries are compared with: the archive tables (closed and imported editions, other
    than the batch's own), or the JSONL file given as ``archive`` instead."""
    if not ctx.options.archive and not ctx.options.use_archive:
        return []
    if ctx.archive is not None:
        return ctx.archive
    from review_service.core.exchange import read_corpus
    from review_service.intake.chunking import chunk_text

    s = ctx.settings
    if ctx.options.archive:
        past = read_corpus(ctx.options.archive)
    else:
        from review_service.search.archive import archive_documents as archived

        past = archived(ctx.db, exclude_edition=ctx.db.edition_id())
    docs = [Document(id=f"archive:{d.id}", text=d.text, title=d.title, lang=d.lang, year=d.year, meta=d.meta,
                     chunks=chunk_text(f"archive:{d.id}", d.text, max_chars=s.chunk_chars,
                                       overlap=s.chunk_overlap_chars))
            for d in past if d.text.strip()]
    ctx.archive = docs
    return docs


# --- embed ------------------------------------------------------------------------------------------------


def embed(ctx: StageContext, batch: Batch) -> Batch:
    """Every chunk of the batch's documents (and of the archive, for duplicates) embedded once, in large batches,
    cached by content hash; the batch keeps its documents' chunk vectors."""
    from embeddings.encoder import encode_in_batches

    docs = list(batch.documents)
    todo = [(d.id, c.text) for d in docs for c in d.chunks]
    extra = [c.text for d in archive_documents(ctx) if "duplicates" in ctx.options.stages for c in d.chunks]
    texts = [t for _, t in todo] + extra
    with ctx.progress(len(texts), "embedding", "passage") as bar:
        # each batch is in the embedding cache once encoded; a cancel stops the loop between batches (bar.update)
        matrix = encode_in_batches(ctx.encoder, texts, kind="document", batch=ctx.settings.embed_batch,
                                   on_batch=bar.update)
    rows: dict[str, list[int]] = {}
    for row, (doc_id, _) in enumerate(todo):
        rows.setdefault(doc_id, []).append(row)
    vectors = {doc_id: matrix[idx] for doc_id, idx in rows.items()}
    prov = of_encoder(ctx.encoder, sorted(d.id for d in docs), kind="document", chunks=len(texts))
    return dataclasses.replace(batch, chunk_vectors=vectors).with_provenance("embed", prov)


# --- topic -------------------------------------------------------------------------------------------------


def topic(ctx: StageContext, batch: Batch) -> Batch:
    from review_service.stages.relevance import RelevanceChecker

    checker = RelevanceChecker(ctx.encoder)  # prototypes: cached by content hash after the first batch
    docs = batch.documents
    checks = {}
    with ctx.progress(len(docs), "topic", "entry") as bar:
        for d in docs:
            checks[d.id] = checker.check(d, batch.chunk_vectors[d.id])
            bar.update()
    prov = of_encoder(ctx.encoder, sorted(e.record["sha256"] for e in batch.entries))
    return dataclasses.replace(batch, topic=checks).with_provenance("topic", prov)


def dump_topic(batch: Batch) -> dict:
    return {k: dataclasses.asdict(c) for k, c in batch.topic.items()}


def load_topic(batch: Batch, payload: dict, prov: Mapping[str, Any]) -> Batch:
    return dataclasses.replace(batch, topic={k: Check(**c) for k, c in payload.items()}).with_provenance("topic", prov)


# --- duplicates --------------------------------------------------------------------------------------------


def duplicates(ctx: StageContext, batch: Batch) -> Batch:
    from review_service.stages.duplicates import find_duplicates

    archive = archive_documents(ctx)
    docs = batch.documents
    flags = find_duplicates(docs, archive=archive, encoder=ctx.encoder, settings=ctx.settings,
                            progress=ctx.progress)
    prov = of_encoder(ctx.encoder, sorted(d.id for d in docs) + [d.id for d in archive],
                      entries=sorted(d.id for d in docs))  # the entries compared (contest.drafts reads it)
    titles = {d.id: d.title for d in archive}
    return dataclasses.replace(batch, flags=tuple(flags), archive_titles=titles).with_provenance("duplicates", prov)


def duplicate_rows(batch: Batch) -> list[dict]:
    """The flags as report rows (``docs/screening-schema.md``: duplicates)."""
    from review_service.stages.duplicates import flag_to_row

    titles = batch.archive_titles
    rows = []
    for flag in batch.flags:
        row = flag_to_row(flag)
        row["a_name"] = batch.names.get(flag.a, flag.a)
        row["b_name"] = batch.names.get(flag.b) or titles.get(flag.b, flag.b)
        row["status"] = "draft"
        rows.append(row)
    return rows


def flag_from_row(row: Mapping[str, Any]) -> DuplicateFlag:
    return DuplicateFlag(a=row["a"], b=row["b"], kind=row["kind"], score=row["score"],
                         evidence=tuple(Evidence(**e) for e in row["evidence"]), b_is_archive=row["b_is_archive"])


def load_duplicates(batch: Batch, payload: list, prov: Mapping[str, Any]) -> Batch:
    titles = {r["b"]: r["b_name"] for r in payload if r.get("b_is_archive")}
    return dataclasses.replace(batch, flags=tuple(flag_from_row(r) for r in payload),
                               archive_titles=titles).with_provenance("duplicates", prov)


# --- themes ------------------------------------------------------------------------------------------------


def themes(ctx: StageContext, batch: Batch) -> Batch:
    """Themes over one vector per entry from its chunk vectors (document prompt: the batch's one embedding pass),
    each chunk mapped to the clustering prompt's space where a map is fitted for the embedder, then averaged
    (``themes.pooled_clustering_vectors``)."""
    from review_service.core.language import detect_language
    from review_service.stages.themes import assign_themes, pooled_clustering_vectors, theme_map_png

    docs = batch.documents
    matrix, how = pooled_clustering_vectors([batch.chunk_vectors[d.id] for d in docs], ctx.encoder)
    langs = [d.lang if d.lang != "und" else detect_language(d.text) for d in docs]
    ids = [d.id for d in docs]
    result = assign_themes(matrix, ids, [d.text for d in docs], k=ctx.options.themes_k, langs=langs)
    themes_map = None
    if ctx.out_dir:
        Path(ctx.out_dir).mkdir(parents=True, exist_ok=True)
        png = Path(ctx.out_dir) / "themes.png"
        theme_map_png(matrix, result, png, langs=langs)
        themes_map = png.name
    prov = of_encoder(ctx.encoder, ids, vectors=how, map=themes_map)
    return dataclasses.replace(batch, themes=tuple(result), themes_map=themes_map).with_provenance("themes", prov)


def theme_rows(batch: Batch) -> list[dict]:
    return [{"id": a.id, "file_name": batch.names.get(a.id, a.id), "theme": a.theme, "label": a.label,
             "confidence": round(float(a.confidence), 3)} for a in batch.themes]


def load_themes(batch: Batch, payload: list, prov: Mapping[str, Any]) -> Batch:
    result = tuple(ThemeAssignment(r["id"], r["theme"], r["label"], r["confidence"]) for r in payload)
    return dataclasses.replace(batch, themes=result, themes_map=prov.get("map")).with_provenance("themes", prov)


# --- matching ----------------------------------------------------------------------------------------------


def matching(ctx: StageContext, batch: Batch) -> Batch:
    if not ctx.options.jurors:
        return batch
    from review_service.stages.matching import match, read_jurors

    jurors = read_jurors(ctx.options.jurors)
    # entry chunks with the document prompt: the vectors of the embed stage, read from the cache
    result = match(jurors, batch.documents, k=ctx.options.jurors_per_entry, encoder=ctx.encoder,
                   entry_kind="document")
    _suggestion, stored = suggestion_payloads(result, batch.documents)
    return dataclasses.replace(batch, suggestion=stored).with_provenance("matching", stored["provenance"])


def suggestion_payloads(result, docs: Sequence[Document]) -> tuple[dict, dict]:
    """The suggestion for the report (ASSIGNMENT.json layout) and as stored for organizers, which adds the
    affinity matrix and allowed mask they re-solve from (review_service.contest.assignments)."""
    from review_service.stages.matching.core import suggestion_matrix

    suggestion = result.as_dict()
    names = {d.id: d.meta.get("file_name", d.id) for d in docs}
    for entry_id, entry in suggestion["entries"].items():
        entry["file_name"] = names.get(entry_id, entry_id)
    return suggestion, {**suggestion, "matrix": suggestion_matrix(result)}


def dump_matching(batch: Batch) -> Mapping[str, Any] | None:
    return batch.suggestion


def load_matching(batch: Batch, payload: Any, prov: Mapping[str, Any]) -> Batch:
    if payload is None:
        return batch
    return dataclasses.replace(batch, suggestion=payload).with_provenance("matching", prov)


# --- notes -------------------------------------------------------------------------------------------------


def notes(ctx: StageContext, batch: Batch) -> Batch:
    from models.generator import load_generator
    from review_service.stages.notes.drafting import draft_batch
    from review_service.storage.notes_cache import NotesCache

    generator = load_generator(ctx.settings, backend=ctx.options.generator)
    checks = {e.id: batch.checks_of(e) for e in batch.entries}
    cache = NotesCache(ctx.db)
    rows = []
    try:  # a cancel stops the loop in the bar's update after an entry, once its note is in the notes cache
        for row, _cached in draft_batch(batch.documents, lang=ctx.options.notes_lang, encoder=ctx.encoder,
                                        generator=generator, cache=cache, flags=batch.flags, checks=checks,
                                        progress=ctx.progress, chunk_vectors=batch.chunk_vectors):
            row["file_name"] = batch.names.get(row.get("doc_id", ""), "")
            rows.append(row)
    finally:
        cache.close()
    out = dataclasses.replace(batch, notes=tuple(rows))
    return out.with_provenance("notes", rows[0]["provenance"]) if rows else out


def dump_notes(batch: Batch) -> list[Mapping[str, Any]]:
    return list(batch.notes)


def load_notes(batch: Batch, payload: list, prov: Mapping[str, Any]) -> Batch:
    out = dataclasses.replace(batch, notes=tuple(payload))
    return out.with_provenance("notes", prov) if payload else out
