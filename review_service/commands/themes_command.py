"""`review-service themes CORPUS.jsonl --out THEMES.jsonl [--k N] [--map MAP.png]` — group entries into themes."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "themes",
        help="group entries into themes with keyword labels (and a 2-D map)",
        description="Read CORPUS.jsonl (lines {\"id\",\"text\"}, optional \"title\",\"lang\",\"year\"), embed each entry "
                    "(mean of its passage vectors) and cluster them; write THEMES.jsonl with one line "
                    "{\"id\",\"theme\",\"label\",\"confidence\",\"provenance\"} per entry. Every entry gets its nearest theme; a low "
                    "confidence means it sits between themes. The number of themes is chosen automatically unless "
                    "--k is given.",
    )
    p.add_argument("corpus", type=Path, help="entries, JSONL")
    p.add_argument("--out", type=Path, required=True, help="where to write the themes (JSONL)")
    p.add_argument("--k", type=int, default=None, help="number of themes (default: chosen by silhouette)")
    p.add_argument("--map", type=Path, default=None, help="also draw a 2-D map of the themes (PNG)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from embeddings.encoder import load_encoder
    from review_service.core.config import get_settings
    from review_service.core.errors import InputError
    from review_service.core.exchange import read_corpus, write_jsonl
    from review_service.core.progress import for_cli
    from review_service.core.provenance import of_encoder
    from review_service.stages.themes import assign_themes, document_vectors, theme_map_png

    if args.k is not None and args.k < 1:
        raise InputError(f"--k must be at least 1, got {args.k}")
    settings = get_settings()
    docs = read_corpus(args.corpus)
    if not docs:
        raise InputError(f"{args.corpus}: no entries")
    encoder = load_encoder(settings)
    vectors, langs = document_vectors(docs, encoder, settings=settings, progress=for_cli(args.no_progress, "passage"))
    result = assign_themes(vectors, [d.id for d in docs], [d.text for d in docs], k=args.k, langs=langs)
    prov = of_encoder(encoder, [d.id for d in docs], vectors="mean of clustering-prompt chunk vectors")
    write_jsonl(args.out, ({"id": a.id, "theme": a.theme, "label": a.label, "confidence": a.confidence,
                            "provenance": prov} for a in result))
    n = len({a.theme for a in result})
    print(f"{len(docs)} entries in {n} themes; wrote {args.out}")
    if args.map:
        theme_map_png(vectors, result, args.map, langs=langs)
        print(f"wrote {args.map}")
    return 0
