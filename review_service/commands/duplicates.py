"""`review-service duplicates` (to be built)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("duplicates", help="(not built yet)")
    p.set_defaults(func=lambda args: 2)
