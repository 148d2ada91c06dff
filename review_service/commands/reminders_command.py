"""`review-service reminders [--csv OUT]` — remind each juror of their open entries (not started, draft).

With a mail server set (``REVIEW_SMTP_HOST``, docs/jury.md "Reminders") the messages are e-mailed, each in the
juror's interface language; ``--csv OUT`` writes them as a CSV for a mail merge instead (also without a server).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from review_service.commands.users_command import CLI_ACTOR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reminders", help="e-mail each juror the entries still open for them, or write a CSV",
                       description="One message per juror with entries not started or in draft (codes, deadlines, "
                                   "overdue ones marked), in the juror's interface language. Sent through "
                                   "REVIEW_SMTP_HOST; with --csv, written to OUT for a mail merge instead.")
    p.add_argument("--csv", type=Path, metavar="OUT", help="write the reminders to OUT (CSV) instead of sending")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from review_service.contest import reminders
    from review_service.core.config import get_settings
    from review_service.core.errors import InputError
    from review_service.storage import open_database

    settings = get_settings()
    if args.csv is None and not settings.smtp_host:
        raise InputError("no mail server is set (REVIEW_SMTP_HOST)",
                         hint="set REVIEW_SMTP_HOST and REVIEW_SMTP_FROM, or write a CSV: reminders --csv OUT")
    db = open_database(settings)
    try:
        if args.csv is not None:
            found = reminders.compose(db, settings)
            args.csv.write_bytes(reminders.to_csv(found))
            print(f"{len(found)} reminders written to {args.csv}")
            return 0
        sent = reminders.send(db, settings, CLI_ACTOR)
    finally:
        db.close()
    print(f"{len(sent.sent)} reminders sent; {len(sent.no_email)} jurors without an e-mail"
          + (f" ({', '.join(sent.no_email)})" if sent.no_email else "")
          + (f"; {len(sent.failed)} refused by the server ({', '.join(sent.failed)})" if sent.failed else ""))
    return 1 if sent.failed else 0
