"""The stages of pre-screening, registered by name: each takes the typed
:class:`~review_service.batches.typed_batch.Batch` and returns a new one. A stage is a thin adaptor from the batch to
a stage module's pure function: the per-file stages (``intake``, ``render``) are in
:mod:`review_service.batches.file_stages`, the document stages (``embed`` … ``notes``) in
:mod:`review_service.batches.document_stages`.

``REGISTRY`` lists them in the order they run; the pipeline (:mod:`review_service.batches.pipeline`) runs what it
lists and knows no stage by name. Each stage says whether a user may skip it, whether it works file by file, when
it has work at all, and how its output is stored (``dump``: the payload of its ``ai_results`` row, saved with the
batch id) and read back (``load``), so a resumed job skips a finished stage and carries on with what it produced.
:data:`STAGES` — the names a user may choose — are derived from it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from review_service.batches import document_stages as docs
from review_service.batches import file_stages as files
from review_service.batches.typed_batch import Batch, Stage, StageContext


@dataclass(frozen=True)
class StageSpec:
    name: str
    run: Stage
    result: str = ""
    """The ``ai_results.stage`` its output is stored under ("" — nothing stored: run again on resume)."""
    dump: Callable[[Batch], Any] | None = None
    load: Callable[[Batch, Any, Mapping[str, Any]], Batch] | None = None
    """How a stored result is read back on resume (None: the stage runs again)."""
    skippable: bool = True
    """A user may leave it out (``screen --skip``, the API's ``skip``); the others run whenever they have work."""
    per_file: bool = False
    """Works file by file (intake, render): runs for every batch, before the document stages and whether or not any
    file gave text; reports the files that failed instead of a stage result (never marked done on a job: a resumed
    batch runs it again from the caches), and what it raises stops the batch. A document stage runs only when the
    batch has documents and the user asked for one of the skippable stages; what it raises is a stage error and
    the batch goes on."""
    applies: Callable[[StageContext, Batch], bool] | None = None
    """Whether the batch has work for it (None: always); a stage without work is not run and takes no time."""


REGISTRY: dict[str, StageSpec] = {}


def register(spec: StageSpec) -> StageSpec:
    if spec.name in REGISTRY:
        raise ValueError(f"stage {spec.name!r} is registered twice")
    REGISTRY[spec.name] = spec
    return spec


def get_stage(name: str) -> StageSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(REGISTRY)}") from None


register(StageSpec("intake", files.intake, skippable=False, per_file=True))
register(StageSpec("render", files.render, skippable=False, per_file=True, applies=files.has_renderable))
register(StageSpec("embed", docs.embed, skippable=False))
register(StageSpec("topic", docs.topic, "topic", docs.dump_topic, docs.load_topic))
register(StageSpec("duplicates", docs.duplicates, "duplicates", docs.duplicate_rows, docs.load_duplicates))
register(StageSpec("themes", docs.themes, "themes", docs.theme_rows, docs.load_themes))
register(StageSpec("matching", docs.matching, "assignment_suggestion", docs.dump_matching, docs.load_matching))
register(StageSpec("notes", docs.notes, "notes", docs.dump_notes, docs.load_notes))

STAGES: tuple[str, ...] = tuple(spec.name for spec in REGISTRY.values() if spec.skippable)
"""The stages a user may choose, in the order they run (``ScreenOptions.stages`` by default: all of them)."""
