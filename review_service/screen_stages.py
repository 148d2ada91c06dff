"""The AI stages of `screen`, each a thin adaptor from the batch to a stage's pure function.

Every result lands in the report as a draft with provenance and in the database's ai_results table.
"""
from __future__ import annotations

import logging
from pathlib import Path

from review_service.domain import Document
from review_service.exchange import read_corpus

logger = logging.getLogger(__name__)


def _archive(stages) -> list[Document]:
    if not stages.options.archive:
        return []
    from review_service.chunking import chunk_text

    docs = read_corpus(stages.options.archive)
    return [Document(id=f"archive:{d.id}", text=d.text, title=d.title, lang=d.lang, year=d.year, meta=d.meta,
                     chunks=chunk_text(f"archive:{d.id}", d.text, max_chars=stages.settings.chunk_chars,
                                       overlap=stages.settings.chunk_overlap_chars))
            for d in docs]


def duplicates(stages, docs: list[Document]) -> None:
    from review_service.duplicates import find_duplicates, flag_to_row
    from review_service.pipeline import _progress, _provenance

    archive = _archive(stages)
    enc = stages.encoder

    def progress(total: int, desc: str = "duplicates"):
        return _progress(total, desc, stages.options.progress)

    flags = find_duplicates(docs, archive=archive, encoder=enc, settings=stages.settings, progress=progress)
    names = {d.id: d.meta.get("file_name", d.id) for d in docs}
    titles = {d.id: d.title for d in archive}
    rows = []
    for flag in flags:
        row = flag_to_row(flag)
        row["a_name"] = names.get(flag.a, flag.a)
        row["b_name"] = names.get(flag.b) or titles.get(flag.b, flag.b)
        row["status"] = "draft"
        rows.append(row)
    prov = _provenance(enc.model_id, enc.revision, sorted(d.id for d in docs) + [d.id for d in archive])
    stages.report["duplicates"] = rows
    stages.report["provenance"]["duplicates"] = prov
    stages.db.save_ai_result("duplicates", rows, prov)


def themes(stages, docs: list[Document]) -> None:
    from review_service.pipeline import _provenance
    from review_service.themes import assign_themes, document_vectors, theme_map_png

    matrix, _langs = document_vectors(docs, stages.encoder, settings=stages.settings)  # clustering prompt
    ids = [d.id for d in docs]
    result = assign_themes(matrix, ids, [d.text for d in docs], k=stages.options.themes_k,
                           langs=[d.lang for d in docs])
    names = {d.id: d.meta.get("file_name", d.id) for d in docs}
    rows = [{"id": a.id, "file_name": names[a.id], "theme": a.theme, "label": a.label,
             "confidence": round(float(a.confidence), 3)} for a in result]
    stages.report["themes"] = rows
    out_dir = stages.out_dir
    if out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        png = Path(out_dir) / "themes.png"
        theme_map_png(matrix, result, png)
        stages.report["themes_map"] = png.name
    enc = stages.encoder
    prov = _provenance(enc.model_id, enc.revision, ids)
    stages.report["provenance"]["themes"] = prov
    stages.db.save_ai_result("themes", rows, prov)


def matching(stages, docs: list[Document]) -> None:
    if not stages.options.jurors:
        return
    from review_service.matching import match, read_jurors

    jurors = read_jurors(stages.options.jurors)
    result = match(jurors, docs, k=stages.options.jurors_per_entry, encoder=stages.encoder)
    suggestion, stored = suggestion_payloads(result, docs)
    stages.report["assignment"] = suggestion
    stages.report["provenance"]["matching"] = suggestion["provenance"]
    stages.db.save_ai_result("assignment_suggestion", stored, suggestion["provenance"])


def suggestion_payloads(result, docs: list[Document]) -> tuple[dict, dict]:
    """The suggestion for the report (ASSIGNMENT.json layout) and as stored for organizers, which adds the
    affinity matrix and allowed mask they re-solve from (review_service.assignments)."""
    from review_service.matching.core import suggestion_matrix

    suggestion = result.as_dict()
    names = {d.id: d.meta.get("file_name", d.id) for d in docs}
    for entry_id, entry in suggestion["entries"].items():
        entry["file_name"] = names.get(entry_id, entry_id)
    return suggestion, {**suggestion, "matrix": suggestion_matrix(result)}


def notes(stages, docs: list[Document]) -> None:
    from models.generator import load_generator
    from review_service.notes import draft_batch
    from review_service.storage.notes_cache import NotesCache

    generator = load_generator(stages.settings, backend=stages.options.generator)
    flags = [_flag(r) for r in stages.report["duplicates"]]
    checks = {it["entry_id"]: [_check(c) for c in it["checks"]] for it in stages.records}
    cache = NotesCache(stages.db)
    names = {d.id: d.meta.get("file_name", d.id) for d in docs}
    rows = []
    try:
        for row, _cached in draft_batch(docs, lang=stages.options.notes_lang, encoder=stages.encoder,
                                        generator=generator, cache=cache, flags=flags, checks=checks,
                                        progress=stages.options.progress):
            row["file_name"] = names.get(row.get("doc_id", ""), "")
            rows.append(row)
    finally:
        cache.close()
    stages.report["notes"] = rows
    if rows:
        stages.report["provenance"]["notes"] = rows[0]["provenance"]
        stages.db.save_ai_result("notes", rows, rows[0]["provenance"])


def _flag(row: dict):
    from review_service.domain import DuplicateFlag, Evidence

    return DuplicateFlag(a=row["a"], b=row["b"], kind=row["kind"], score=row["score"],
                         evidence=tuple(Evidence(**e) for e in row["evidence"]), b_is_archive=row["b_is_archive"])


def _check(c: dict):
    from review_service.domain import Check

    return Check(c["name"], c["outcome"], c["reason"], c.get("evidence", ""))
