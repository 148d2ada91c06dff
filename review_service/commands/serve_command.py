"""`review-service serve` — the jury dashboard's HTTP API (uvicorn)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the jury dashboard API (see /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--query-encoder", choices=["auto", "onnx", "compiled", "eager"], default=None,
                   help="how new questions are embedded: onnx (8-bit ONNX Runtime, built at install; ~2x faster), "
                        "compiled (torch.compile, ~2 min of CPU at start), eager; auto = onnx if installed "
                        "(default; same as REVIEW_QUERY_ENCODER)")
    p.add_argument("--compile-queries", action="store_true", help="same as --query-encoder compiled")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from review_service.core.config import get_settings
    from review_service.server import create_app

    settings = get_settings()
    if args.compile_queries:
        settings = settings.model_copy(update={"query_encoder": "compiled"})
    elif args.query_encoder:
        settings = settings.model_copy(update={"query_encoder": args.query_encoder})
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0
