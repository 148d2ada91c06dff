"""`review-service search`: find past projects by a question, in Kazakh (either script), Russian or English.

    review-service search "оқырманға арналған чат-бот" [--edition 2.0] [--outcome winner] [--year 2024] [--lang kk] [--json]
    review-service search --like ENTRY_ID [--corpus CORPUS.jsonl]
    review-service search --corpus CORPUS.jsonl --queries QUERIES.jsonl --out RUN.tsv --k 100

Without --corpus it searches the archive: the tables that closing an edition and `editions import` fill
(docs/editions.md). The index is built once per corpus (or archive) content and embedder and cached under
``data_dir/search/``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from review_service.core.errors import InputError

FILTER_FLAGS = ("year", "region", "library_type", "lang", "theme", "outcome", "edition")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search past projects (hybrid kk/ru/en retrieval with filters)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="the question; omit with --queries or --like")
    p.add_argument("--corpus", type=Path, help="CORPUS.jsonl to search (default: the archive tables)")
    p.add_argument("--k", type=int, default=10, help="how many results per query (default 10)")
    p.add_argument("--queries", type=Path, help='batch mode: QUERIES.jsonl with {"id","text"} lines')
    p.add_argument("--out", type=Path, help="batch mode: RUN.tsv to write (query_id<TAB>doc_id<TAB>score)")
    p.add_argument("--like", metavar="ID", help="more like this entry (by id)")
    for name in FILTER_FLAGS:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, action="append", metavar="VALUE",
                       help=f"only entries with this {name.replace('_', ' ')} (repeat or comma-separate for any of"
                            " several" + ("; a range like 2022-2024" if name == "year" else "") + ")")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (indexing, batch queries)")
    p.set_defaults(func=run)


def _filters(args: argparse.Namespace) -> dict[str, list[str]]:
    return {name: getattr(args, name) for name in FILTER_FLAGS if getattr(args, name)}


def run(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise InputError("--k must be at least 1")
    corpus = args.corpus
    if corpus is not None and not corpus.is_file():
        raise InputError(f"corpus {corpus} not found", hint="pass --corpus CORPUS.jsonl")
    if args.outcome:
        from review_service.storage.edition_store import OUTCOMES

        wrong = [v for raw in args.outcome for v in raw.split(",") if v.strip() and v.strip() not in OUTCOMES]
        if wrong:
            raise InputError(f"--outcome {wrong[0]!r} is not one of {', '.join(OUTCOMES)}")
    progress = _progress(args)
    if args.queries or args.out:
        if not (args.queries and args.out):
            raise InputError("batch mode needs both --queries QUERIES.jsonl and --out RUN.tsv")
        if args.query or args.like:
            raise InputError("give either a query or --queries, not both")
        return _batch(_engine(corpus, progress), args.queries, args.out, args.k, _filters(args), progress)
    if not args.query and not args.like:
        raise InputError('nothing to search for', hint='review-service search "your question" (or --like ID)')
    engine = _engine(corpus, progress)
    if args.like:
        result = engine.more_like_this(args.like, args.k, _filters(args))
    else:
        result = engine.search(args.query, args.k, _filters(args))
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print(result)
    return 0


def _engine(corpus: Path | None, progress):
    """The engine over ``corpus``, or (None) over the archive tables."""
    from review_service.core.config import get_settings

    settings = get_settings()
    if corpus is not None:
        from review_service.search import engine_for_corpus

        return engine_for_corpus(corpus, settings, progress=progress)
    from review_service.search.archive import ArchiveSearch
    from review_service.storage import open_database

    db = open_database(settings)
    try:
        return ArchiveSearch(db, settings)()
    finally:
        db.close()


def _progress(args: argparse.Namespace):
    """A tqdm bar factory on stderr, or None with --no-progress."""
    if args.no_progress:
        return None
    from review_service.core.progress import for_cli

    return for_cli(False)


def _batch(engine, queries_path: Path, out: Path, k: int, filters: dict, progress=None) -> int:
    from embeddings.encoder import encode_in_batches
    from review_service.core.exchange import read_jsonl, write_text

    queries = []
    for n, row in enumerate(read_jsonl(queries_path), 1):
        if "id" not in row or not isinstance(row.get("text"), str):
            raise InputError(f"{queries_path}: line {n} needs \"id\" and \"text\"")
        queries.append((str(row["id"]), row["text"]))
    bar = progress(len(queries), "embedding queries") if progress and queries else None
    vectors: np.ndarray | list = encode_in_batches(engine.encoder, [t for _, t in queries], kind="query",
                                                   on_batch=bar.update if bar is not None else None) \
        if queries else []
    if bar is not None:
        bar.close()
    lines: list[str] = []
    for (qid, text), qvec in zip(queries, vectors):
        if not text.strip():
            continue
        lines.extend(f"{qid}\t{doc_id}\t{score:.6f}" for doc_id, score in engine.ranked(text, k, filters, qvec=qvec))
    write_text(out, "\n".join(lines) + ("\n" if lines else ""))
    print(f"{len(queries)} queries → {out} ({len(lines)} lines)", file=sys.stderr)
    return 0


def _print(result) -> None:
    if not result.hits:
        print("no results")
    for rank, hit in enumerate(result.hits, 1):
        facts = ", ".join(v for v in (str(hit.year or ""), hit.lang, hit.facets.get("region", ""),
                                      hit.facets.get("library_type", "")) if v)
        print(f"{rank:>2}. {hit.title or hit.id}  [{hit.id}]  ({facts})  score {hit.score:.3f}")
        print(f"    {hit.passage.anchor}: {hit.passage.text}")
    shown = {f: c for f, c in result.facets.items() if c}
    if shown:
        print(f"\nfacets (over {result.candidates} candidate entries):")
        for f, counts in shown.items():
            print(f"  {f}: " + ", ".join(f"{v} ({n})" for v, n in list(counts.items())[:8]))
