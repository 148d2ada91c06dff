"""Exploration behind the clustering map's recipe (bench/fit_clustering_map.py): which fitting data, method,
strength and pooling make the screen's themes (document-prompt chunks, one pass) closest to the ``themes``
command's (clustering-prompt chunks), on the sample archive's multi-chunk projects.

    .venv/bin/python bench/explore_clustering_map.py [--reps 3] [--folds 5]

Cross-fitting over projects: the archive's 115 projects are split into ``--folds`` parts; each part's chunks are
mapped by a map fitted on the other parts' chunks (plus the other sources named, never the part itself), then all
115 entries are clustered together and scored against the gold topic (V-measure, auto k and k = 11). Repeated
over ``--reps`` random partitions: mean ± standard deviation. No topic label is used for fitting; a row's "centred
cos" is the held-out cosine between mapped and true clustering-prompt archive chunk vectors, the fitted mean
removed from both (the label-free criterion the fitting script uses to choose λ).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT.parent / "shared" / "eval")]

import _mapfit as M
from metrics import v_measure


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated variant names to run")
    args = ap.parse_args()
    from review_service.stages.themes import assign_themes

    ids, gold, langs, texts, groups, ax, ay, owner = M.archive_frame()
    extra = {"sib": M.pairs(M.source("sib"))[:2], "entries": M.pairs(M.source("entries"))[:2]}

    def score(vec: np.ndarray) -> tuple[float, float, int]:
        auto = [a.theme for a in assign_themes(vec, ids, texts, langs=langs)]
        k11 = [a.theme for a in assign_themes(vec, ids, texts, k=11, langs=langs)]
        v = lambda lab: v_measure(dict(zip(ids, [int(t) for t in lab])), gold)
        return v(auto), v(k11), len(set(auto))

    per_doc = lambda v: [v[owner == i] for i in range(len(groups))]
    base = {"clustering": M.pool(per_doc(ay)), "document": M.pool(per_doc(ax))}
    print(f"archive: {len(ids)} projects, {len(ax)} chunks; sib {len(extra['sib'][0])} pairs, "
          f"entries {len(extra['entries'][0])} chunk pairs")
    for name, vec in base.items():
        a, k, kk = score(vec)
        print(f"{name:48s} auto {a:.3f} (k={kk:2d})  k=11 {k:.3f}", flush=True)

    # name: (sources besides the archive's other folds, use archive?, method, lambda, pooling, archive weight)
    variants = {
        "sib ridge 0.1, map(mean) [before]": (["sib"], False, "ridge", 0.1, "map-of-mean", 1),
        "sib ridge 0.1, mean(map)": (["sib"], False, "ridge", 0.1, "mean-unit", 1),
        "sib ridge-id 0.1, mean(map)": (["sib"], False, "ridge-id", 0.1, "mean-unit", 1),
        "sib+arch ridge 0.1, mean(map)": (["sib"], True, "ridge", 0.1, "mean-unit", 1),
        "sib+arch ridge-id 0.1, map(mean)": (["sib"], True, "ridge-id", 0.1, "map-of-mean", 1),
        "sib+arch ridge-id 0.1, mean(map)": (["sib"], True, "ridge-id", 0.1, "mean-unit", 1),
        "sib+arch ridge-id 0.03, mean(map)": (["sib"], True, "ridge-id", 0.03, "mean-unit", 1),
        "sib+arch ridge-id 0.3, mean(map)": (["sib"], True, "ridge-id", 0.3, "mean-unit", 1),
        "sib+arch procrustes, mean(map)": (["sib"], True, "procrustes", 0, "mean-unit", 1),
        "sib+arch+entries ridge-id 0.1, mean(map)": (["sib", "entries"], True, "ridge-id", 0.1, "mean-unit", 1),
        "arch only ridge-id 0.1, mean(map)": ([], True, "ridge-id", 0.1, "mean-unit", 1),
    }
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    for name, (srcs, use_arch, method, lam, pooling, aw) in variants.items():
        if only and name not in only:
            continue
        res, coss = [], []
        for rep in range(args.reps):
            mapped = np.zeros((len(ids), ax.shape[1]))
            for part in M.folds(len(groups), args.folds, seed=rep):
                held = np.isin(owner, part)
                xs = [extra[s][0] for s in srcs] + ([ax[~held]] if use_arch else [])
                ys = [extra[s][1] for s in srcs] + ([ay[~held]] if use_arch else [])
                wts = [np.ones(len(extra[s][0])) for s in srcs] + ([np.full((~held).sum(), aw)] if use_arch else [])
                m = M.fit(np.concatenate(xs), np.concatenate(ys), method=method, lam=lam,
                          weights=np.concatenate(wts))
                coss.append(M.centred_cos(m, ax[held], ay[held]))
                for i in part:
                    if pooling == "map-of-mean":
                        mapped[i] = M.apply(m, M.pool([ax[owner == i]], "mean"))[0]
                    else:
                        mapped[i] = M.pool([M.apply(m, ax[owner == i])], "mean-unit")[0]
                if len(srcs) and not use_arch:
                    break  # the map does not depend on the fold: one fit maps every project
            if len(srcs) and not use_arch:
                for i in range(len(groups)):
                    if pooling == "map-of-mean":
                        mapped[i] = M.apply(m, M.pool([ax[owner == i]], "mean"))[0]
                    else:
                        mapped[i] = M.pool([M.apply(m, ax[owner == i])], "mean-unit")[0]
            res.append(score(mapped))
            if len(srcs) and not use_arch:
                break
        r = np.array(res)
        print(f"{name:48s} auto {r[:, 0].mean():.3f} ± {r[:, 0].std():.3f} (k={r[:, 2].mean():4.1f})  "
              f"k=11 {r[:, 1].mean():.3f} ± {r[:, 1].std():.3f}  held-out centred cos {np.mean(coss):.3f}",
              flush=True)


if __name__ == "__main__":
    main()
