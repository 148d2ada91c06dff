"""Messages a person reads, as codes with parameters, rendered in the reader's language.

What the service says about an entry (a pre-check's finding, why a file could not be read, why a juror is
suggested or in conflict, what an audit record did and who did it, where a citation points) is stored as a
**code with parameters** (``screening.json`` keeps both, beside the English ``reason``/``message`` it always had)
and turned into words only when a page, a report or an export is made, in that reader's language, through the
gettext catalogs. Parameters are rendered too: a time in the contest's time zone (``Settings.timezone``) in the
locale's format, a number in the locale's format, a value that is itself a code (a library type, a side) through
the catalogs, a list joined.

A code without a message here renders as the stored English text only in English, and as a neutral "(see the
English log)" elsewhere — never as a raw identifier.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any


def _(message: str) -> str:
    return message


# --- pre-checks (stages.eligibility, stages.relevance) ------------------------------------------------------
CHECK_NAMES = {"age": _("Age"), "library_type": _("Library type"), "file_name": _("File name"),
               "deadline": _("Deadline"), "presentation_length": _("Presentation length"),
               "topic": _("Subject of the contest")}

MESSAGES: dict[str, str] = {
    "age.missing": _("The application form gives no age."),
    "age.not_number": _("The age «%(value)s» in the form is not a number."),
    "age.ok": _("Age %(age)s, within the limit of %(limit)s."),
    "age.over": _("The applicant is %(age)s; the contest is for librarians up to %(limit)s."),
    "library_type.missing": _("The application form gives no library type."),
    "library_type.ok": _("An allowed library type: %(kind)s (%(value)s)."),
    "library_type.ok_code": _("An allowed library type: %(kind)s."),
    "library_type.other": _("The library type «%(value)s» is not a public library of the Ministry of Culture and "
                            "Information, a university or a college library."),
    "file_name.ok": _("Named by the rule «ЖИ байқауы_Тегі»."),
    "file_name.other": _("The file is not named by the rule «ЖИ байқауы_Тегі» (AI contest_Surname)."),
    "deadline.missing": _("The application form gives no date received."),
    "deadline.not_date": _("The date received «%(value)s» is not a date."),
    "deadline.ok": _("Received %(received)s, by the deadline of %(deadline)s."),
    "deadline.late": _("Received %(received)s, %(hours)s h after the deadline of %(deadline)s."),
    "length.text": _("A text entry: the 3-minute limit applies to presentations."),
    "length.ok": _("About %(minutes)s minutes (%(how)s)."),
    "length.longer": _("Longer than the %(target)s-minute presentation (%(how)s)."),
    "length.shorter": _("Shorter than the %(target)s-minute presentation (%(how)s)."),
    "length.duration": _("the recording lasts %(minutes)s min"),
    "length.slides": _("%(slides)s slides ≈ %(minutes)s min at %(seconds)s s a slide"),
    "topic.no_text": _("No text to compare with the contest's subject."),
    "topic.on": _("About AI in library services (similarity %(on)s against %(off)s for «%(nearest)s»); the jury "
                  "confirms."),
    "topic.off": _("Closer to «%(nearest)s» (%(off)s) than to AI in library services (%(on)s); the jury should "
                   "look."),
    "topic.left": _("Is it about AI in library services? Left to the jury."),
    # --- intake reasons (intake.parsing, intake.receive): the code alone, the English detail stays in the record
    "intake.empty": _("The file is empty."),
    "intake.corrupt": _("The file is damaged and cannot be read."),
    "intake.encrypted": _("The file is protected with a password, so its text cannot be read."),
    "intake.unsupported_type": _("The file is not a document type this service reads (PDF, DOCX, PPTX, text, "
                                 "audio, video)."),
    "intake.zip_bomb": _("The file holds far more parts than any real document and was not opened."),
    "intake.too_large": _("The file is over the size limit and was not accepted."),
    "intake.no_text": _("The file has no readable text."),
    "intake.needs_ocr": _("The file is scanned (pages are pictures) and its text could not be read."),
    "intake.ocr": _("Scanned pages were read by text recognition (OCR): check the text against the original."),
    "intake.unreadable_pages": _("Some pages could not be read and were skipped."),
    "intake.hidden_slides": _("The presentation has hidden slides; they were read too."),
    "intake.low_confidence_transcript": _("The speech recognition is unsure of this recording: check the "
                                          "transcript against it."),
    "intake.media_too_long": _("The recording is longer than the limit and was not transcribed."),
    "intake.wrong_extension": _("The file's name says «%(named)s», but its content is %(actual)s; it was read as "
                                "%(actual)s."),
    "intake.no_form": _("No application form row names this file."),
    "intake.internal_error": _("An internal error stopped reading this file; the original is kept."),
    "intake.duplicate_flag": _("AI flagged a possible duplicate (a draft): see Duplicates."),
    # --- conflicts of interest (stages.matching.conflicts)
    "conflict.declared": _("A conflict of interest declared by the juror."),
    "conflict.opt_out": _("The juror opted out of this entry."),
    "conflict.organization": _("The same organisation: the juror's «%(juror)s» and the entry's «%(entry)s»."),
    "conflict.library": _("The same library: the juror's «%(juror)s» and the entry's «%(entry)s»."),
    "conflict.author": _("The juror «%(juror)s» is an author («%(entry)s») of the entry."),
    # --- why a juror is suggested (stages.matching.affinity explanations)
    "match.explanation": _("Shares %(terms)s with the juror's work «%(title)s»."),
    "match.explanation_no_terms": _("Close in meaning to the juror's work «%(title)s»."),
    "match.no_explanation": _("Suggested by the solver for the balance of loads."),
    # --- places cited in an entry
    "place.page": _("page %(n)s"),
    "place.slide": _("slide %(n)s"),
    "place.section": _("section %(n)s"),
    "place.line": _("line %(n)s"),
    "place.part_notes": _("%(where)s, speaker notes"),
    "place.part_table": _("%(where)s, table"),
    "place.time": _("%(start)s–%(end)s"),
    "place.moment": _("at %(start)s"),
    "place.whole": _("the whole entry"),
}

# the stages of a batch (batches.stage_registry), as the batch page, the report and the audit name them
STAGES: dict[str, str] = {
    "intake": _("reading files"), "render": _("rendering originals as PDF"), "embed": _("embedding texts"),
    "topic": _("topic check"), "duplicates": _("duplicates"), "themes": _("themes"), "matching": _("juror matching"),
    "notes": _("draft notes"), "report": _("report"), "total": _("in all"), "": _("waiting"),
}

# the application form's fields (intake.receive reads them from the forms CSV)
FORM_FIELDS: dict[str, str] = {
    "file_name": _("File name"), "surname": _("Surname"), "name": _("Name"), "age": _("Age"),
    "library": _("Library"), "library_type": _("Library type"), "region": _("Region"), "contact": _("Contact"),
    "participation": _("Participation"), "team_members": _("Team members"), "project_title": _("Project title"),
    "received_at": _("Received"), "email": _("E-mail"), "phone": _("Phone"), "organization": _("Organisation"),
}

# values that appear inside messages or on their own (library kinds, duplicate kinds, facets, roles, outcomes)
VALUES: dict[str, str] = {
    "public_mcib": _("a public library of the Ministry of Culture and Information"),
    "university": _("a university library"), "college": _("a college library"),
    "participant": _("participant"), "finalist": _("finalist"), "winner": _("winner"),
    "special_prize": _("special prize"), "kk": _("Kazakh"), "ru": _("Russian"), "en": _("English"),
    "und": _("undetermined"), "individual": _("individual"), "team": _("team"), "pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "txt": "TXT", "md": "Markdown", "html": "HTML", "text": _("text"),
    "audio": _("audio"), "video": _("video"), "image": _("an image"),
    "optimal": _("the best total affinity"), "fair": _("the fairest worst entry"),  # matching solver modes
    "contrast.library_without_ai": _("library work without AI"),
    "contrast.ai_outside_libraries": _("AI outside libraries"), "contrast.unrelated": _("an unrelated subject"),
}

# audit actions and actors (storage.audit_chain records)
ACTIONS: dict[str, str] = {
    "ai_draft_created": _("AI draft saved"), "assignment_draft_edited": _("assignment draft edited"),
    "assignment_draft_merged": _("new batch added to the assignment draft"),
    "assignment_draft_resolved": _("assignment draft solved again"),
    "assignment_published": _("assignment published"), "jury_members_added": _("jury members added"),
    "password_changed": _("password changed"), "review_reopened": _("review reopened"),
    "review_saved": _("review saved"), "review_submitted": _("review submitted"),
    "rubric_published": _("rubric published"), "signed_in": _("signed in"), "signed_out": _("signed out"),
    "user_added": _("account added"), "user_disabled": _("account disabled"), "user_enabled": _("account enabled"),
    "eligibility_decided": _("eligibility decided"), "finalist_decided": _("finalist decided"),
    "award_decided": _("award decided"), "duplicate_flag_reviewed": _("duplicate flag reviewed"),
    "precheck_flag_reviewed": _("pre-check reviewed"), "note_flag_reviewed": _("note sentence marked"),
    "signin_refused": _("sign-in refused"), "signin_failed": _("sign-in failed"),
}
ACTORS: dict[str, str] = {
    "system:batch": _("the service (batch)"), "system:matching": _("the service (juror matching)"),
    "system:migration": _("the service (database upgrade)"), "system:intake": _("AI (reading files)"),
    "system:embed": _("AI (embedding)"), "system:topic": _("AI (topic check)"),
    "system:duplicates": _("AI (duplicates)"), "system:themes": _("AI (themes)"),
    "system:matching_suggestion": _("AI (juror matching)"), "system:assignment_suggestion": _("AI (juror matching)"),
    "system:notes": _("AI (draft notes)"), "system:render": _("the service (PDF renditions)"),
}
SUBJECTS: dict[str, str] = {  # what an audit record is about: storage's "kind:id" subjects
    "batch": _("batch %(id)s"), "user": _("account %(id)s"), "rubric": _("rubric version %(id)s"),
    "job": _("batch job %(id)s"), "assignment": _("assignment, version %(v)s"),
    "assignment_draft": _("assignment draft, version %(v)s"),
    "assignment_published": _("published assignment, version %(v)s"),
    "check": _("pre-check of entry %(entry)s (%(what)s)"), "note": _("note of entry %(entry)s, sentence %(what)s"),
    "dup": _("duplicate flag %(id)s"), "jury": _("jury %(id)s"), "audit": _("audit log %(id)s"),
}
BARE_SUBJECTS: dict[str, str] = {"jury": _("the jury"), "rubric": _("the rubric"), "audit": _("the audit log")}
UNKNOWN = _("(details in the English log)")

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def value_text(value: Any, lang: str, gettext, *, timezone: str, when) -> str:
    """One parameter in ``lang``: a nested ``{"code", "params"}``, a time, a number, a known value, a list."""
    if isinstance(value, Mapping) and "code" in value:
        return render(str(value["code"]), value.get("params") or {}, lang, gettext, timezone=timezone, when=when)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, lang, gettext, timezone=timezone, when=when) for v in value)
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_TIME.match(value)):
        try:
            return when(value)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        from babel.numbers import format_decimal

        return format_decimal(round(value, 2), locale=lang)
    if isinstance(value, str) and value in VALUES:
        return gettext(VALUES[value])
    return str(value)


def render(code: str, params: Mapping[str, Any] | None, lang: str, gettext, *, timezone: str, when,
           fallback: str = "") -> str:
    """The message ``code`` with ``params`` in ``lang`` (``gettext``: that language's); an unknown code gives
    ``fallback`` in English and a neutral pointer to the English log in the other languages."""
    template = MESSAGES.get(code)
    if template is None:
        return fallback if lang == "en" and fallback else gettext(UNKNOWN)
    values = {k: value_text(v, lang, gettext, timezone=timezone, when=when) for k, v in (params or {}).items()}
    text = gettext(template)
    try:
        return text % values if values else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return gettext(template) if not values else fallback or gettext(UNKNOWN)


def term(value: str, gettext) -> str:
    """A stored value shown on its own (a facet value, an outcome, a language): its word, else itself."""
    return gettext(VALUES[value]) if value in VALUES else value


def stage_text(name: str, gettext) -> str:
    return gettext(STAGES[name]) if name in STAGES else name.replace("_", " ")


def form_field(name: str, gettext) -> str:
    return gettext(FORM_FIELDS[name]) if name in FORM_FIELDS else name.replace("_", " ")


def action_text(action: str, gettext) -> str:
    return gettext(ACTIONS[action]) if action in ACTIONS else action.replace("_", " ")


def actor_text(actor: str, gettext) -> str:
    """``system:…`` as the part of the service it is; ``cli:NAME`` as the command line run by that operator; a
    person's login as written."""
    if actor in ACTORS:
        return gettext(ACTORS[actor])
    if actor.startswith("system:"):
        return gettext(_("the service"))
    if actor.startswith("cli:"):
        return gettext(_("the command line (%(who)s)")) % {"who": actor.removeprefix("cli:")}
    return actor
