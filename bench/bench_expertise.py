"""Expertise benchmark: the affinity's ranking loss on the gold-standard reviewer data (Stelmakh et al. 2023).

Reviewers become jurors (their papers are the works), rated papers become entries; for each variant the
predictions file ``{reviewer: {paper: score}}`` is written and scored with ../shared/eval/metrics.py
``expertise_loss`` (lower is better; published, all 58 researchers: SPECTER2+SciNCL 0.21, constant 0.50).

    .venv/bin/python bench/bench_expertise.py [--data ../shared/data/expertise] [--quick]

Embeddings are cached on disk (bench/out/emb_cache.npz) so variants and re-runs do not re-encode.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from review_service.core.domain import Document, Juror
from review_service.stages.matching.affinity import compute_affinity

OUT = ROOT / "bench" / "out"


class DiskCache:
    """get_many/put_many over an .npz file, for CachedEncoder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as z:
                self.store = {k: z[k] for k in z.files}
        self.dirty = False

    def get_many(self, keys, model_id):
        out = {}
        for k in keys:  # model ids may carry "@revision"; older entries were stored without it
            for name in (f"{model_id}:{k}", f"{model_id.split('@')[0]}:{k}"):
                if name in self.store:
                    out[k] = self.store[name]
                    break
        return out

    def put_many(self, items, model_id):
        self.store.update({f"{model_id}:{k}": v for k, v in items.items()})
        self.dirty = True
        self.save()

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, **self.store)
            os.replace(tmp, self.path)
            self.dirty = False


def load_metrics():
    spec = importlib.util.spec_from_file_location("metrics", ROOT.parent / "shared" / "eval" / "metrics.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def load(data: Path, title_only: bool = False) -> tuple[list[Juror], list[Document]]:
    def text(p: dict) -> str:
        return "" if title_only else (p.get("abstract") or "")

    jurors = []
    for line in (data / "reviewers.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        works = tuple(Document(id=p["id"], title=p.get("title") or "", text=text(p)) for p in r["papers"])
        jurors.append(Juror(id=str(r["id"]), works=works))
    entries = [Document(id=s["id"], title=s.get("title") or "", text=text(s))
               for s in map(json.loads, (data / "submissions.jsonl").read_text(encoding="utf-8").splitlines())]
    return jurors, entries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "expertise")
    ap.add_argument("--quick", action="store_true", help="only the default variant")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from embeddings.encoder import CachedEncoder, load_encoder

    metrics = load_metrics()
    refs = metrics.read_ratings(str(args.data / "ratings.tsv"))
    cache = DiskCache(OUT / "emb_cache.npz")
    encoder = CachedEncoder(load_encoder(), cache)
    variants: list[tuple[str, dict, bool]] = [
        ("default: top-5 mean, item-level lexical 0.3", {}, False)]
    if not args.quick:
        variants += [  # cheap ones first (embeddings cached), then those that need new encodings
            ("semantic only, max (top-1)", {"top_items": 1, "lexical_weight": 0.0}, False),
            ("semantic only, top-3 mean", {"top_items": 3, "lexical_weight": 0.0}, False),
            ("semantic only, top-5 mean", {"top_items": 5, "lexical_weight": 0.0}, False),
            ("top-3 mean, lexical 0.3", {"top_items": 3}, False),
            ("top-4 mean, lexical 0.3", {"top_items": 4}, False),
            ("top-5 mean, lexical 0.2", {"lexical_weight": 0.2}, False),
            ("top-5 mean, lexical 0.4", {"lexical_weight": 0.4}, False),
            ("lexical only, top-5 mean", {"lexical_weight": 1.0}, False),
            ("titles only (default settings)", {}, True),
            ("entry=document prompt (default settings)", {"entry_kind": "document"}, False),
        ]
    data_cache: dict[bool, tuple] = {}
    print(f"{'variant':52s} {'loss':>7s} {'easy':>6s} {'hard':>6s} {'sec':>6s}")
    for name, kw, title_only in variants:
        if title_only not in data_cache:
            data_cache[title_only] = load(args.data, title_only)
        jurors, entries = data_cache[title_only]
        t0 = time.perf_counter()
        aff = compute_affinity(jurors, entries, encoder, **kw)
        pred = {j: {e: float(aff.scores[a, b]) for b, e in enumerate(aff.entry_ids)}
                for a, j in enumerate(aff.juror_ids)}
        slug = "".join(c if c.isalnum() else "_" for c in name)[:40]
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"expertise_pred_{slug}.json").write_text(json.dumps(pred))
        m = metrics.expertise_loss(pred, refs)
        print(f"{name:52s} {m['loss']:7.4f} {m['easy_acc']:6.3f} {m['hard_acc']:6.3f} "
              f"{time.perf_counter() - t0:6.1f}", flush=True)
    print("published (all 58 researchers): SPECTER2+SciNCL 0.21, SPECTER2 0.22, TPMS 0.28; constant 0.50")


if __name__ == "__main__":
    main()
