"""`review-service themes` (to be built)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("themes", help="(not built yet)")
    p.set_defaults(func=lambda args: 2)
