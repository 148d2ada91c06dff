"""`review-service duplicates CORPUS.jsonl [--archive ARCHIVE.jsonl] --out FLAGS.jsonl` — draft duplicate flags."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "duplicates",
        help="flag exact, near-copy, partial, paraphrase and cross-lingual (kk/ru/en) duplicates, translated sections "
             "inside other entries included",
        description="Read CORPUS.jsonl (lines {\"id\",\"text\"}, optional \"title\",\"lang\",\"year\") and optionally "
                    "an archive of past projects in the same format; write FLAGS.jsonl with one line "
                    "{\"a\",\"b\",\"kind\",\"score\",\"evidence\":[...],\"provenance\"} per flagged pair (a from the corpus, b from the "
                    "corpus or the archive). Kinds: exact, near_copy, partial, paraphrase, crosslingual. Flags are "
                    "drafts for the jury, not decisions. Thresholds: settings REVIEW_DUP_*.",
    )
    p.add_argument("corpus", type=Path, help="entries, JSONL")
    p.add_argument("--archive", type=Path, help="past projects, JSONL (compared with the entries, not with each other)")
    p.add_argument("--out", type=Path, required=True, help="where to write the flags (JSONL)")
    p.add_argument("--lexical-only", action="store_true",
                   help="no embeddings: exact, near-copy and partial copies only (fast, no model needed)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review_service.core.config import get_settings
    from review_service.core.exchange import read_corpus, write_jsonl
    from review_service.core.progress import for_cli
    from review_service.core.provenance import provenance
    from review_service.stages.duplicates import find_duplicates, flag_to_row

    settings = get_settings()
    docs = read_corpus(args.corpus)
    archive = read_corpus(args.archive) if args.archive else []
    encoder = None
    if not args.lexical_only:
        from embeddings.encoder import load_encoder

        encoder = load_encoder(settings)
    flags = find_duplicates(docs, archive=archive, encoder=encoder, settings=settings,
                            progress=for_cli(args.no_progress, "passage"))
    prov = provenance(encoder.model_id if encoder else "none", encoder.revision if encoder else "",
                      sorted(d.id for d in docs) + [d.id for d in archive], method="lexical only" if encoder is None else "lexical + embeddings")
    write_jsonl(args.out, ({**flag_to_row(f), "provenance": prov} for f in flags))
    kinds: dict[str, int] = {}
    for f in flags:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "none"
    print(f"{len(docs)} entries, {len(archive)} archive projects: {len(flags)} draft flags ({summary}); "
          f"wrote {args.out}")
    return 0
