"""`review-service audit verify` — check the audit trail: its hash chain, each record's HMAC under the audit key,
the signed checkpoint outside the database, and the tables replayed against the log. Exit 0 when all hold,
1 naming the first problem (record or table row), 2 when the key is missing or unusable (with how to fix it)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check the audit trail (hash chain, HMACs, checkpoint, tables)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    v = verbs.add_parser("verify", help="exit 0 when the trail holds; exit 1 naming the first problem")
    v.add_argument("--head", metavar="ID:HASH", type=_head,
                   help="a head printed by an earlier verify and kept where the server cannot write: it must "
                        "still be in the chain, unchanged")
    v.set_defaults(func=_verify)


def _head(text: str) -> tuple[int, str]:
    record, _, digest = text.partition(":")
    if not record.isdigit() or len(digest) != 64:
        raise argparse.ArgumentTypeError("expected RECORD_ID:SHA256 (as `audit verify` prints it)")
    return int(record), digest.lower()


def _verify(args: argparse.Namespace) -> int:
    from review_service.core.config import get_settings
    from review_service.storage import open_database

    db = open_database(get_settings())
    try:
        report = db.verify_audit(args.head)
    finally:
        db.close()
    for line in describe(report):
        print(line)
    return 0 if report.intact else 1


def describe(report) -> list[str]:
    """The report as lines a person reads: the verdict first, then every problem and warning."""
    signed = (f"records 1–{report.legacy} unsigned (written before the anchor), the rest signed"
              if report.legacy and report.signed else
              "all unsigned (written before the anchor)" if report.legacy else "all signed")
    checkpoint = {"ok": f"checkpoint at record #{report.checkpoint_records}",
                  "behind": f"checkpoint at record #{report.checkpoint_records} (later records signed: commits "
                            "made after it was written)",
                  "none": "no checkpoint yet (nothing signed)", "unchecked": "checkpoint not checked (no key)",
                  "missing": "checkpoint missing", "invalid": "checkpoint invalid"}[report.checkpoint]
    lines = []
    if report.intact:
        lines.append(f"audit chain intact: {report.records} records; {signed}; {checkpoint}; tables match the log")
    for n, p in enumerate(report.problems):
        where = f"table {p.table}, row {p.row}" if p.table else f"record {p.record}" if p.record else "the anchor"
        last = f" (last record about it: {p.record})" if p.table and p.record else ""
        if n == 0:
            lines.append(f"audit chain broken at {where}: {p.reason}{last}" if not p.table else
                         f"audit check failed at {where}: {p.reason}{last}")
        else:
            lines.append(f"  also [{p.kind}] {where}: {p.reason}{last}")
    if report.head_id is not None:
        lines.append(f"  head: {report.head_id}:{report.head_hash} (keep it; later: audit verify --head …)")
    for w in report.warnings:
        lines.append(f"  warning: table {w.table}, row {w.row}: {w.reason}")
    if not report.intact:
        lines.append(f"  ({report.records} records; {signed}; {checkpoint})")
    return lines
