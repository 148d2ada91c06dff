"""What a pre-screening run is asked to do: :class:`ScreenOptions` (the files' forms, the archive, the jurors, the
note language, the generator, the stages to run …), as the CLI, the API and a job's parameters give them.

:data:`STAGES` are the stage names a user may choose (``screen --skip``, the API's ``skip``); they come from the
registry (:data:`review_service.batches.stage_registry.STAGES`), in the order the stages run.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review_service.batches.stage_registry import STAGES

__all__ = ["STAGES", "ScreenOptions"]


@dataclass(frozen=True)
class ScreenOptions:
    forms: Path | None = None
    archive: Path | None = None  # a JSONL of past projects instead of the archive tables
    use_archive: bool = True  # compare with the archive tables (closed and imported editions; docs/editions.md)
    jurors: Path | None = None
    jurors_per_entry: int = 3
    notes_lang: str = "ru"
    generator: str = "none"
    stages: tuple[str, ...] = STAGES
    progress: bool = True
    themes_k: int | None = None
    report_lang: str = "en"  # the interface language of report.html (screening.json is the same in every one)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("forms", "archive", "jurors"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["stages"] = list(self.stages)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScreenOptions:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("forms", "archive", "jurors"):
            if values.get(key):
                values[key] = Path(values[key])
        if "stages" in values:
            values["stages"] = tuple(values["stages"])
        return cls(**values)
