"""What the mailbox codes say to a person, in kk / ru / en: every status and reason of ``mailbox.json`` is a
stable code with parameters; the words live in the message catalogs and are rendered here (the command's
summary, the acknowledgement drafts, an organizer's page)."""
from __future__ import annotations

from collections.abc import Mapping

from review_service.core.i18n import format_number, gettext


def _(message: str) -> str:
    """Marks a message for the catalogs; :func:`describe` translates it."""
    return message


REASONS: dict[str, str] = {
    # attachments
    "form_matched": _("saved as an entry; matched to the form of %(form)s (to be confirmed)"),
    "no_form_row": _("saved as an entry; no registration-form row matched this letter"),
    "no_forms": _("saved as an entry (no registration forms were given)"),
    "same_file_resent": _("the same file was already received (letter %(letter)s, %(name)s): kept once"),
    "corrected_resend": _("replaced by a corrected file from the same sender (letter %(letter)s, %(name)s); kept, "
                          "not screened"),
    "archive_unpacked": _("archive unpacked: %(files)s file(s) inside"),
    "cloud_link": _("link only (%(service)s), fetch by hand: %(url)s"),
    "zip_bomb": _("archive not opened (zip-bomb guard): it would unpack to %(unpacked_mb)s MB, compressed up to "
                  "%(ratio)s:1 (limits: %(limit_mb)s MB, %(max_ratio)s:1)"),
    "archive_corrupt": _("the archive is damaged and cannot be opened"),
    "archive_encrypted": _("the archive is protected with a password"),
    "archive_nested": _("archives inside archives more than %(depth)s levels deep are not opened"),
    "archive_unsupported": _("a %(kind)s archive: unpack it by hand and add the files"),
    "empty": _("the attached file is empty (0 bytes)"),
    "undecodable": _("the attachment's content could not be decoded"),
    "inline_image": _("a picture inside the letter's text (a signature or a logo), not an entry"),
    # letters
    "entries": _("%(count)s file(s) for screening"),
    "no_attachment": _("the letter has no attachment and no link"),
    "link_only": _("the letter holds only a link to a cloud drive: fetch the file by hand"),
    "nothing_new": _("every file in the letter was already received"),
    "nothing_readable": _("no file in the letter could be opened"),
    "unreadable": _("the letter itself cannot be read"),
    "letter_too_large": _("the letter is larger than %(limit_mb)s MB and was not read; save its files by hand"),
}
SERVICES = {"google_drive": "Google Drive", "yandex_disk": "Yandex Disk", "mailru_cloud": "Mail.ru Cloud",
            "dropbox": "Dropbox", "onedrive": "OneDrive"}


def describe(code: str, params: Mapping[str, object] | None, lang: str) -> str:
    """A reason code with its parameters as a sentence in ``lang``; an unknown code is shown as itself."""
    message = REASONS.get(code)
    if message is None:
        return code
    values = {k: SERVICES.get(str(v), v) if k == "service" else format_number(v, lang, 1) if isinstance(v, float)
              else v for k, v in (params or {}).items()}
    try:
        return gettext(lang, message) % values if values else gettext(lang, message)
    except (KeyError, TypeError, ValueError):  # a parameter missing from a hand-edited mailbox.json
        return gettext(lang, message)
