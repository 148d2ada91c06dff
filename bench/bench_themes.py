"""Theme benchmark: V-measure on SIB-200 (../shared/data/topics), kk, ru and mixed kk/ru.

    .venv/bin/python bench/bench_themes.py [N]     # N items (default 400: the first N rows), vectors cached

Mixed: item i is taken in Kazakh when i is even, in Russian when odd (each item once), langs passed to
``assign_themes`` so each language's mean is removed. Product = ``assign_themes`` (k chosen automatically, and
k = 7 = the number of gold categories); raw = scikit-learn KMeans(k=7, seed 0) on the raw embeddings.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "eval"))

from metrics import v_measure  # noqa: E402

from review_service.normalize import normalize_text  # noqa: E402


def main(n: int = 400) -> None:
    from sklearn.cluster import KMeans

    from _cache import cached_encoder
    from review_service.dedup.semantic import encode_texts
    from review_service.themes import assign_themes

    rows = [json.loads(line) for line in open(SHARED / "data/topics/sib200.jsonl", encoding="utf-8")][:n]
    gold = {str(r["id"]): r["category"] for r in rows}
    ids = [str(r["id"]) for r in rows]
    enc = cached_encoder()
    vec = {lang: encode_texts([normalize_text(r[lang]) for r in rows], enc) for lang in ("kk", "ru")}
    text = {lang: [normalize_text(r[lang]) for r in rows] for lang in ("kk", "ru")}
    pick = np.array([i % 2 == 0 for i in range(len(rows))])
    vec["mixed"] = np.where(pick[:, None], vec["kk"], vec["ru"])
    text["mixed"] = [a if p else b for a, b, p in zip(text["kk"], text["ru"], pick)]
    langs = {"kk": None, "ru": None, "mixed": ["kk" if p else "ru" for p in pick]}
    print(f"SIB-200, first {len(rows)} items, 7 categories")
    for name in ("kk", "ru", "mixed"):
        t0 = time.perf_counter()
        auto = assign_themes(vec[name], ids, text[name], langs=langs[name])
        t_auto = time.perf_counter() - t0
        fixed = assign_themes(vec[name], ids, text[name], k=7, langs=langs[name])
        raw = KMeans(n_clusters=7, n_init=10, random_state=0).fit_predict(vec[name])
        v_auto = v_measure({a.id: a.theme for a in auto}, gold)
        v_fixed = v_measure({a.id: a.theme for a in fixed}, gold)
        v_raw = v_measure(dict(zip(ids, raw.tolist())), gold)
        k_auto = len({a.theme for a in auto})
        print(f"{name:5s}  assign_themes auto k={k_auto:2d}: V={v_auto:.3f} ({t_auto:.1f} s)   k=7: V={v_fixed:.3f}   "
              f"raw KMeans k=7: V={v_raw:.3f}")
        if name == "mixed":
            for t in sorted({a.theme for a in fixed}):
                print("   ", t, next(a.label for a in fixed if a.theme == t)[:110])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
