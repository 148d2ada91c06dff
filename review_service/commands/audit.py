"""`review-service audit verify` — walk the audit trail's hash chain; exit 1 naming the first broken record."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check the audit trail (a SHA-256 hash chain)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    v = verbs.add_parser("verify", help="exit 0 when the chain is intact; exit 1 naming the first broken record")
    v.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    from review_service.config import get_settings
    from review_service.storage import open_database

    db = open_database(get_settings())
    try:
        report = db.verify_audit()
    finally:
        db.close()
    if report.intact:
        print(f"audit chain intact: {report.records} records")
        return 0
    print(f"audit chain broken at record {report.broken_id}: {report.reason}")
    return 1
