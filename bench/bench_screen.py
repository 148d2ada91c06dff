"""Pre-screening cost against one embedding pass, in the same run: for the bundled sample and for a generated batch
of N entries × ~P pages, prints the total, each stage's time (``timings_s``, wall) and CPU seconds, and the raw cost
of embedding all the batch's chunks (entries and archive) once with the same model and dtype (``encode_document``,
batch 32, no cache), measured just before and just after the screen run. The ratio total ÷ raw embedding (against
the mean of the two raw runs, in wall and in CPU seconds) is the figure of issue 16 (target ≤ 1.5 with extractive
notes); results in docs/jobs.md, "Measured".

    .venv/bin/python bench/bench_screen.py [--n 100] [--pages 10] [--skip-sample] [--skip-generated]
        [--embedder embeddinggemma-300m] [--profile PREFIX]

Each batch runs on a fresh data dir (cold embedding, parse and notes caches), notes extractive (generator none), as
`screen` does; the chunk texts for the raw runs come from an intake-only run on another fresh data dir. On a shared
machine prefer the CPU ratio: wall times follow other people's load.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from review_service.batches.batch import ScreenOptions
from review_service.core.config import Settings

SAMPLE = ROOT / "sample_data"
SENTENCE_END = re.compile(r"[.!?…]$")


def _corpus_by_language() -> dict[str, list[str]]:
    """The bundled archive's texts (kk/ru/en, 115 projects) grouped by language: the generator's source."""
    import json

    out: dict[str, list[str]] = {}
    for line in (SAMPLE / "archive.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.setdefault(row["lang"], []).append(row["text"])
    return out


def _chain(texts: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """A first-order word Markov chain (word → the words that follow it) and the sentence-opening words."""
    follow: dict[str, list[str]] = {}
    starts: list[str] = []
    for text in texts:
        words = text.split()
        for i, w in enumerate(words):
            if i == 0 or SENTENCE_END.search(words[i - 1]):
                starts.append(w)
            if i + 1 < len(words):
                follow.setdefault(w, []).append(words[i + 1])
    return follow, starts


def _sentence(rng: random.Random, follow: dict[str, list[str]], starts: list[str]) -> str:
    words = [rng.choice(starts)]
    while not SENTENCE_END.search(words[-1]) and len(words) < 35:
        nxt = follow.get(words[-1])
        if not nxt:
            break
        words.append(rng.choice(nxt))
    text = " ".join(words)
    return text if SENTENCE_END.search(text) else text + "."


def generate(folder: Path, n: int, pages: int) -> None:
    """N text entries of about ``pages`` pages (~1,800 characters a page). Entry i is in Kazakh, Russian or English
    (in turn) and is written by a first-order word Markov chain over a random third of the archive's texts in that
    language (seeded by i): real words, sentence lengths and token density of the three languages, a vocabulary
    that differs between entries, and no repeated sentence or chunk — so the pipeline's content-hash cache cannot
    make its embedding cheaper than the raw baseline's, and the entries are not all duplicates of each other."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = _corpus_by_language()
    langs = ("kk", "ru", "en")
    for i in range(n):
        rng = random.Random(i)
        texts = corpus[langs[i % 3]]
        follow, starts = _chain(rng.sample(texts, max(3, len(texts) // 3)))
        parts = []
        for p in range(pages):
            paras, size = [], 0
            while size < 1800:
                para = " ".join(_sentence(rng, follow, starts) for _ in range(rng.randint(3, 6)))
                paras.append(para)
                size += len(para) + 2
            parts.append(f"Page {p + 1}. Entry {i}.\n\n" + "\n\n".join(paras))
        (folder / f"ЖИ байқауы_Gen{i:03d}.txt").write_text("\n\n".join(parts), encoding="utf-8")


def raw_embedding(settings: Settings, texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (all of this process's threads) to embed ``texts`` once, as sentence-transformers would
    on its own (no cache, no pipeline): the pipeline's model object (same weights, dtype, max length),
    ``encode_document``, batch 32, the same chunk texts with the same preprocessing (Latin-script Kazakh →
    Cyrillic). Every chunk is embedded, none deduplicated."""
    from embeddings import load_encoder
    from embeddings.encoder import embedding_text

    model = load_encoder(settings).model
    model.encode_document(texts[:4], batch_size=32)  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    model.encode_document([embedding_text(t) for t in texts], batch_size=32, normalize_embeddings=True,
                          show_progress_bar=False)
    return time.perf_counter() - started, time.process_time() - cpu


def machine() -> str:
    """CPU model and the load average now (the machine is shared: absolute times are noisy, ratios less so)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        up = ""
    return f"{cpu}; {up}"


def cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and of its finished children (LibreOffice rendering originals)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _cpu_timed_stages(cpu: dict[str, float]) -> None:
    """Wrap every registered stage so its CPU seconds (process_time: all threads) are recorded in ``cpu``: on a
    shared machine the wall times move with other people's load, CPU seconds much less."""
    from review_service.batches.stage_registry import REGISTRY

    def timed(name, fn):
        def run_stage(ctx, batch):
            t0 = time.process_time()
            try:
                return fn(ctx, batch)
            finally:
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - t0
        run_stage.__wrapped__ = fn
        return run_stage

    for name, spec in list(REGISTRY.items()):
        original = getattr(spec.run, "__wrapped__", spec.run)
        REGISTRY[name] = dataclasses.replace(spec, run=timed(name, original))


def run(label: str, folder: Path, embedder: str, *, forms: Path | None = None, archive: Path | None = None,
        jurors: Path | None = None, profile: Path | None = None) -> None:
    """Intake alone first (a throwaway data dir) to know the chunk texts; raw embedding of them; the screen run on
    a fresh data dir (cold caches); raw embedding again: the ratio is taken against the mean of the two raw runs
    that bracket the screen run, in wall and in CPU seconds."""
    from embeddings import load_encoder
    from review_service.batches.job_runner import run_in_process
    from review_service.core.exchange import read_corpus
    from review_service.intake.chunking import chunk_text

    options = ScreenOptions(forms=forms, archive=archive, jurors=jurors, notes_lang="ru", generator="none",
                            progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "intake-only", embedder=embedder)
        load_encoder(settings)  # loading the model is not part of either figure
        intake = run_in_process(settings, folder, dataclasses.replace(options, stages=()), Path(tmp) / "r0")
        texts = [c.text for d in intake.batch.documents for c in d.chunks]
    if archive:
        texts += [c.text for d in read_corpus(archive)
                  for c in chunk_text(d.id, d.text, max_chars=settings.chunk_chars,
                                      overlap=settings.chunk_overlap_chars)]
    print(f"[{time.strftime('%H:%M:%S')}] {label}: raw embedding (1) of {len(texts)} chunks; {machine()}", flush=True)
    raw1 = raw_embedding(settings, texts)
    cpu: dict[str, float] = {}
    _cpu_timed_stages(cpu)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp) / "var", embedder=embedder)
        print(f"[{time.strftime('%H:%M:%S')}] {label}: screen; {machine()}", flush=True)
        cpu0 = cpu_seconds()
        if profile:  # cProfile of the screen run only (not of the raw baseline), for `python -m pstats`
            import cProfile

            with cProfile.Profile() as prof:
                result = run_in_process(settings, folder, options, Path(tmp) / "report")
            prof.dump_stats(str(profile))
        else:
            result = run_in_process(settings, folder, options, Path(tmp) / "report")
        cpu_total = cpu_seconds() - cpu0
    screened = [c.text for d in result.batch.documents for c in d.chunks]
    assert screened == texts[:len(screened)], "the screen run's chunks differ from the intake-only run's"
    print(f"[{time.strftime('%H:%M:%S')}] {label}: raw embedding (2); {machine()}", flush=True)
    raw2 = raw_embedding(settings, texts)
    print(f"[{time.strftime('%H:%M:%S')}] {label}: done; {machine()}", flush=True)
    t = result.report["timings_s"]
    total = t["total"]
    raw = (raw1[0] + raw2[0]) / 2
    raw_cpu = (raw1[1] + raw2[1]) / 2
    print(f"\n== {label}: {len(result.report['files'])} files, {len(texts)} chunks embedded once "
          f"({len(set(texts))} distinct; entries + archive, {sum(map(len, texts))} characters), embedder {embedder}")
    print("stage wall times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in t.items() if k != "total"))
    print("stage CPU times (s):  " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
          + f", intake, rendering (LibreOffice) and the rest {cpu_total - sum(cpu.values()):.1f}")
    print(f"raw embedding of all chunks once: wall {raw1[0]:.1f} s before, {raw2[0]:.1f} s after the screen run; "
          f"CPU {raw1[1]:.1f} / {raw2[1]:.1f} s")
    print(f"total wall {total:.1f} s / raw wall {raw:.1f} s = {total / raw:.2f}; "
          f"total CPU {cpu_total:.1f} s / raw CPU {raw_cpu:.1f} s = {cpu_total / raw_cpu:.2f}", flush=True)
    if result.report["stage_errors"]:
        print(f"stage errors: {result.report['stage_errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--embedder", default="embeddinggemma-300m")
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--skip-generated", action="store_true")
    ap.add_argument("--profile", type=Path, help="write cProfile stats of each screen run to PROFILE.<label>")
    args = ap.parse_args()
    import torch

    print(f"CPU: {machine()}; {os.cpu_count()} cores, torch threads {torch.get_num_threads()}", flush=True)
    if not args.skip_sample:
        run("sample", SAMPLE / "entries", args.embedder, forms=SAMPLE / "forms.csv", archive=SAMPLE / "archive.jsonl",
            jurors=SAMPLE / "jurors.jsonl", profile=args.profile and args.profile.with_suffix(".sample"))
    if not args.skip_generated:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "entries"
            generate(folder, args.n, args.pages)
            run(f"generated {args.n} × ~{args.pages} pages", folder, args.embedder,
                profile=args.profile and args.profile.with_suffix(f".gen{args.n}x{args.pages}"))


if __name__ == "__main__":
    main()
