"""`review-service match --jurors JURORS.jsonl --entries CORPUS.jsonl --k 3 --out ASSIGNMENT.json`."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "match",
        help="suggest k jurors per entry (expertise, languages, conflicts of interest, loads) — a draft",
        description="Read JURORS.jsonl and CORPUS.jsonl; write ASSIGNMENT.json: per entry the suggested jurors with "
                    "affinity and explanation, per juror the load, the conflicts found, solver figures and "
                    "provenance, with \"status\": \"draft\" — a person confirms the final assignment. A juror must "
                    "read the entry's language (corpus \"lang\", else detected; jurors without \"languages\" read "
                    "all). Infeasible constraints exit with code 4 and say what blocks. See docs/matching.md.",
    )
    p.add_argument("--jurors", type=Path, required=True, help="juror profiles, JSONL")
    p.add_argument("--entries", type=Path, required=True, help="entries, CORPUS.jsonl")
    p.add_argument("--k", type=int, default=3, help="jurors per entry (default 3)")
    p.add_argument("--out", type=Path, required=True, help="where to write ASSIGNMENT.json")
    p.add_argument("--mode", choices=("optimal", "fair"), default="optimal",
                   help="optimal: max total affinity; fair: raise the worst-served entry first")
    p.add_argument("--min-load", type=int, default=0, help="entries each juror must get at least (default 0)")
    p.add_argument("--max-load", type=int, default=None,
                   help="entries per juror at most, for jurors without their own max_load "
                        "(default: ceil(k × entries / jurors) + 1)")
    p.add_argument("--pin", action="append", default=[], metavar="JUROR:ENTRY", help="keep this pair (repeatable)")
    p.add_argument("--forbid", action="append", default=[], metavar="JUROR:ENTRY",
                   help="never this pair (repeatable)")
    p.add_argument("--region-cap", type=int, default=None, metavar="N",
                   help="at most N jurors from one region per entry")
    p.add_argument("--affinity", type=Path, default=None,
                   help="reuse AFFINITY.json from `affinity` instead of embedding again (no explanations)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review_service.core.errors import InputError
    from review_service.core.exchange import read_corpus, write_json
    from review_service.stages.matching import match, read_jurors
    from review_service.stages.matching.affinity import affinity_from_mapping

    jurors = read_jurors(args.jurors)
    entries = read_corpus(args.entries)
    encoder = affinity = None
    if args.affinity:
        try:
            mapping = json.loads(args.affinity.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read {args.affinity}: {exc}") from None
        affinity = affinity_from_mapping(mapping, [j.id for j in jurors], [d.id for d in entries])
    else:
        from embeddings.encoder import load_encoder
        from review_service.core.config import get_settings

        encoder = load_encoder(get_settings())
    result = match(jurors, entries, k=args.k, encoder=encoder, affinity=affinity, mode=args.mode,
                   min_load=args.min_load, max_load=args.max_load, pins=args.pin, forbids=args.forbid,
                   region_cap=args.region_cap)
    out = result.as_dict()
    write_json(args.out, out)
    obj = out["objective"]
    print(f"{len(entries)} entries × {len(jurors)} jurors, k={args.k}, {args.mode}: total affinity "
          f"{obj['total_affinity']}, worst entry {obj['worst_entry']} ({obj['worst_entry_mean']}); "
          f"{len(out['conflicts'])} conflicts found; draft written to {args.out}")
    return 0
