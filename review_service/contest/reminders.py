"""Reminders: a message to each juror with open cells on the progress board (not started or draft), in the
juror's interface language (the one they last signed in with; else Kazakh), listing the entries by their neutral
codes with each one's deadline.

With ``REVIEW_SMTP_HOST`` set they are sent through that mail server (STARTTLS, implicit TLS or a plain local
relay; user and password from the environment, never logged); without it they come as a CSV for a mail merge.
A juror with no e-mail on their account is listed, not sent to. Sending is audited (who asked, how many, to
which jurors; never a password). Nothing here scores or decides.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from review_service.contest import exports, permissions, progress
from review_service.core import i18n
from review_service.core.config import Settings
from review_service.core.errors import ConfigError, StateConflict
from review_service.storage import Database
from review_service.storage.say_store import SayStore

logger = logging.getLogger(__name__)
CSV_COLUMNS = ("juror", "name", "email", "lang", "open", "overdue", "subject", "body")


def _(message: str) -> str:
    return message


STATUS = {"not_started": _("not started"), "draft": _("draft")}


@dataclass(frozen=True)
class Reminder:
    juror: str
    name: str
    email: str
    lang: str
    open: int
    overdue: int
    subject: str
    body: str


def _line(cell: progress.Cell, lang: str) -> str:
    when = i18n.format_datetime(cell.deadline, lang, "medium")
    text = i18n.gettext(lang, _("%(code)s: %(status)s, deadline %(deadline)s"), code=permissions.entry_code(cell.entry),
                        status=i18n.gettext(lang, STATUS[cell.status]), deadline=when)
    return text + (" — " + i18n.gettext(lang, _("overdue")) if cell.overdue else "")


def compose(db: Database, settings: Settings, *, at: datetime | None = None) -> list[Reminder]:
    """One reminder per juror account with open cells (entries by code; no applicant's data)."""
    board = progress.board(db, settings.scoring_deadline, at=at)
    contacts = SayStore(db).contacts()
    out = []
    for juror in board.jurors:
        cells = board.open_cells(juror)
        person = contacts.get(juror)
        if not cells or person is None:
            continue
        lang = person["lang"] if person["lang"] in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        lines = [i18n.gettext(lang, _("Hello, %(name)s."), name=person["name"] or person["login"]), "",
                 i18n.gettext(lang, _("These entries still await your review in the jury's service:")), "",
                 *(f"  {_line(c, lang)}" for c in cells), ""]
        if settings.public_url:
            lines.append(i18n.gettext(lang, _("Sign in to score them: %(url)s"), url=settings.public_url.rstrip("/")
                                      + "/my"))
        lines += [i18n.gettext(lang, _("If you cannot review an entry (a conflict of interest, or you abstain), "
                                       "say so on the entry's page.")), "",
                  i18n.gettext(lang, _("This reminder was sent by the contest's organizers."))]
        subject = i18n.gettext(lang, _("Reminder: %(n)s entries await your review"), n=len(cells))
        out.append(Reminder(juror, person["name"], person["email"], lang, len(cells),
                            sum(c.overdue for c in cells), subject, "\n".join(lines) + "\n"))
    return out


def to_csv(reminders: list[Reminder]) -> bytes:
    """The mail-merge file: one row a juror (cells that look like formulas are neutralised, as every export)."""
    return exports.to_csv(CSV_COLUMNS, ({c: getattr(r, c) for c in CSV_COLUMNS} for r in reminders))


@dataclass(frozen=True)
class Sent:
    sent: tuple[str, ...]  # juror ids
    no_email: tuple[str, ...]
    failed: tuple[str, ...]


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_s
    if settings.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
        if settings.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        server.login(settings.smtp_user, settings.smtp_password.get_secret_value())
    return server


def send(db: Database, settings: Settings, actor: str, *, at: datetime | None = None) -> Sent:
    """Send every reminder through the configured mail server; audited as ``reminders_sent`` by ``actor``."""
    if not settings.smtp_host:
        raise StateConflict("no mail server is set (REVIEW_SMTP_HOST)", code="smtp_not_configured",
                            hint="download the reminders as a CSV for a mail merge instead")
    if not settings.smtp_from:
        raise ConfigError("REVIEW_SMTP_FROM must be set with REVIEW_SMTP_HOST")
    found = compose(db, settings, at=at)
    sent, missing, failed = [], [r.juror for r in found if not r.email], []
    targets = [r for r in found if r.email]
    if targets:
        try:
            server = _connect(settings)
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("reminders: the mail server %s:%s refused the connection (%s)", settings.smtp_host,
                           settings.smtp_port, type(exc).__name__)
            raise StateConflict(f"the mail server could not be reached or refused the sign-in ({type(exc).__name__})",
                                code="smtp_failed", hint="check REVIEW_SMTP_* or use the CSV") from None
        with server:
            for r in targets:
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = settings.smtp_from, r.email, r.subject
                message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="review-service")
                message.set_content(r.body)
                message["Content-Language"] = r.lang  # after set_content, which replaces the Content-* headers
                try:
                    server.send_message(message)
                    sent.append(r.juror)
                except smtplib.SMTPException as exc:
                    logger.warning("reminders: not sent to juror %s (%s)", r.juror, type(exc).__name__)
                    failed.append(r.juror)
    SayStore(db).record_reminders(actor, sent=sent, no_email=missing, failed=failed)
    return Sent(tuple(sent), tuple(missing), tuple(failed))
