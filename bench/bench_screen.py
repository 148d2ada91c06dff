"""Pre-screening cost against one embedding pass, in the same run: for the bundled sample and for a generated batch
of N entries × ~P pages, prints the total, each stage's time (``timings_s``), and the raw cost of embedding all the
batch's chunks (entries and archive) once with the same model and dtype (``encode_document``, batch 32, no cache).
The ratio total ÷ raw embedding is the figure of issue 16 (target ≤ 1.5 with extractive notes).

    .venv/bin/python bench/bench_screen.py [--n 100] [--pages 10] [--skip-sample] [--skip-generated]
        [--embedder embeddinggemma-300m]

Each batch runs on a fresh database (cold embedding cache), notes extractive (generator none), as `screen` does.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from review_service.batch import ScreenOptions
from review_service.config import Settings

SAMPLE = ROOT / "sample_data"
PARAGRAPHS = [
    "Кітапхана оқырмандарға арналған чат-ботты жасанды интеллект негізінде іске қосты; ол түнде де жауап береді.",
    "Библиотека внедрила рекомендательную систему: нейросеть подбирает книги по истории выдачи читателя.",
    "The college library uses machine learning to suggest subject headings and to check catalogue records.",
    "Сирек қолжазбаларды цифрландыру үшін OCR және метадеректерді автоматты түрде құру қолданылды.",
    "Для читателей с нарушениями зрения новости озвучиваются синтезом речи, волонтёры помогают пожилым.",
    "Results: loans grew by a third, cataloguing time fell from 20 to 6 minutes per book, 1,200 questions answered.",
]


def generate(folder: Path, n: int, pages: int) -> None:
    """N text entries of about ``pages`` pages (~1,800 characters a page), each its own mix of topics."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        parts = []
        for p in range(pages):
            body = " ".join(PARAGRAPHS[(i * 7 + p * 3 + j) % len(PARAGRAPHS)] for j in range(15))
            parts.append(f"Page {p + 1}. Entry {i}. {body}")
        (folder / f"ЖИ байқауы_Gen{i:03d}.txt").write_text("\n\n".join(parts), encoding="utf-8")


def raw_embedding(settings: Settings, texts: list[str]) -> float:
    """Seconds to embed ``texts`` once, as sentence-transformers would on its own (no cache, no pipeline)."""
    from embeddings import load_encoder

    model = load_encoder(settings).model
    model.encode_document(texts[:4], batch_size=32)  # warm-up
    started = time.perf_counter()
    model.encode_document(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - started


def run(label: str, folder: Path, embedder: str, *, forms: Path | None = None, archive: Path | None = None,
        jurors: Path | None = None) -> None:
    from embeddings import load_encoder
    from review_service.chunking import chunk_text
    from review_service.exchange import read_corpus
    from review_service.jobs import run_in_process
    from review_service.storage import open_database

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "var", embedder=embedder)
        load_encoder(settings)  # loading the model is not part of either figure
        options = ScreenOptions(forms=forms, archive=archive, jurors=jurors, notes_lang="ru", generator="none",
                                progress=False)
        result = run_in_process(settings, folder, options, Path(tmp) / "report")
        texts = [c.text for d in result.batch.documents for c in d.chunks]
        if archive:
            texts += [c.text for d in read_corpus(archive)
                      for c in chunk_text(d.id, d.text, max_chars=settings.chunk_chars,
                                          overlap=settings.chunk_overlap_chars)]
        raw = raw_embedding(settings, texts)
        open_database(settings).close()
    t = result.report["timings_s"]
    total = t["total"]
    print(f"\n== {label}: {len(result.report['files'])} files, {len(texts)} chunks embedded once "
          f"(entries + archive), embedder {embedder}")
    print("stage times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in t.items() if k != "total"))
    print(f"total {total:.1f} s; raw embedding of all chunks once {raw:.1f} s; total / raw = {total / raw:.2f}")
    if result.report["stage_errors"]:
        print(f"stage errors: {result.report['stage_errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--embedder", default="embeddinggemma-300m")
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--skip-generated", action="store_true")
    args = ap.parse_args()
    import torch

    print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads "
          f"{torch.get_num_threads()}")
    if not args.skip_sample:
        run("sample", SAMPLE / "entries", args.embedder, forms=SAMPLE / "forms.csv", archive=SAMPLE / "archive.jsonl",
            jurors=SAMPLE / "jurors.jsonl")
    if not args.skip_generated:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "entries"
            generate(folder, args.n, args.pages)
            run(f"generated {args.n} × ~{args.pages} pages", folder, args.embedder)


if __name__ == "__main__":
    main()
