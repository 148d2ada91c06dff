"""Eligibility pre-checks from the contest rules: advice for the organizers, never an automatic rejection.

Each check returns pass / warn / fail with a reason and the evidence it looked at. ``fail`` means "the rule looks
unmet, a person should look"; the only code that records an eligibility decision is review_service.contest.scoring.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Check

ASTANA = timezone(timedelta(hours=5))

# Values and free-text words that name an allowed library type (kk / ru / en).
_LIBRARY_TYPE_WORDS = {
    "public_mcib": ("public", "mcib", "мемлекеттік", "жалпыға", "облыстық", "аудандық", "қалалық", "ауылдық",
                    "публичн", "общедоступ", "областн", "районн", "городск", "сельск", "централизован", "орталықтандырылған"),
    "university": ("university", "университет", "академия", "academy", "институт", "institute", "жоғары оқу"),
    "college": ("college", "колледж", "college library", "техникум", "училище"),
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def classify_library_type(value: str, allowed: tuple[str, ...]) -> str | None:
    """Map a form value (code or free text) to an allowed type, or None."""
    v = _nfc(value).casefold()
    if v in allowed:
        return v
    for kind in allowed:
        if any(word in v for word in _LIBRARY_TYPE_WORDS.get(kind, ())):
            return kind
    return None


def parse_received(value: str) -> datetime | None:
    value = _nfc(value)
    if not value:
        return None
    for candidate in (value, value.replace(" ", "T", 1)):
        try:
            stamp = datetime.fromisoformat(candidate)
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=ASTANA)
        except ValueError:
            pass
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ASTANA)
        except ValueError:
            pass
    return None


def check_age(form: dict | None, settings: Settings) -> Check:
    if not form or not str(form.get("age", "")).strip():
        return Check("age", "warn", "no age in the application form", "", "age.missing")
    raw = str(form["age"]).strip()
    try:
        age = int(float(raw))
    except ValueError:
        return Check("age", "warn", f"age {raw!r} is not a number", raw, "age.not_number", {"value": raw})
    if age <= settings.max_age:
        return Check("age", "pass", f"{age} ≤ {settings.max_age}", f"age: {age}", "age.ok",
                     {"age": age, "limit": settings.max_age})
    return Check("age", "fail", f"applicant is {age}; the contest is for librarians up to {settings.max_age}",
                 f"age: {age}", "age.over", {"age": age, "limit": settings.max_age})


def check_library_type(form: dict | None, settings: Settings) -> Check:
    if not form or not _nfc(form.get("library_type", "")):
        return Check("library_type", "warn", "no library type in the application form", "", "library_type.missing")
    value = _nfc(form["library_type"])
    kind = classify_library_type(value, settings.allowed_library_types)
    evidence = f"library_type: {value}; library: {_nfc(form.get('library', ''))}"
    if kind:
        if value.casefold() == kind:  # the form gives the code itself: no need to say it twice
            return Check("library_type", "pass", f"allowed library type ({kind})", evidence, "library_type.ok_code",
                         {"kind": kind})
        return Check("library_type", "pass", f"allowed library type ({kind})", evidence, "library_type.ok",
                     {"kind": kind, "value": value})
    return Check("library_type", "fail",
                 "library type is not one of: public library of the Ministry of Culture and Information, "
                 "university or college library", evidence, "library_type.other", {"value": value})


def check_file_name(file_name: str, settings: Settings) -> Check:
    stem = _nfc(Path(file_name).stem)
    if re.match(settings.filename_pattern, stem, re.IGNORECASE):
        return Check("file_name", "pass", "named by the rule «ЖИ байқауы_Тегі»", file_name, "file_name.ok")
    return Check("file_name", "warn", "file is not named «ЖИ байқауы_Тегі» (AI contest_Surname)", file_name,
                 "file_name.other")


def check_deadline(form: dict | None, settings: Settings, received_in: tuple[str, str] | None = None) -> Check:
    """The date received against the deadline: the letter's date when the entry came by e-mail (``received_in``:
    the date and the letter, from ``mailbox.json``), else the application form's ``received_at``."""
    raw = _nfc(received_in[0]) if received_in else _nfc((form or {}).get("received_at", ""))
    evidence = f"{raw} ({received_in[1]})" if received_in else raw
    if not raw:
        return Check("deadline", "warn", "no date received in the application form", "", "deadline.missing")
    received = parse_received(raw)
    if received is None:
        return Check("deadline", "warn", f"date received {raw!r} is not a date", evidence, "deadline.not_date",
                     {"value": raw})
    deadline = settings.deadline if settings.deadline.tzinfo else settings.deadline.replace(tzinfo=ASTANA)
    if received <= deadline:
        return Check("deadline", "pass", f"received by the deadline ({deadline.isoformat()})", evidence,
                     "deadline.ok", {"received": received.isoformat(), "deadline": deadline.isoformat()})
    late = received - deadline
    hours = late.total_seconds() / 3600
    return Check("deadline", "fail", f"received {hours:.1f} h after the deadline ({deadline.isoformat()})", evidence,
                 "deadline.late", {"received": received.isoformat(), "hours": round(hours, 1),
                                   "deadline": deadline.isoformat()})


def check_presentation_length(fmt: str, slides: int | None, duration_s: float | None, settings: Settings) -> Check:
    target = settings.presentation_minutes
    low, high = target * (1 - settings.presentation_tolerance), target * (1 + settings.presentation_tolerance)
    how_params: dict
    if fmt in ("audio", "video") and duration_s:
        minutes, how = duration_s / 60, f"duration {duration_s / 60:.1f} min"
        how_params = {"code": "length.duration", "params": {"minutes": round(minutes, 1)}}
    elif fmt == "pptx" and slides:
        minutes = slides * settings.seconds_per_slide / 60
        how = f"{slides} slides ≈ {minutes:.1f} min at {settings.seconds_per_slide:.0f} s per slide"
        how_params = {"code": "length.slides", "params": {"slides": slides, "minutes": round(minutes, 1),
                                                          "seconds": round(settings.seconds_per_slide)}}
    else:
        return Check("presentation_length", "pass", "text entry: the 3-minute limit applies to presentations", fmt,
                     "length.text")
    if low <= minutes <= high:
        return Check("presentation_length", "pass", f"about {target:g} minutes", how, "length.ok",
                     {"minutes": f"{target:g}", "how": how_params})
    side = "longer" if minutes > high else "shorter"
    return Check("presentation_length", "warn", f"{side} than the {target:g}-minute presentation", how,
                 f"length.{side}", {"target": f"{target:g}", "how": how_params})


def run_checks(*, file_name: str, fmt: str, slides: int | None, duration_s: float | None, form: dict | None,
               settings: Settings, relevance: Check | None = None,
               received_in: tuple[str, str] | None = None) -> tuple[Check, ...]:
    checks = [
        check_age(form, settings),
        check_library_type(form, settings),
        check_file_name(file_name, settings),
        check_deadline(form, settings, received_in),
        check_presentation_length(fmt, slides, duration_s, settings),
        relevance or Check("topic", "warn", "is this about AI in library services? left to the jury", "", "topic.left"),
    ]
    return tuple(checks)
