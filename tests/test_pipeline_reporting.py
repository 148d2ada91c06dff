"""The pipeline's stages come from the registry (intake and render included) and it reports through one small
protocol, :class:`~review_service.batches.reporting.Reporter`: a reporter written here sees the events in order
and stops a run from its check."""
from __future__ import annotations

from pathlib import Path

import pytest

from review_service.batches.batch import STAGES, ScreenOptions
from review_service.batches.pipeline import run_screen
from review_service.batches.reporting import (
    Event,
    FilesFailed,
    Reporter,
    StageFinished,
    StageProgress,
    StageStarted,
)
from review_service.batches.stage_registry import REGISTRY
from review_service.batches.typed_batch import BatchStopped
from tests import files as F

RU = ("Проект «Умный помощник читателя»: библиотека внедряет чат-бот на основе искусственного интеллекта, "
      "который отвечает на вопросы читателей, помогает найти книги в электронном каталоге и продлить их.")


class Recorder:
    """A reporter that keeps every event; ``stop_at``: the stage whose start makes the next check stop the run."""

    def __init__(self, stop_at: str = "") -> None:
        self.events: list[Event] = []
        self.stop_at, self.stopping = stop_at, False

    def event(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, StageStarted) and event.stage == self.stop_at:
            self.stopping = True

    def check_cancel(self) -> None:
        if self.stopping:
            raise BatchStopped("stopped by the test")


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "entries"
    d.mkdir()
    F.make_text(d / "ЖИ байқауы_Сейтова.txt", RU)
    F.make_docx(d / "ЖИ байқауы_Иванова.docx", [("Введение", [RU])])
    F.make_random_bytes(d / "ЖИ байқауы_Вирус.exe")
    return d


def test_the_registry_lists_every_stage_in_order_and_the_choosable_names_come_from_it() -> None:
    assert list(REGISTRY) == ["intake", "render", "embed", "topic", "duplicates", "themes", "matching", "notes"]
    assert STAGES == ("topic", "duplicates", "themes", "matching", "notes")
    assert ScreenOptions().stages == STAGES
    per_file = [s.name for s in REGISTRY.values() if s.per_file]
    assert per_file == ["intake", "render"]
    assert all(not s.skippable and not s.result and s.load is None for s in REGISTRY.values() if s.per_file)


def test_a_reporter_sees_the_per_file_stages_their_progress_and_the_failed_files(tmp_path: Path, settings) -> None:
    recorder: Reporter = (rec := Recorder())
    result = run_screen(_folder(tmp_path), settings, ScreenOptions(stages=(), progress=False), reporter=recorder)
    started = [e.stage for e in rec.events if isinstance(e, StageStarted)]
    assert started == ["intake", "render"]  # a DOCX is there to render; no document stage was asked for
    assert not [e for e in rec.events if isinstance(e, StageFinished)]  # per-file stages are never marked done
    intake_bars = [e for e in rec.events if isinstance(e, StageProgress) and e.desc == "intake"]
    assert intake_bars[-1].done == intake_bars[-1].total == 3
    failed = [e for e in rec.events if isinstance(e, FilesFailed)]
    assert len(failed) == 2 and [f["file_name"] for f in failed[0].errors] == ["ЖИ байқауы_Вирус.exe"]
    assert set(result.report["timings_s"]) == {"intake", "render", "total"}
    assert len(result.report["files"]) == 3


def test_a_run_without_a_file_to_render_has_no_render_stage(tmp_path: Path, settings) -> None:
    d = tmp_path / "entries"
    d.mkdir()
    F.make_text(d / "ЖИ байқауы_Сейтова.txt", RU)
    rec = Recorder()
    result = run_screen(d, settings, ScreenOptions(stages=(), progress=False), reporter=rec)
    assert [e.stage for e in rec.events if isinstance(e, StageStarted)] == ["intake"]
    assert set(result.report["timings_s"]) == {"intake", "total"}


def test_the_reporters_check_stops_the_run_between_stages(tmp_path: Path, settings) -> None:
    rec = Recorder(stop_at="intake")  # the intake bar's first update after the start stops it
    with pytest.raises(BatchStopped):
        run_screen(_folder(tmp_path), settings, ScreenOptions(stages=(), progress=False), reporter=rec)
    assert [e.stage for e in rec.events if isinstance(e, StageStarted)] == ["intake"]
    assert not [e for e in rec.events if isinstance(e, FilesFailed)]
