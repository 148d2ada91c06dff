"""Mailbox intake: the contest's mailbox (an ``.mbox`` export, a folder of ``.eml``, a Maildir) → one record per
letter and the attachments as entry files, for ``review-service mailbox`` and ``screen --mailbox``
(docs/mailbox.md).

The flow, each step pure and reusable (a page can hand uploaded bytes to the same functions):
:func:`sources.read_messages` (where letters are) → :func:`letters.read_letter` (sender, date received, subject,
body, attachments decoded by name, forwards opened, cloud links) → :func:`plan.plan` (archives unpacked under the
zip-bomb limits, resends, supersessions, folder layout, form-row matches, acknowledgement drafts) →
:func:`plan.manifest` (``mailbox.json``). :mod:`origins` reads ``mailbox.json`` back for ``screen``: each
entry's letter date (the deadline check) and form row.
"""
from __future__ import annotations

from review_service.intake.mailbox.letters import Letter, Part, read_letter
from review_service.intake.mailbox.plan import MANIFEST, Planned, manifest, plan
from review_service.intake.mailbox.sources import read_messages

__all__ = ["MANIFEST", "Letter", "Part", "Planned", "manifest", "plan", "read_letter", "read_messages"]
