"""Command line: a thin layer over the same functions the API calls.

Each command lives in ``review_service/commands/<name>.py`` with ``register(subparsers)``; errors are
translated to messages and exit codes here, in one place:
0 ok · 1 entries need a person's attention (screen) or the audit chain is broken (audit verify) · 2 bad input or configuration · 3 model missing or
corrupt · 4 infeasible assignment · 70 unexpected error · 130 interrupted by SIGINT (Ctrl-C) · 143 ``screen``
stopped by SIGTERM.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from review_service.core.errors import ReviewError

COMMANDS = ("mailbox", "screen", "duplicates", "themes", "affinity", "match", "search", "notes", "models", "serve", "users",
            "audit", "worker", "reminders", "editions")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="review-service",
        description="Offline AI-assisted review for library-project contests. AI drafts and flags; people decide.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"review_service.commands.{name}_command")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # libraries that set their own loggers to DEBUG (bm25s) stay quiet
        handler.setLevel(max(level, logging.DEBUG))
    try:
        return int(args.func(args) or 0)
    except ReviewError as exc:
        print(f"review-service: error [{exc.code}]: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  fix: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C; in `screen` also SIGTERM (review_service.batches.job_runner.Interrupted)
        print(f"review-service: {exc.args[0] if exc.args else 'interrupted; run the same command again to resume'}",
              file=sys.stderr)
        return int(getattr(exc, "exit_code", 130))


if __name__ == "__main__":
    sys.exit(main())
