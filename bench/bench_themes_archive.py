"""Themes on multi-passage entries of the contest's own domain: the sample archive (sample_data/archive.jsonl,
115 past projects in kk/ru/en, 11 gold topics), each entry pooled from its 900-character chunk vectors as in the
screen. Compares, in one run, the vectors themes can use:

- clustering: chunks embedded with the clustering prompt (the ``themes`` command; the screen before issue 16);
- document: the document-prompt chunk vectors, averaged (the screen's one embedding pass, no map);
- before: the issue-16 map (ridge λ = 0.1 on SIB-200 kk+ru train sentences, refitted here), applied to the
  entry's mean document vector;
- after, cross-fitted: the shipped recipe (method, λ and sources from resources/clustering_map_*.json), with the
  archive's own chunks cross-fitted: the projects are split in 5 parts, each part's chunks mapped by a map fitted
  on the other parts' chunks (plus the other sources), each chunk mapped then averaged per entry; repeated over
  5 random partitions, mean ± standard deviation. This is the figure for archives the map has not seen;
- after, shipped: the shipped resource through the product's code (``themes.pooled_clustering_vectors``); its
  fitting data include this archive's chunks (text only, no topic), so this row is in-sample.

    .venv/bin/python bench/bench_themes_archive.py [--reps 5]       # vectors cached in bench/out

V-measure against the gold topic, with k chosen automatically and with k = 11 (the gold number); langs passed so
each language's mean is removed. "chance": the auto-k clustering's labels shuffled (V grows with k).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT.parent / "shared" / "eval")]

import _mapfit as M
from metrics import v_measure

FOLDS = 5


def main(reps: int) -> None:
    from review_service.stages.themes import CLUSTERING_MAP, assign_themes, pooled_clustering_vectors

    ids, gold, langs, texts, groups, ax, ay, owner = M.archive_frame()
    chunks_of = lambda v: [v[owner == i] for i in range(len(groups))]
    model = "embeddinggemma-300m"
    meta = json.loads((ROOT / "review_service" / "resources" / CLUSTERING_MAP.format(model=model))
                      .with_suffix(".json").read_text(encoding="utf-8"))
    others = [s["name"] for s in meta["sources"] if s["name"] != "archive"]
    langs_sib = next((s["langs"] for s in meta["sources"] if s["name"] == "sib"), ["kk", "ru"])
    extra = [M.pairs(M.source(s, langs_sib))[:2] for s in others]
    use_archive = any(s["name"] == "archive" for s in meta["sources"])

    def v(labels) -> float:
        return v_measure(dict(zip(ids, [int(t) for t in labels])), gold)

    rng = np.random.default_rng(0)

    def score(vec: np.ndarray) -> tuple[int, float, float, float]:
        auto = [a.theme for a in assign_themes(vec, ids, texts, langs=langs)]
        k11 = [a.theme for a in assign_themes(vec, ids, texts, k=11, langs=langs)]
        chance = float(np.mean([v(rng.permutation(auto)) for _ in range(20)]))
        return len(set(auto)), v(auto), chance, v(k11)

    sib = M.pairs(M.source("sib", ["kk", "ru"]))
    before = M.fit(sib[0], sib[1], method="ridge", lam=0.1)
    variants = {
        "clustering prompt": M.pool(chunks_of(ay), "mean"),
        "document prompt": M.pool(chunks_of(ax), "mean"),
        "before: SIB map": M.apply(before, M.pool(chunks_of(ax), "mean")),
    }
    print(f"sample archive: {len(ids)} entries ({len(ax)} chunks), {len(set(gold.values()))} gold topics, "
          f"langs { {lg: langs.count(lg) for lg in sorted(set(langs))} }")
    print(f"shipped map: {meta['method']} λ={meta['lambda']:g}, sources "
          f"{', '.join(s['name'] + ' ' + str(s['pairs']) for s in meta['sources'])} ({meta['date']})")
    print(f"{'vectors':34s} {'auto k':>7s} {'V':>13s} {'chance':>7s} {'V k=11':>13s}")
    for name, vec in variants.items():
        k, a, c, f = score(vec)
        print(f"{name:34s} {k:7d} {a:13.3f} {c:7.3f} {f:13.3f}", flush=True)
    res = []
    for rep in range(reps):
        mapped = np.zeros_like(variants["document prompt"])
        for part in M.folds(len(groups), FOLDS, seed=rep):
            held = np.isin(owner, part)
            xs = [e[0] for e in extra] + ([ax[~held]] if use_archive else [])
            ys = [e[1] for e in extra] + ([ay[~held]] if use_archive else [])
            m = M.fit(np.concatenate(xs), np.concatenate(ys), method=meta["method"], lam=meta["lambda"])
            for i in part:
                mapped[i] = M.pool([M.apply(m, ax[owner == i])], "mean")[0]
        res.append(score(mapped))
    r = np.array(res)
    print(f"{'after: cross-fitted (' + str(reps) + ' × ' + str(FOLDS) + '-fold)':34s} {r[:, 0].mean():7.1f} "
          f"{r[:, 1].mean():6.3f} ± {r[:, 1].std():.3f} {r[:, 2].mean():7.3f} {r[:, 3].mean():6.3f} ± "
          f"{r[:, 3].std():.3f}", flush=True)
    enc = type("Ref", (), {"model_id": model, "revision": meta["revision"]})()
    shipped, how = pooled_clustering_vectors(chunks_of(ax), enc)
    assert "mapped" in how, how
    k, a, c, f = score(shipped)
    print(f"{'after: shipped (in-sample text)':34s} {k:7d} {a:13.3f} {c:7.3f} {f:13.3f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    main(ap.parse_args().reps)
