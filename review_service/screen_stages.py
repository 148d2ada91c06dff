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
    import numpy as np

    from review_service.pipeline import _provenance
    from review_service.themes import assign_themes, theme_map_png

    stages.precompute(docs)
    vectors = []
    for d in docs:
        v = stages.chunk_vectors(d).mean(axis=0)
        vectors.append(v / (np.linalg.norm(v) or 1.0))
    matrix = np.stack(vectors).astype(np.float32)
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
    from review_service.matching import load_jurors, suggest_assignment

    from review_service.pipeline import _provenance

    jurors = load_jurors(stages.options.jurors)
    suggestion = suggest_assignment(jurors, docs, encoder=stages.encoder, k=stages.options.jurors_per_entry,
                                    settings=stages.settings)
    enc = stages.encoder
    prov = _provenance(enc.model_id, enc.revision, [d.id for d in docs] + [j.id for j in jurors])
    stages.report["assignment"] = suggestion
    stages.report["provenance"]["matching"] = prov
    stages.db.save_ai_result("assignment_suggestion", suggestion, prov)


def notes(stages, docs: list[Document]) -> None:
    from review_service.notes import draft_notes_for_screen

    rows = draft_notes_for_screen(docs, stages=stages)
    stages.report["notes"] = rows
