"""Themes on multi-passage entries of the contest's own domain: the sample archive (sample_data/archive.jsonl,
115 past projects in kk/ru/en, 11 gold topics), each entry the mean of its 900-character chunk vectors as in the
screen. Compares, in one run, the vectors themes can use:

- clustering: chunks embedded with the clustering prompt (the ``themes`` command; the screen before issue 16);
- document: the document-prompt chunk vectors (the screen's one embedding pass, as merged in issue 16);
- document+map: the same, mapped to the clustering space (``themes.to_clustering_space``; fitted on SIB-200
  sentences, never on this archive).

    .venv/bin/python bench/bench_themes_archive.py          # vectors cached in bench/out

V-measure against the gold topic, with k chosen automatically and with k = 11 (the gold number); langs passed so
each language's mean is removed. "chance": the auto-k clustering's labels shuffled (V grows with k).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT.parent / "shared" / "eval")]

from metrics import v_measure


def main() -> None:
    from _cache import cached_encoder

    from review_service.chunking import chunk_text
    from review_service.themes import assign_themes, to_clustering_space

    rows = [json.loads(x) for x in (ROOT / "sample_data" / "archive.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in rows]
    gold = {r["id"]: r["topic"] for r in rows}
    langs = [r["lang"] for r in rows]
    texts = [r["text"] for r in rows]
    chunks = [[c.text for c in chunk_text(r["id"], r["text"], max_chars=900, overlap=150)] for r in rows]
    flat = [t for cs in chunks for t in cs]
    encoder = cached_encoder()

    def means(kind: str) -> np.ndarray:
        v = encoder.encode(flat, kind=kind)
        out, at = [], 0
        for cs in chunks:
            m = v[at:at + len(cs)].mean(0)
            out.append(m / (np.linalg.norm(m) or 1.0))
            at += len(cs)
        return np.stack(out)

    doc = means("document")
    variants = {"clustering": means("clustering"), "document": doc,
                "document+map": to_clustering_space(doc, encoder.inner)[0]}

    def v(labels) -> float:
        return v_measure(dict(zip(ids, [int(t) for t in labels])), gold)

    rng = np.random.default_rng(0)
    print(f"sample archive: {len(rows)} entries ({len(flat)} chunks), {len(set(gold.values()))} gold topics, "
          f"langs { {lg: langs.count(lg) for lg in sorted(set(langs))} }")
    print(f"{'vectors':14s} {'auto k':>7s} {'V':>6s} {'chance':>7s} {'V k=11':>7s}")
    for name, vec in variants.items():
        auto = [a.theme for a in assign_themes(vec, ids, texts, langs=langs)]
        k11 = [a.theme for a in assign_themes(vec, ids, texts, k=11, langs=langs)]
        chance = float(np.mean([v(rng.permutation(auto)) for _ in range(20)]))
        print(f"{name:14s} {len(set(auto)):7d} {v(auto):6.3f} {chance:7.3f} {v(k11):7.3f}", flush=True)


if __name__ == "__main__":
    main()
