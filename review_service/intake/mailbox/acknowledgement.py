"""An acknowledgement draft per letter, in Kazakh and Russian, for the organizer to read, edit and send: a
template with fields (the catalogs' messages below) filled from the letter's record. Nothing is sent."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from review_service.core.i18n import format_datetime, gettext
from review_service.intake.mailbox.texts import describe

ACK_LANGUAGES = ("kk", "ru")


def _(message: str) -> str:
    return message


RECEIVED = _("Dear %(name)s,\n\nthank you for your letter of %(date)s to the contest «%(contest)s». We have "
             "received: %(files)s.\n%(notes)s\nThe organizing committee will check the entry and write to you if "
             "anything is missing.\n\nThe organizing committee")
NOTHING = _("Dear %(name)s,\n\nthank you for your letter of %(date)s to the contest «%(contest)s». We found no "
            "project file in it.\n%(notes)s\nPlease send the project as a file named «ЖИ байқауы_Тегі» "
            "(AI contest_Surname) by the deadline.\n\nThe organizing committee")
LATE = _("Your letter arrived after the deadline (%(deadline)s); the organizing committee will decide whether the "
         "entry can be accepted.")
LINK = _("The link %(url)s has to be opened by hand; if you can, please attach the file itself.")
NOT_OPENED = _("The file %(file)s could not be opened: %(why)s. Please send it again.")
NO_DATE = _("(no date)")
PARTICIPANT = _("participant")


def draft(record: Mapping, lang: str, *, contest: str, deadline: datetime, person: str = "") -> str:
    """The acknowledgement of one letter's record (as in ``mailbox.json``) in ``lang``."""
    def t(message: str, **values: object) -> str:
        return gettext(lang, message, **values)

    notes: list[str] = []
    if record.get("after_deadline"):
        notes.append(t(LATE, deadline=format_datetime(deadline, lang, "short")))
    files: list[str] = []
    for a in record.get("attachments", []):
        if a["status"] == "link_only":
            notes.append(t(LINK, url=a["name"]))
        elif a["status"] == "refused":
            notes.append(t(NOT_OPENED, file=a["name"], why=describe(a["reason"], a.get("params"), lang)))
        elif a["status"] in ("saved", "duplicate", "superseded") and a["name"] not in files:
            files.append(a["name"])
    date = format_datetime(record["date"], lang, "short") if record.get("date") else t(NO_DATE)
    name = person or record.get("from_name") or record.get("from") or t(PARTICIPANT)
    template = RECEIVED if files else NOTHING
    return t(template, name=name, date=date, contest=contest, files=", ".join(f"«{f}»" for f in files),
             notes="".join(f"{n}\n" for n in notes))
