"""`review-service editions list | create NAME --year YYYY [--copy-from NAME] | close NAME | import SOURCE --edition
NAME --year YYYY` — the contest's years (docs/editions.md).

``list`` prints one line per edition: id, name, year, state (tab-separated). ``create`` makes an open edition, as a
copy of another's set-up (rubric, jury, settings; never entries or scores) with ``--copy-from``. ``close`` carries
an edition's entries into the archive (text, language, themes, region, library type, outcome) and makes it
read-only. ``import`` adds a past edition's entries to the archive from a folder of entry files or a JSONL of
``{"id", "text"[, "title", "lang", "outcome", "theme", "region"]}`` (run again, it adds only what is new).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from review_service.commands.users_command import CLI_ACTOR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("editions", help="the contest's editions: list, create (as a copy), close, import a past one",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", help="one line per edition: id, name, year, state").set_defaults(func=_list)
    c = verbs.add_parser("create", help="a new open edition")
    c.add_argument("name", help='the edition\'s name, e.g. "4.0"')
    c.add_argument("--year", type=int, required=True, help="the contest's year")
    c.add_argument("--copy-from", metavar="NAME", help="copy this edition's set-up, rubric and jury")
    c.set_defaults(func=_create)
    x = verbs.add_parser("close", help="carry an edition's entries into the archive; the edition becomes read-only")
    x.add_argument("name")
    x.set_defaults(func=_close)
    i = verbs.add_parser("import", help="a past edition's entries into the archive (folder of files or JSONL)")
    i.add_argument("source", type=Path, help="a folder of entry files, or a JSONL of past projects")
    i.add_argument("--edition", required=True, metavar="NAME", help="the edition they belong to (made if new)")
    i.add_argument("--year", type=int, required=True, help="its year (a JSONL line's own year is kept)")
    i.set_defaults(func=_import)


def _open():
    from review_service.core.config import get_settings
    from review_service.storage import open_database

    settings = get_settings()
    return settings, open_database(settings)


def _list(args: argparse.Namespace) -> int:
    from review_service.storage.edition_store import EditionStore

    _, db = _open()
    try:
        for e in EditionStore(db).editions():
            print(f"{e['id']}\t{e['name']}\t{e['year']}\t{e['state']}")
    finally:
        db.close()
    return 0


def _create(args: argparse.Namespace) -> int:
    from review_service.contest import editions

    settings, db = _open()
    try:
        made = editions.create(db, settings, name=args.name, year=args.year, actor=CLI_ACTOR, copy_from=args.copy_from)
        setup = editions.rubric_and_jury(db, made)
    finally:
        db.close()
    copied = f", copied from {args.copy_from}: rubric v{setup['rubric_version']}, {len(setup['jury'])} jurors" \
        if args.copy_from else ""
    print(f"edition {made['name']} ({made['year']}) created, id {made['id']}, state {made['state']}{copied}")
    return 0


def _close(args: argparse.Namespace) -> int:
    from review_service.contest import editions

    settings, db = _open()
    try:
        closed = editions.close(db, settings, name=args.name, actor=CLI_ACTOR)
    finally:
        db.close()
    print(f"edition {closed['name']} closed: {closed['archived']} entries in the archive")
    return 0


def _import(args: argparse.Namespace) -> int:
    from review_service.contest import editions

    settings, db = _open()
    try:
        done = editions.import_edition(db, settings, args.source, name=args.edition, year=args.year,
                                       actor=CLI_ACTOR)
    finally:
        db.close()
    print(f"edition {done['edition']}: {done['read']} entries read, {done['added']} added to the archive")
    return 0
