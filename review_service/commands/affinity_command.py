"""`review-service affinity --jurors JURORS.jsonl --entries CORPUS.jsonl --out AFFINITY.json`."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "affinity",
        help="juror × entry expertise affinity (embeddings of entries vs jurors' expertise and works)",
        description="Read JURORS.jsonl (lines {\"id\",\"name\",\"organization\",\"region\",\"languages\",\"expertise\","
                    "\"works\":[{\"id\",\"title\",\"text\"}],\"max_load\"}; everything but id optional) and CORPUS.jsonl; "
                    "write AFFINITY.json as {juror_id: {entry_id: score}} (cosine-based, higher = closer "
                    "expertise). See docs/matching.md.",
    )
    p.add_argument("--jurors", type=Path, required=True, help="juror profiles, JSONL")
    p.add_argument("--entries", type=Path, required=True, help="entries, CORPUS.jsonl")
    p.add_argument("--out", type=Path, required=True, help="where to write AFFINITY.json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from embeddings.encoder import load_encoder
    from review_service.core.config import get_settings
    from review_service.core.exchange import read_corpus, write_json
    from review_service.stages.matching import compute_affinity, read_jurors

    jurors = read_jurors(args.jurors)
    entries = read_corpus(args.entries)
    aff = compute_affinity(jurors, entries, load_encoder(get_settings()))
    write_json(args.out, aff.as_mapping())
    print(f"{len(jurors)} jurors × {len(entries)} entries: wrote {args.out}")
    return 0
