"""`review-service screen DIR [--forms FORMS.csv] --out REPORT_DIR` — batch pre-screening (`--mailbox MAILBOX`: read the
contest's mailbox into DIR first, docs/mailbox.md)."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from review_service.batches.batch import STAGES, ScreenOptions
from review_service.core.config import get_settings
from review_service.core.errors import InputError
from review_service.storage import edition_scope


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "screen",
        help="take in a folder of entries, pre-check them and write screening.json + report.html",
        description="Take in every file under DIR (originals kept by SHA-256), extract text with anchors, run the "
                    "eligibility pre-checks and the AI stages (drafts only), and write REPORT_DIR/screening.json "
                    "and REPORT_DIR/report.html. Exit code 0: nothing needs attention; 1: some entries need a "
                    "person's attention; 130/143: interrupted by SIGINT (Ctrl-C)/SIGTERM, the job marked cancelled. "
                    "Running it again on the same inputs resumes its unfinished job (interrupted, cancelled, "
                    "failed or killed) and changes nothing already done.",
    )
    p.add_argument("dir", type=Path, nargs="?",
                   help="folder with the entries (PDF, DOCX, PPTX, TXT/MD/HTML, audio, video); with --mailbox, where "
                        "the letters' files are written (default REPORT_DIR/mailbox)")
    p.add_argument("--mailbox", type=Path,
                   help="read this mailbox first (.mbox, a folder of .eml, a Maildir), as `review-service mailbox` "
                        "does, and screen the files it finds (docs/mailbox.md)")
    p.add_argument("--forms", type=Path, help="application-form CSV (file_name, surname, age, library_type, …)")
    p.add_argument("--out", type=Path, required=True, help="report folder")
    p.add_argument("--archive", type=Path, help="past projects (JSONL) for duplicate flags, instead of the archive "
                                                "tables (closed and imported editions: review-service editions)")
    p.add_argument("--no-archive", action="store_true", help="do not compare the entries with the archive")
    p.add_argument("--edition", metavar="NAME",
                   help="the edition the batch belongs to (default: the current open edition; \"default\" on a new "
                        "database)")
    p.add_argument("--jurors", type=Path, help="jurors (JSONL) for suggested assignment")
    p.add_argument("--k", type=int, default=None, help="jurors per entry (default: setting jurors_per_entry)")
    p.add_argument("--themes", type=int, default=None, help="number of themes (default: chosen automatically)")
    p.add_argument("--notes-lang", default="ru", choices=["kk", "ru", "en"], help="language of the draft notes")
    p.add_argument("--lang", default="en", choices=["kk", "ru", "en"],
                   help="interface language of report.html (default en; screening.json is the same in every one)")
    p.add_argument("--generator", default="none", choices=["none", "local", "openai"],
                   help="generator for abstractive notes (default none: extractive, cited notes only)")
    p.add_argument("--skip", action="append", default=[], choices=list(STAGES), help="skip an AI stage")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.mailbox is not None:
        from review_service.commands.mailbox_command import import_mailbox, print_summary

        args.dir = args.dir or args.out / "mailbox"
        print_summary(import_mailbox(args.mailbox, args.dir, settings, args.forms), args.lang)
    elif args.dir is None:
        raise InputError("give the folder of entries (DIR) or --mailbox MAILBOX")
    options = ScreenOptions(
        forms=args.forms, archive=args.archive, use_archive=not args.no_archive, jurors=args.jurors,
        jurors_per_entry=args.k or settings.jurors_per_entry, notes_lang=args.notes_lang, generator=args.generator,
        stages=tuple(s for s in STAGES if s not in args.skip), progress=not args.no_progress and sys.stderr.isatty(),
        themes_k=args.themes, report_lang=args.lang,
    )
    if not args.no_progress and not sys.stderr.isatty():
        _stage_lines()  # no terminal for progress bars (a log, CI): one line per finished stage instead
    from review_service.batches.job_runner import run_in_process

    if not args.dir.is_dir():  # before the database is opened: a mistyped folder changes nothing
        raise InputError(f"{args.dir} is not a folder", hint="pass the folder that holds the entries")
    with edition_scope.scoped(_edition_id(settings, args.edition)):
        result = run_in_process(settings, args.dir, options, args.out, say=_say)  # the same job a worker runs
    json_path, html_path = args.out / "screening.json", args.out / "report.html"
    s = result.report["summary"]
    print(f"{s['files']} files: {s['ok']} ok, {s['needs_attention']} need attention, {s['failed']} could not be read")
    if s["forms_without_file"]:
        print(f"forms with no file: {', '.join(s['forms_without_file'])}")
    for e in result.report["stage_errors"]:
        print(f"stage {e['stage']} failed: {e['message']}", file=sys.stderr)
    print(f"wrote {json_path} and {html_path}")
    return result.exit_code


def _edition_id(settings, name: str | None) -> int:
    """The edition ``--edition`` names (it must exist), else the current one; a closed one is refused (409)."""
    from review_service.contest import editions
    from review_service.core.errors import EditionClosed
    from review_service.storage import open_database

    db = open_database(settings)
    try:
        edition = editions.chosen(db, settings, name)
    finally:
        db.close()
    if edition["state"] == "closed":
        raise EditionClosed(edition["name"])
    return int(edition["id"])


def _say(message: str) -> None:
    print(f"[screen] {message}", file=sys.stderr)


def _stage_lines() -> None:
    log = logging.getLogger("review_service.batches.job_runner")
    if not any(isinstance(h, _StderrLines) for h in log.handlers):
        log.addHandler(_StderrLines())
    log.setLevel(logging.INFO)
    log.propagate = False


class _StderrLines(logging.Handler):
    """``[screen] message`` on whatever ``sys.stderr`` is at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"[screen] {record.getMessage()}", file=sys.stderr)
