"""`review-service mailbox MAILBOX --out DIR [--forms FORMS.csv]` — the contest's mailbox → a folder of entries
and ``DIR/mailbox.json`` (docs/mailbox.md); ``screen --mailbox`` runs it first."""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from review_service.core.config import Settings, get_settings
from review_service.core.errors import InputError
from review_service.core.exchange import replace_dir, write_json, write_text
from review_service.core.i18n import gettext
from review_service.intake.mailbox import MANIFEST, manifest, plan, read_letter, read_messages
from review_service.intake.mailbox.origins import is_manifest
from review_service.intake.mailbox.plan import contest_deadline
from review_service.intake.mailbox.texts import describe
from review_service.intake.receive import read_forms
from review_service.stages.eligibility import ASTANA


def _(message: str) -> str:
    return message


SUMMARY = _("%(letters)s letters: %(entries)s files for screening, %(without)s letters without a file, "
            "%(unmatched)s letters without a form row, %(late)s after the deadline")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "mailbox",
        help="take the contest's mailbox (.mbox, a folder of .eml, a Maildir) apart into a folder of entries",
        description="Read every letter of MAILBOX (an .mbox export, a folder of .eml files or a Maildir), write "
                    "the attached files into DIR under their decoded names (ZIP archives unpacked under the "
                    "zip-bomb limits; a sub-folder per letter where names clash) and DIR/mailbox.json: one record "
                    "per letter (sender, date received, subject, attachments with status and reason, the "
                    "registration-form row it seems to belong to, with evidence, to be confirmed) and an "
                    "acknowledgement draft in Kazakh and Russian. Then `review-service screen DIR` screens the "
                    "entries with each letter's date for the deadline check. DIR is replaced if it holds an "
                    "earlier mailbox.json; any other non-empty folder is refused.",
    )
    p.add_argument("mailbox", type=Path, help=".mbox file, folder of .eml files, or Maildir")
    p.add_argument("--out", type=Path, required=True, help="folder to write the entries and mailbox.json into")
    p.add_argument("--forms", type=Path, help="registration-form CSV (file_name, surname, contact, …) to match")
    p.add_argument("--lang", default="en", choices=["kk", "ru", "en"], help="language of the summary printed")
    p.set_defaults(func=run)


def import_mailbox(mailbox: Path, out: Path, settings: Settings, forms_csv: Path | None = None) -> dict:
    """Read ``mailbox``, write the entries and ``mailbox.json`` into ``out`` (replaced as a whole); the manifest."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_manifest(out / MANIFEST))):
        raise InputError(f"{out.name}: the folder exists and was not written by `review-service mailbox`",
                         hint="pass a new or empty folder to --out")
    forms = read_forms(forms_csv) if forms_csv else {}
    zone = contest_deadline(settings).tzinfo or ASTANA
    letters = [read_letter(raw, source, zone) for source, raw in read_messages(mailbox)]
    planned = plan(letters, settings, forms)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        received = {a.get("path") or a.get("kept_as"): r["date"] for r in planned.records for a in r["attachments"]}
        for rel, content in planned.files:
            target = staged / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            if received.get(rel):  # the letter's date: the same mailbox read again gives the same files
                stamp = datetime.fromisoformat(received[rel]).timestamp()
                os.utime(target, (stamp, stamp))
        for record in planned.records:
            for lang, text in record["acknowledgement"].items():
                write_text(staged / ".mailbox" / "acknowledgements" / f"letter-{record['letter']:03d}.{lang}.txt",
                           text)
        data = manifest(planned.records, str(Path(mailbox).resolve()),
                        datetime.now(UTC).isoformat(timespec="seconds"), settings)
        write_json(staged / MANIFEST, data)
        source_time = Path(mailbox).stat().st_mtime  # so `screen --mailbox` run again resumes its unfinished job
        os.utime(staged / MANIFEST, (source_time, source_time))
        os.chmod(staged, 0o755)
        replace_dir(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return data


def print_summary(data: dict, lang: str) -> None:
    s = data["summary"]
    print(gettext(lang, SUMMARY, letters=s["letters"], entries=s["entries"], without=s["without_attachment"],
                  unmatched=s["without_form_row"], late=s["after_deadline"]))
    for letter in data["letters"]:
        for a in letter["attachments"]:
            if a["status"] not in ("saved", "unpacked", "skipped"):
                print(f"  {letter['letter']:>3} {letter['from'] or '?'}: {a['name']} — "
                      f"{describe(a['reason'], a['params'], lang)} [{a['status']}/{a['reason']}]")
        if letter["status"] not in ("entries", "nothing_new"):
            print(f"  {letter['letter']:>3} {letter['from'] or '?'}: {describe(letter['reason'], letter['params'], lang)}"
                  f" [{letter['status']}]")


def run(args: argparse.Namespace) -> int:
    data = import_mailbox(args.mailbox, args.out, get_settings(), args.forms)
    print_summary(data, args.lang)
    print(f"wrote {args.out / MANIFEST}")
    return 0
