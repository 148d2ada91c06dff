"""Prompt files: strict loading, rendering with explicit missing-variable errors, strict JSON output parsing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import prompts
from prompts import MissingPromptVariable, PromptTemplate, ask_json, load_file, load_prompt
from prompts.schema import SchemaViolation, check_schema, parse_output, repair
from review_service.core.errors import ConfigError


def test_every_language_has_note_and_repair_prompts():
    found = prompts.all_prompts()
    for lang in ("kk", "ru", "en"):
        for purpose in ("note", "repair"):
            tpl = found[(purpose, lang)]
            assert tpl.language == lang and tpl.version and tpl.name
    assert set(load_prompt("note", "ru").variables) == {"title", "sentences", "max_sentences", "max_questions"}


def test_render_names_the_missing_variable():
    tpl = load_prompt("note", "en")
    with pytest.raises(MissingPromptVariable, match="sentences"):
        tpl.render(title="x")
    text = tpl.render(title="My entry", sentences="[1] A chatbot answers readers.", max_sentences=3, max_questions=1)
    assert "My entry" in text and "[1] A chatbot answers readers." in text and "$" not in text.split("Answer")[0]


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = '''name = "t"
version = "1"
language = "en"
purpose = "note"
system = "s"
template = "Hello $who"
[output_schema]
type = "object"
required = ["a"]
additionalProperties = false
[output_schema.properties.a]
type = "string"
'''


def test_load_refuses_unknown_keys_bad_schema_and_misnamed_files(tmp_path):
    assert load_file(_write(tmp_path, "note.en.toml", GOOD)).render(who="x") == "Hello x"
    with pytest.raises(ConfigError, match="temperature"):
        load_file(_write(tmp_path, "note.en.toml", GOOD.replace('system = "s"', 'system = "s"\ntemperature = 0.3')))
    with pytest.raises(ConfigError):
        load_file(_write(tmp_path, "note.en.toml", GOOD.replace('type = "string"', 'type = "string"\nformat = "x"')))
    with pytest.raises(ConfigError, match="declares"):
        load_file(_write(tmp_path, "note.ru.toml", GOOD))
    with pytest.raises(ConfigError):
        load_prompt("nonexistent", "en")


def test_parse_output_is_strict_but_repairs_once():
    schema = load_prompt("note", "ru").output_schema
    ok = {"sentences": [{"text": "Проект создаёт чат-бот.", "sources": [1]}], "questions": []}
    assert parse_output(json.dumps(ok, ensure_ascii=False), schema) == ok
    fenced = "Вот ответ:\n```json\n" + json.dumps(ok, ensure_ascii=False)[:-1] + ",}\n```"
    assert parse_output(fenced, schema) == ok
    with pytest.raises(SchemaViolation, match="unexpected"):
        parse_output(json.dumps({**ok, "score": 5}), schema)
    with pytest.raises(SchemaViolation, match="missing"):
        parse_output(json.dumps({"questions": []}), schema)
    with pytest.raises(SchemaViolation, match="expected integer"):
        parse_output(json.dumps({"sentences": [{"text": "a", "sources": ["1"]}], "questions": []}), schema)
    with pytest.raises(ValueError, match="no JSON"):
        parse_output("I cannot answer that.", schema)
    assert repair('text {"a": "}"} more') == '{"a": "}"}'
    cut = '{"sentences": [{"text": "Один.", "sources": [1]}, {"text": "Обрыв на сере'  # hit the token limit
    assert parse_output(cut, schema) == {"sentences": [{"text": "Один.", "sources": [1]}]}


def test_check_schema_rejects_what_the_validator_does_not_implement():
    with pytest.raises(ValueError):
        check_schema({"type": "object", "additionalProperties": True})
    with pytest.raises(ValueError):
        check_schema({"type": "string", "pattern": "x"})


class Scripted:
    """A generator that replies from a list (used to exercise repair/retry, not model quality)."""

    model_id = "scripted"
    revision = "1"
    languages = ("en",)

    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts: list[str] = []
        self.prefixes: list[str] = []

    def generate(self, prompt, *, max_new_tokens=256, system="", temperature=0.0, prefix=""):
        self.prompts.append(prompt)
        self.prefixes.append(prefix)
        return self.replies.pop(0)


def test_ask_json_retries_once_then_gives_up():
    tpl = load_prompt("note", "en")
    good = json.dumps({"sentences": [{"text": "A chatbot.", "sources": [1]}], "questions": []})
    gen = Scripted(["not json at all", good])
    answer = ask_json(gen, tpl, {"title": "t", "sentences": "[1] A chatbot.", "max_sentences": 1, "max_questions": 0},
                      max_new_tokens=50)
    assert answer.value is not None and answer.attempts == 2
    assert "not json at all" in gen.prompts[1] and "no JSON" in gen.prompts[1]
    assert gen.prefixes == [tpl.answer_prefix, load_prompt("repair", "en").answer_prefix]
    assert tpl.answer_prefix.startswith('{"sentences"')
    gen = Scripted(["nope", "still nope"])
    answer = ask_json(gen, tpl, {"title": "t", "sentences": "[1] x", "max_sentences": 1, "max_questions": 0},
                      max_new_tokens=50)
    assert answer.value is None and answer.attempts == 2 and answer.error
    assert isinstance(tpl, PromptTemplate)
