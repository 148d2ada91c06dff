"""`review-service users add|import|list|disable|reset-password` — accounts for organizers and jurors."""
from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

CLI_ACTOR = "cli:" + (os.environ.get("USER") or "operator")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="user accounts: add, import jurors, list, disable, reset a password",
                       description="Accounts of the jury's service (roles admin, organizer, juror). Passwords are "
                                   "stored as argon2 hashes only.")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", help="add an account; the password is read from standard input (one line)",
                           description="The login: Latin letters, digits and . _ @ - only (NFC; look-alike letters "
                                       "and invisible characters are refused). The password: at least 8 characters, "
                                       "not a common one, not simple (aaaaaaaa, 12345678), not the login or name.")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=("admin", "organizer", "juror"))
    add.add_argument("--juror", help="the juror profile id (JURORS.jsonl \"id\") a juror account is linked to")
    add.add_argument("--name", default="", help="the person's name as shown")
    add.add_argument("--email", default="", help="where reminders go (review-service reminders)")
    add.set_defaults(func=_add)
    mail = verbs.add_parser("email", help="set (or, with an empty ADDRESS, clear) where an account's reminders go")
    mail.add_argument("login")
    mail.add_argument("address")
    mail.set_defaults(func=_email)
    imp = verbs.add_parser("import", help="a juror account for every juror in JURORS.jsonl (login = juror id), "
                                          "with one-time passwords written to a file only you can read (a line's "
                                          "\"email\", if any, is where the juror's reminders go)")
    imp.add_argument("jurors", type=Path, help="JURORS.jsonl")
    imp.add_argument("--passwords", type=Path, required=True,
                     help="where to write login,password (CSV, created with mode 0600; must not exist)")
    imp.set_defaults(func=_import)
    ls = verbs.add_parser("list", help="list accounts")
    ls.add_argument("--role", choices=("admin", "organizer", "juror"))
    ls.set_defaults(func=_list)
    dis = verbs.add_parser("disable", help="disable an account (its sessions end at once)")
    dis.add_argument("login")
    dis.set_defaults(func=_disable)
    reset = verbs.add_parser("reset-password", help="set a new password (read from standard input, one line; "
                                                    "--generate prints a one-time password instead)")
    reset.add_argument("login")
    reset.add_argument("--generate", action="store_true")
    reset.set_defaults(func=_reset)


def _db():
    from review_service.core.config import get_settings
    from review_service.storage import open_database

    return open_database(get_settings())


def _password() -> str:
    from review_service.core.errors import InputError

    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InputError("no password on standard input", hint="echo 'the password' | review-service users add …")
    return line


def _add(args: argparse.Namespace) -> int:
    from review_service.contest.accounts import add_user, set_email

    db = _db()
    try:
        user = add_user(db, login=args.login, role=args.role, password=_password(), actor=CLI_ACTOR,
                        juror_id=args.juror, name=args.name)
        if args.email:
            set_email(db, user["login"], args.email, CLI_ACTOR)
    finally:
        db.close()
    print(f"added {user['login']} ({user['role']}{', juror ' + user['juror_id'] if user['juror_id'] else ''})")
    return 0


def _email(args: argparse.Namespace) -> int:
    from review_service.contest.accounts import set_email

    db = _db()
    try:
        set_email(db, args.login, args.address, CLI_ACTOR)
    finally:
        db.close()
    print(f"{args.login}: reminders go to {args.address}" if args.address else f"{args.login}: no e-mail")
    return 0


def _import(args: argparse.Namespace) -> int:
    from review_service.contest.accounts import add_user, new_password, register_jury, set_email
    from review_service.contest.credentials import normalise_login
    from review_service.core.errors import InputError, StateConflict
    from review_service.core.exchange import read_jsonl
    from review_service.stages.matching import read_jurors
    from review_service.storage.account_store import PeopleStore

    jurors = read_jurors(args.jurors)
    emails = {str(row.get("id")): str(row.get("email") or "").strip() for row in read_jsonl(args.jurors)}
    for juror in jurors:  # every login (= juror id) follows the login rule before any account is made
        normalise_login(juror.id)
    try:
        fd = os.open(args.passwords, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{args.passwords} exists", hint="choose a new file; old passwords are not kept") from None
    db = _db()
    added = skipped = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["login", "name", "juror_id", "password"])
            register_jury(db, jurors, CLI_ACTOR)
            for juror in jurors:
                if PeopleStore(db).user(juror.id) is not None:
                    skipped += 1
                    continue
                password = new_password()
                try:
                    add_user(db, login=juror.id, role="juror", password=password, actor=CLI_ACTOR,
                             juror_id=juror.id, name=juror.name)
                except StateConflict:  # the profile has an account under another login already
                    skipped += 1
                    continue
                writer.writerow([juror.id, juror.name, juror.id, password])
                added += 1
                if emails.get(juror.id):
                    set_email(db, juror.id, emails[juror.id], CLI_ACTOR)
    finally:
        db.close()
    print(f"{added} juror accounts added, {skipped} already there; one-time passwords in {args.passwords} "
          "(readable by you only: hand each to its juror, then delete the file)")
    return 0


def _list(args: argparse.Namespace) -> int:
    from review_service.storage.account_store import PeopleStore

    db = _db()
    try:
        users, _ = PeopleStore(db).users(role=args.role, limit=100_000)
    finally:
        db.close()
    for u in users:
        state = "disabled" if u["disabled"] else "active"
        print(f"{u['login']}\t{u['role']}\t{u['juror_id'] or '-'}\t{state}\t{u['name']}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    from review_service.storage.account_store import PeopleStore

    db = _db()
    try:
        PeopleStore(db).set_disabled(args.login, True, CLI_ACTOR)
    finally:
        db.close()
    print(f"disabled {args.login}; its sessions are revoked")
    return 0


def _reset(args: argparse.Namespace) -> int:
    from review_service.contest.accounts import new_password, reset_password

    password = new_password() if args.generate else _password()
    db = _db()
    try:
        reset_password(db, args.login, password, CLI_ACTOR)
    finally:
        db.close()
    print(f"new one-time password for {args.login}: {password}" if args.generate
          else f"password of {args.login} changed; its sessions are revoked")
    return 0
