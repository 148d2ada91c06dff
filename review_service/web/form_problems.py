"""A form's validation errors in the interface language: which field (and the anchor its message links to) and
what is wrong — for the organizer forms that validate through pydantic (the rubric's criteria, a new account)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from .render import marked as _

FIELDS = {"id": _("identifier"), "name": _("name"), "description": _("description"), "weight": _("weight"),
          "min": _("minimum"), "max": _("maximum"), "step": _("step"), "comment_required": _("comment"),
          "login": _("login"), "role": _("role"), "juror_id": _("juror id"), "password": _("password")}
PROBLEMS = {"missing": _("required"), "string_too_short": _("required"), "float_parsing": _("a number is needed"),
            "float_type": _("a number is needed"), "finite_number": _("a number is needed"),
            "greater_than": _("must be greater than %(gt)s"), "less_than_equal": _("must be at most %(le)s"),
            "string_too_long": _("too long (at most %(max_length)s characters)"),
            "literal_error": _("choose one of the offered values")}
PATTERNS = {"id": _("lowercase Latin letters, digits and _ only"),
            "login": _("one word: Latin letters, digits and . _ @ - only")}
RULE_PROBLEMS = (("needs a name", "name", _("a name is needed in Kazakh, Russian and English")),
                 ("min must be below max", "min", _("the minimum must be below the maximum")),
                 ("whole number of steps", "max", _("the maximum must be the minimum plus a whole number of steps")))


def form_problems(exc: ValidationError, anchor: Callable[[str], str]) -> list[dict[str, Any]]:
    """A pydantic error → translatable messages: which field (anchor for the link), what is wrong."""
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        problem = PROBLEMS.get(err["type"], _("not valid"))
        if err["type"] == "string_pattern_mismatch":
            problem = PATTERNS.get(field, _("not valid"))
        if err["type"] == "value_error":
            msg = str(err.get("msg", ""))
            field, problem = next(((f, p) for text, f, p in RULE_PROBLEMS if text in msg), (field, _("not valid")))
        out.append({"anchor": anchor(field), "field": FIELDS.get(field, ""), "problem": problem, "params": ctx})
    return out
