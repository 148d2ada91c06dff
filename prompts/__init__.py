"""Versioned prompt templates: one TOML file per (purpose, language) in ``prompts/templates``.

Each file is loaded into a strict model (unknown keys refused): ``name``, ``version``, ``language``,
``purpose``, ``system``, ``template`` and ``output_schema`` (the JSON the model must answer with, in the
schema subset of :mod:`prompts.schema`). Templates use ``$variable`` placeholders; rendering with a
variable missing raises :class:`MissingPromptVariable` naming it. A file is named ``<purpose>.<lang>.toml``.

:func:`ask_json` sends a rendered prompt, parses the answer strictly (one mechanical repair), retries once
with the ``repair`` prompt of the same language, and returns ``None`` when that fails too, so the caller
takes its extractive path.
"""
from __future__ import annotations

import logging
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from review_service.core.errors import ConfigError, GeneratorError

from .schema import check_schema, parse_output

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PromptLang = Literal["kk", "ru", "en"]


class MissingPromptVariable(ConfigError):
    code = "prompt_variable_missing"


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    language: PromptLang
    purpose: str
    system: str
    template: str
    output_schema: dict[str, Any]
    answer_prefix: str = ""
    """How the JSON answer begins; a local model's reply is started with it (it then only continues the
    object, which a 1.5B model gets right far more often than an object from scratch)."""

    @field_validator("output_schema")
    @classmethod
    def _schema_ok(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_schema(value)
        return value

    @model_validator(mode="after")
    def _placeholders_ok(self) -> PromptTemplate:
        tpl = string.Template(self.template)
        if not tpl.is_valid():
            raise ValueError("template has an invalid $placeholder")
        return self

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(string.Template(self.template).get_identifiers()))

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **variables: Any) -> str:
        missing = [v for v in self.variables if v not in variables]
        if missing:
            raise MissingPromptVariable(
                f"prompt {self.ref} ({self.language}) needs variable(s) {', '.join(missing)}",
                hint=f"pass {', '.join(missing)} when rendering it",
            )
        return string.Template(self.template).substitute({k: str(v) for k, v in variables.items()})


def load_file(path: Path) -> PromptTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        tpl = PromptTemplate.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError, ValueError) as exc:
        raise ConfigError(f"prompt file {path.name} is invalid: {exc}") from exc
    expected = f"{tpl.purpose}.{tpl.language}.toml"
    if path.name != expected:
        raise ConfigError(f"prompt file {path.name} declares purpose/language of {expected}")
    return tpl


@lru_cache(maxsize=1)
def _all(directory: str) -> dict[tuple[str, str], PromptTemplate]:
    out: dict[tuple[str, str], PromptTemplate] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        tpl = load_file(path)
        out[(tpl.purpose, tpl.language)] = tpl
    return out


def all_prompts(directory: Path = TEMPLATES_DIR) -> dict[tuple[str, str], PromptTemplate]:
    return dict(_all(str(directory)))


def load_prompt(purpose: str, lang: str, directory: Path = TEMPLATES_DIR) -> PromptTemplate:
    found = _all(str(directory))
    try:
        return found[(purpose, lang)]
    except KeyError:
        known = ", ".join(f"{p}.{lg}" for p, lg in sorted(found))
        raise ConfigError(f"no prompt for purpose {purpose!r} in language {lang!r}; known: {known}") from None


@dataclass(frozen=True)
class JsonAnswer:
    """A parsed, schema-valid answer, the number of generator calls it took, and what went wrong first."""

    value: dict[str, Any] | None
    attempts: int
    error: str = ""


def _prefix(prefix: str) -> dict[str, str]:
    return {"prefix": prefix} if prefix else {}


def ask_json(generator, prompt: PromptTemplate, variables: dict[str, Any], *, max_new_tokens: int,
             retry: bool = True) -> JsonAnswer:
    """Ask for JSON matching ``prompt.output_schema``; repair, then retry once; ``value=None`` means fall back."""
    text = prompt.render(**variables)
    try:
        raw = generator.generate(text, system=prompt.system, max_new_tokens=max_new_tokens,
                                 **_prefix(prompt.answer_prefix))
    except GeneratorError as exc:
        logger.warning("generator failed: %s", exc)
        return JsonAnswer(None, 1, str(exc))
    try:
        return JsonAnswer(parse_output(raw, prompt.output_schema), 1)
    except ValueError as exc:
        first_error = str(exc)
    if not retry:
        return JsonAnswer(None, 1, first_error)
    logger.info("answer to %s did not parse (%s); retrying once; it began: %r", prompt.ref, first_error, raw[:300])
    fix = load_prompt("repair", prompt.language)
    fix_text = fix.render(request=text, previous=raw[:2000], error=first_error)
    try:
        raw2 = generator.generate(fix_text, system=prompt.system, max_new_tokens=max_new_tokens,
                                  **_prefix(fix.answer_prefix))
        return JsonAnswer(parse_output(raw2, prompt.output_schema), 2, first_error)
    except (GeneratorError, ValueError) as exc:
        logger.warning("answer to %s unusable after one retry (%s); falling back", prompt.ref, exc)
        return JsonAnswer(None, 2, f"{first_error}; retry: {exc}")


__all__ = [
    "TEMPLATES_DIR",
    "JsonAnswer",
    "MissingPromptVariable",
    "PromptTemplate",
    "all_prompts",
    "ask_json",
    "load_file",
    "load_prompt",
    "parse_output",
]
