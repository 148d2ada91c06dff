"""Intake throughput: files/s and MB/s of `screen`'s intake (hash, keep original, parse, chunk, language, checks,
SQLite), on the bundled sample entries and on a generated set of 500 files, next to a baseline measured in the same
run: the bare parsers alone (parse_file, no storage, chunking or checks).

    .venv/bin/python bench/bench_intake.py [--n 500] [--skip-sample]

AI stages are not part of this figure (see bench_duplicates / bench_themes / bench_generate).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.batches.batch import ScreenOptions
from review_service.batches.pipeline import run_screen
from review_service.core.config import Settings
from review_service.core.errors import IntakeError
from review_service.intake.parsing import parse_file
from review_service.intake.receive import list_files

TOPICS = [
    "Библиотека внедрила чат-бот с искусственным интеллектом для ответов на вопросы читателей.",
    "Кітапхана сирек кітаптарды цифрландыру үшін нейрожелі негізіндегі OCR қолданады.",
    "The college library uses machine learning to suggest subject headings for new books.",
    "Рекомендательная система подбирает книги детям по их интересам и возрасту.",
    "Көру қабілеті нашар оқырмандарға арналған мәтінді дыбыстау қызметі.",
]


def generate(folder: Path, n: int) -> None:
    from tests import files as F

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = [" ".join(TOPICS[(i + j) % len(TOPICS)] for j in range(8)) + f" Вариант {i}." for _ in range(3)]
        kind = i % 4
        if kind == 0:
            F.make_pdf(folder / f"ЖИ байқауы_Gen{i:04d}.pdf", body)
        elif kind == 1:
            F.make_docx(folder / f"ЖИ байқауы_Gen{i:04d}.docx", [("Кіріспе", body[:2]), ("Нәтиже", body[2:])])
        elif kind == 2:
            F.make_pptx(folder / f"ЖИ байқауы_Gen{i:04d}.pptx", [(f"Слайд {s}", body[s % 3], body[(s + 1) % 3])
                                                               for s in range(8)])
        else:
            F.make_text(folder / f"ЖИ байқауы_Gen{i:04d}.txt", "\n\n".join(body))


def measure(folder: Path, label: str) -> None:
    paths = list_files(folder)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "var")
        # baseline: bare parsers (warm-up on the first file so model/lib imports are not counted)
        try:
            parse_file(paths[0], settings)
        except IntakeError:
            pass
        t0 = time.perf_counter()
        for p in paths:
            try:
                parse_file(p, settings)
            except IntakeError:
                pass
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_screen(folder, settings, ScreenOptions(stages=(), progress=False))
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_screen(folder, settings, ScreenOptions(stages=(), progress=False))  # resume: everything known
        again = time.perf_counter() - t0
    print(f"{label}: {len(paths)} files, {mb:.1f} MB")
    print(f"  bare parsers (baseline) {len(paths) / base:8.1f} files/s {mb / base:7.2f} MB/s")
    print(f"  intake (first run)      {len(paths) / full:8.1f} files/s {mb / full:7.2f} MB/s"
          f"   ratio to baseline {base / full:.2f}")
    print(f"  intake (re-run, cached) {len(paths) / again:8.1f} files/s {mb / again:7.2f} MB/s"
          f"   ratio to baseline {base / again:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--skip-sample", action="store_true")
    args = ap.parse_args()
    sample = ROOT / "sample_data" / "entries"
    if not args.skip_sample and sample.is_dir():
        measure(sample, "sample entries")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "generated"
        t0 = time.perf_counter()
        generate(folder, args.n)
        print(f"(generated {args.n} files in {time.perf_counter() - t0:.1f} s)")
        measure(folder, f"generated set of {args.n}")


if __name__ == "__main__":
    main()
