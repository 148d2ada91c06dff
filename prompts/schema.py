"""A strict validator for the small JSON-schema subset prompt outputs use, and a one-step JSON repair.

Supported keywords: ``type`` (object, array, string, integer, number, boolean), ``properties``,
``required``, ``additionalProperties: false``, ``items``, ``minItems``, ``maxItems``, ``minLength``,
``maxLength``, ``minimum``. Anything else in a schema is refused when the prompt file loads, so a schema
never silently means less than it says.
"""
from __future__ import annotations

import json
import re
from typing import Any

KNOWN_KEYS = {"type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
              "minLength", "maxLength", "minimum", "description"}
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,),
}


class SchemaViolation(ValueError):
    """The output parsed as JSON but does not match the schema (message says where)."""


def check_schema(schema: Any, where: str = "$") -> None:
    """Raise ValueError if ``schema`` uses keywords or types this validator does not implement."""
    if not isinstance(schema, dict):
        raise ValueError(f"{where}: a schema must be a table/object")  # noqa: TRY004
    unknown = set(schema) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{where}: unsupported schema keyword(s) {sorted(unknown)}")
    if schema.get("type") not in _TYPES:
        raise ValueError(f"{where}: type must be one of {sorted(_TYPES)}")
    for key, sub in (schema.get("properties") or {}).items():
        check_schema(sub, f"{where}.{key}")
    if "items" in schema:
        check_schema(schema["items"], f"{where}[]")
    if schema.get("additionalProperties", False) not in (False,):
        raise ValueError(f"{where}: additionalProperties must be false (outputs are strict)")


def validate(value: Any, schema: dict, where: str = "$") -> None:
    kind = schema["type"]
    ok = isinstance(value, _TYPES[kind]) and not (kind in ("integer", "number") and isinstance(value, bool))
    if not ok:
        raise SchemaViolation(f"{where}: expected {kind}, got {type(value).__name__}")
    if kind == "object":
        props = schema.get("properties") or {}
        missing = [k for k in schema.get("required", []) if k not in value]
        if missing:
            raise SchemaViolation(f"{where}: missing key(s) {missing}")
        extra = [k for k in value if k not in props]
        if extra:
            raise SchemaViolation(f"{where}: unexpected key(s) {extra}")
        for k, v in value.items():
            validate(v, props[k], f"{where}.{k}")
    elif kind == "array":
        if len(value) < schema.get("minItems", 0):
            raise SchemaViolation(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaViolation(f"{where}: more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{i}]")
    elif kind == "string":
        if len(value) < schema.get("minLength", 0):
            raise SchemaViolation(f"{where}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise SchemaViolation(f"{where}: longer than {schema['maxLength']} characters")
    elif kind in ("integer", "number") and "minimum" in schema and value < schema["minimum"]:
        raise SchemaViolation(f"{where}: below {schema['minimum']}")


def _structure(text: str) -> tuple[list[tuple[int, str]], bool]:
    """Positions of the brackets ``{}[]`` outside JSON strings, and whether ``text`` ends inside a string."""
    marks: list[tuple[int, str]] = []
    in_str = esc = False
    for i, c in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "{}[]":
            marks.append((i, c))
    return marks, in_str


def _balanced_object(text: str) -> str | None:
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    for i, c in _structure(text[start:])[0]:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start:start + i + 1]
    return None


def _close_truncated(body: str) -> str | None:
    """An answer cut off by the token limit: keep it up to the last complete ``}``, close what is open."""
    start = body.find("{")
    if start < 0:
        return None
    ends = [i for i in range(len(body) - 1, start, -1) if body[i] == "}"][:30]
    for end in ends:
        prefix = body[start:end + 1]
        marks, in_str = _structure(prefix)
        stack: list[str] = []
        for _, c in marks:
            if c in "{[":
                stack.append("}" if c == "{" else "]")
            elif stack:
                stack.pop()
        if in_str:
            continue
        candidate = re.sub(r",(\s*[}\]])", r"\1", prefix + "".join(reversed(stack)))
        try:
            json.loads(candidate)
        except json.JSONDecodeError:
            continue
        return candidate
    return None


def repair(text: str) -> str | None:
    """One mechanical repair: drop code fences and chatter around the first balanced object and trailing
    commas; an answer cut off by the token limit keeps its complete items and is closed."""
    body = re.sub(r"```(?:json)?", "", text)
    obj = _balanced_object(body)
    if obj is None:
        return _close_truncated(body)
    return re.sub(r",(\s*[}\]])", r"\1", obj)


def parse_output(text: str, schema: dict) -> dict:
    """Parse a model's answer strictly; one mechanical repair is allowed. Raises ValueError with the reason."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        fixed = repair(text)
        if fixed is None:
            raise ValueError("the answer holds no JSON object") from None
        try:
            value = json.loads(fixed)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the answer is not valid JSON even after repair: {exc}") from None
    validate(value, schema)
    return value
