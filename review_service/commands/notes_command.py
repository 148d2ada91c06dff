"""`review-service notes CORPUS.jsonl --out NOTES.jsonl --lang ru`: cited AI draft notes for the jury.

Notes already drafted for the same entry text, model, prompt and language come from the cache under the
data dir, so a stopped run (Ctrl-C) resumes where it stopped. Output: one JSON note per line (docs/notes.md).
"""
from __future__ import annotations

import argparse
import logging
from dataclasses import replace

from review_service.core.config import get_settings

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notes", help="draft cited summary notes for the jury (AI drafts, never scores)",
                       description="Draft a grounded, cited note per entry. Every sentence names the page/"
                                   "slide/time/section it comes from; the note is a draft, not an assessment.")
    p.add_argument("corpus", help='CORPUS.jsonl: lines {"id","text"} with optional "title","lang","year"')
    p.add_argument("--out", required=True, help="NOTES.jsonl to write (one JSON note per line)")
    p.add_argument("--lang", required=True, choices=("kk", "ru", "en"), help="the juror's language")
    p.add_argument("--generator", choices=("local", "openai", "none"), default=None,
                   help="generator backend (default: REVIEW_GENERATOR_BACKEND, normally local)")
    p.add_argument("--limit", type=int, default=None, help="draft only the first N entries")
    p.add_argument("--max-new-tokens", type=int, default=320, help="generation budget per note")
    p.add_argument("--no-cache", action="store_true", help="draft again even if a cached note exists")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from embeddings import load_encoder
    from models.generator import load_generator
    from review_service.core.errors import InputError
    from review_service.core.exchange import read_corpus, write_jsonl
    from review_service.intake.chunking import chunk_text
    from review_service.stages.notes.drafting import draft_batch
    from review_service.storage.notes_cache import NotesCache

    settings = get_settings()
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    docs = read_corpus(args.corpus)
    if args.limit is not None:
        docs = docs[: args.limit]
    docs = [replace(d, chunks=chunk_text(d.id, d.text, max_chars=settings.chunk_chars,
                                         overlap=settings.chunk_overlap_chars)) for d in docs]
    for d in docs:
        if not d.chunks:
            logger.warning("entry %s has no text; skipped", d.id)
    docs = [d for d in docs if d.chunks]
    encoder = load_encoder(settings)
    generator = load_generator(settings, backend=args.generator)
    cache = None if args.no_cache else NotesCache.for_settings(settings)
    rows: list[dict] = []
    cached = 0
    try:
        for row, was_cached in draft_batch(docs, lang=args.lang, encoder=encoder, generator=generator, cache=cache,
                                           progress=not args.no_progress, max_new_tokens=args.max_new_tokens):
            rows.append(row)
            cached += was_cached
    except KeyboardInterrupt:
        if rows:
            write_jsonl(args.out, rows)
            print(f"stopped: {len(rows)} of {len(docs)} notes written to {args.out}; the rest resume from the cache")
        raise
    finally:
        if cache is not None:
            cache.close()
    write_jsonl(args.out, rows)
    abstractive = sum(r["summary_mode"] == "abstractive" for r in rows)
    print(f"{len(rows)} draft notes written to {args.out} ({cached} from cache, {abstractive} abstractive, "
          f"{len(rows) - abstractive} extractive); drafts for the jury, not assessments")
    return 0
