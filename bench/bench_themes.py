"""Theme benchmark: V-measure on SIB-200 (../shared/data/topics), kk, ru and mixed kk/ru.

    .venv/bin/python bench/bench_themes.py [--split dev|train|all]     # default dev; vectors cached in bench/out

The method's settings were chosen on the train split (bench/explore_themes.py); the figures to report are on
dev (99 items, never used for a choice). Mixed: item i in Kazakh when i is even, in Russian when odd (each item
once), langs passed so each language's mean is removed.
Rows: raw = scikit-learn KMeans(k=7, seed 0) on raw document-prompt embeddings (the baseline);
product = ``assign_themes`` on clustering-prompt vectors (k chosen automatically, and k = 7 = the gold number);
product/doc-prompt = the same on document-prompt vectors (the screen's one pass); doc+map = those mapped to the
clustering space: "before" = the issue-16 map (ridge λ = 0.1 on SIB-200 kk+ru train sentences, refitted in this
run by bench/_mapfit.py), "shipped" = the resource (themes.to_clustering_space; see its .json for what it was fitted
on — never dev, never a label). Dev items are held out from both; train items are cross-fitted (each mapped by the
same recipe refitted without it: 5 folds over items, both languages of an item out together). chance = mean V of the product's auto-k themes with
labels shuffled (same sizes, 20 shuffles): V-measure is not corrected for chance and grows with k.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT.parent / "shared" / "eval")]

import _sib200 as S
from metrics import v_measure


def _v(ids: list[str], labels, gold: dict) -> float:
    return v_measure(dict(zip(ids, [int(t) for t in labels])), gold)


def _chance(ids: list[str], labels, gold: dict, times: int = 20) -> float:
    rng = np.random.default_rng(0)
    return float(np.mean([_v(ids, rng.permutation(labels), gold) for _ in range(times)]))


def _mapped_columns(rows: list[dict], doc: dict[str, np.ndarray], encoder_ref) -> dict[str, dict[str, np.ndarray]]:
    """Document vectors mapped by the issue-16 map ("before") and by the shipped recipe ("shipped"), per language.
    Rows of the train split are cross-fitted: mapped by maps fitted without their item (5 folds over items, both
    languages of an item held out together); dev rows by the map fitted on all train items (for "shipped": the
    resource itself, through ``themes.to_clustering_space``)."""
    import json

    import _mapfit as M

    from review_service.stages.themes import CLUSTERING_MAP, to_clustering_space

    meta = json.loads((ROOT / "review_service" / "resources" / CLUSTERING_MAP.format(model=encoder_ref.model_id))
                      .with_suffix(".json").read_text(encoding="utf-8"))
    sib_langs = next((s["langs"] for s in meta["sources"] if s["name"] == "sib"), ["kk", "ru"])
    recipes = {"before": (["sib"], ["kk", "ru"], "ridge", 0.1),
               "shipped": ([s["name"] for s in meta["sources"]], sib_langs, meta["method"], meta["lambda"])}
    train_ids = [str(r["id"]) for r in S.load_rows("train")]
    where = {i: n for n, i in enumerate(train_ids)}
    in_train = np.array([str(r["id"]) in where for r in rows])
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, (sources, langs, method, lam) in recipes.items():
        data = {s: M.pairs(M.source(s, langs)) for s in sources}

        def fit(held: np.ndarray, data=data, method=method, lam=lam) -> dict:
            xs, ys = [], []
            for s, (x, y, owner) in data.items():
                keep = ~np.isin(owner % len(train_ids), held) if s == "sib" else np.ones(len(x), bool)
                xs.append(x[keep])
                ys.append(y[keep])
            return M.fit(np.concatenate(xs), np.concatenate(ys), method=method, lam=lam)

        full = fit(np.array([], int))
        out[name] = {}
        for lg, x in doc.items():
            mapped = to_clustering_space(x, encoder_ref)[0] if name == "shipped" else M.apply(full, x)
            mapped = np.asarray(mapped, np.float64).copy()
            if in_train.any():
                pos = np.array([where.get(str(r["id"]), -1) for r in rows])
                for part in M.folds(len(train_ids), 5, seed=0):
                    sel = np.isin(pos, part)
                    mapped[sel] = M.apply(fit(part), x[sel])
            out[name][lg] = mapped
    return out


def main(split: str) -> None:
    from sklearn.cluster import KMeans

    from embeddings.encoder import SentenceTransformerEncoder
    from models.registry import get_spec
    from review_service.stages.themes import assign_themes

    model = "embeddinggemma-300m"  # the map is looked up by model id and revision (no model is loaded)
    encoder_ref = type("Ref", (), {"model_id": model, "revision": f"{get_spec(model).revision}+"
                                   f"{SentenceTransformerEncoder.PREPROCESSING}"})()

    rows = S.load_rows(None if split == "all" else split)
    ids = [str(r["id"]) for r in rows]
    gold = {str(r["id"]): r["category"] for r in rows}
    vec = {(lg, kind): S.vectors(rows, lg, kind) for lg in ("kk", "ru") for kind in ("document", "clustering")}
    text = {lg: S.texts(rows, lg) for lg in ("kk", "ru")}
    maps = _mapped_columns(rows, {lg: vec[(lg, "document")] for lg in ("kk", "ru")}, encoder_ref)
    sets = {}
    for lg in ("kk", "ru"):
        sets[lg] = ({kind: vec[(lg, kind)] for kind in ("document", "clustering")}, text[lg], None,
                    [m[lg] for m in maps.values()])
    mixed = {}
    for kind in ("document", "clustering"):
        mixed[kind], mtext, mlangs = S.mixed(rows, {lg: vec[(lg, kind)] for lg in ("kk", "ru")})
    sets["mixed"] = (mixed, mtext, mlangs, [S.mixed(rows, m)[0] for m in maps.values()])
    print(f"SIB-200 {split}: {len(rows)} items, 7 categories; V-measure (chance = shuffled auto-k themes); maps on "
          f"{'train items cross-fitted (5 folds over items), ' if split != 'dev' else ''}dev items fitted on train")
    print(f"{'':6s}{'raw KMeans k=7':>15s} | {'product auto k':>22s} {'k=7':>6s} {'chance':>7s} | "
          f"{'doc-prompt auto k':>22s} {'k=7':>6s} | {'map before auto k':>17s} {'k=7':>6s} | "
          f"{'map shipped auto k':>17s} {'k=7':>6s}")
    for name, (vs, texts, langs, mapped_sets) in sets.items():
        raw = KMeans(n_clusters=7, n_init=10, random_state=0).fit_predict(vs["document"])
        cells = []
        for kind in ("clustering", "document"):
            t0 = time.perf_counter()
            auto = [a.theme for a in assign_themes(vs[kind], ids, texts, langs=langs)]
            secs = time.perf_counter() - t0
            fixed = [a.theme for a in assign_themes(vs[kind], ids, texts, k=7, langs=langs)]
            cells.append((len(set(auto)), _v(ids, auto, gold), secs, _v(ids, fixed, gold), _chance(ids, auto, gold)))
        shown = []
        for mapped in mapped_sets:
            auto = [a.theme for a in assign_themes(mapped, ids, texts, langs=langs)]
            fixed = [a.theme for a in assign_themes(mapped, ids, texts, k=7, langs=langs)]
            shown.append(f"k={len(set(auto)):2d} V={_v(ids, auto, gold):.3f}      {_v(ids, fixed, gold):6.3f}")
        (k1, a1, s1, f1, c1), (k2, a2, s2, f2, _) = cells
        print(f"{name:6s}{_v(ids, raw, gold):15.3f} | k={k1:2d} V={a1:.3f} ({s1:4.1f} s) {f1:6.3f} {c1:7.3f} | "
              f"k={k2:2d} V={a2:.3f} ({s2:4.1f} s) {f2:6.3f} | {shown[0]} | {shown[1]}", flush=True)
    res = assign_themes(mixed["clustering"], ids, mtext, langs=mlangs)
    print("mixed, product themes (auto k):")
    for t in sorted({a.theme for a in res}):
        members = [i for i, a in enumerate(res) if a.theme == t]
        cats = {}
        for i in members:
            cats[rows[i]["category"]] = cats.get(rows[i]["category"], 0) + 1
        top = max(cats, key=cats.get)
        print(f"  {t:2d} n={len(members):3d} {top}:{cats[top]:<3d} {res[members[0]].label[:90]}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["dev", "train", "all"])
    main(ap.parse_args().split)
