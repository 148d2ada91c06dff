"""`review-service serve` — the jury dashboard's HTTP API (uvicorn)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the jury dashboard API (see /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from review_service.api import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port)
    return 0
