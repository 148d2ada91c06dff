"""DOCX/PPTX → PDF renditions (review_service/intake/renditions.py): seconds per file on the bundled sample entries, the
batch way (one soffice run per format for up to renditions.PER_CALL files) against one soffice run per file, both
with a fresh private profile per run; then the cached second pass. Also how many citation places the page map
found (sections of DOCX, slides of PPTX).

    .venv/bin/python bench/bench_render.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.core.config import Settings
from review_service.core.errors import IntakeError
from review_service.intake import renditions
from review_service.intake.parsing import parse_file
from review_service.intake.receive import sha256_of


def jobs(settings: Settings) -> list[renditions.Job]:
    out = []
    for path in sorted((ROOT / "sample_data" / "entries").iterdir()):
        if path.suffix.lower() not in (".docx", ".pptx"):
            continue
        try:
            parsed = parse_file(path, settings, declared_name=path.name)
        except IntakeError:  # the sample's empty / broken files: intake refuses them, nothing to render
            continue
        out.append(renditions.Job(sha256_of(path), path, parsed.format, parsed.blocks, parsed.slides))
    return out


def main() -> int:
    if renditions.soffice() is None:
        print("soffice not found: install libreoffice-writer-nogui and libreoffice-impress-nogui")
        return 2
    print(renditions.renderer_version())
    with tempfile.TemporaryDirectory() as tmp:
        batch = Settings(environment="test", data_dir=Path(tmp) / "batch")
        todo = jobs(batch)
        started = time.monotonic()
        made = renditions.render_batch(todo, batch)
        wall = time.monotonic() - started
        print(f"batched: {len(todo)} files ({sum(j.format == 'docx' for j in todo)} DOCX, "
              f"{sum(j.format == 'pptx' for j in todo)} PPTX) in {wall:.1f} s = {wall / len(todo):.2f} s a file; "
              f"{sum(not r.ok for r in made.values())} failed")
        started = time.monotonic()
        renditions.render_batch(todo, batch)
        print(f"cached second pass: {(time.monotonic() - started) * 1000:.1f} ms")
        single = Settings(environment="test", data_dir=Path(tmp) / "single")
        times = []
        for job in todo:
            started = time.monotonic()
            renditions.render_batch([job], single)
            times.append(time.monotonic() - started)
        print(f"one run per file: {sum(times):.1f} s = {sum(times) / len(times):.2f} s a file "
              f"(min {min(times):.2f}, max {max(times):.2f})")
        for fmt, kind in (("docx", "section"), ("pptx", "slide")):
            places = found = 0
            for job in todo:
                if job.format != fmt:
                    continue
                keys = {f"{b.anchor.kind} {int(b.anchor.start)}" for b in job.blocks if b.kind != "notes"}
                places += len(keys)
                found += sum(k in made[job.sha256].page_map for k in keys)
            print(f"{fmt}: page map found {found} of {places} {kind} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
