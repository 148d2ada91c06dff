"""Kazakh search on questions asked in other words (issue 25): every dev set, per lexical-overlap band, before and
after, in one run.

Sets (bench/kk_sets.py): KazQAD dev (543 Kazakh questions; its "choose" half picks settings, the "report" half is
held out from the choice, as in bench/bench_search.py), the same questions typed in apostrophe Latin and on a
Russian keyboard, and the NTREX-128 cross-lingual archives (ru, en and kk questions; the relevant entries are in
the two other languages).

Overlap bands (fixed cut-offs, not fitted): a question's overlap is the share of its unique content terms (the
search analyser's terms: stop words dropped, stemmed, folded to one script) found among the terms of its relevant
passage (the best one where it has several). **low**: overlap ≤ 1/3; **mid**: ≤ 2/3; **high**: above 2/3.

"before" is the engine with the settings as on main (``FusionConfig(adaptive="off", window_share=0,
typing=False)``); "after" is ``FusionConfig()``, this branch's defaults; the rows between are each change alone.

REVIEW_SERVICE_SHARED=../shared nice -n 10 python bench/bench_search_kk.py   # vectors cached in bench/out/
(embed first: bench/search_vectors.py --passages title --queries query; bench/search_vectors_kk.py)
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _cache import cached_encoder
from bench_search import half, metrics
from kk_sets import RetrievalSet, kazqad, ntrex_sets, variant_queries
from search_vectors import load_all

from review_service.core.lexical import analyse
from review_service.search.engine import SearchEngine
from review_service.search.fusion import FusionConfig

BEFORE = FusionConfig(adaptive="off", window_share=0.0, typing=False)
AFTER = FusionConfig()
BANDS = (("low", 1 / 3), ("mid", 2 / 3), ("high", 1.0))


NO_WINDOWS = False  # --no-windows: only the settings without sentence windows (a quick look before they are embedded)


def settings() -> list[tuple[str, FusionConfig]]:
    if NO_WINDOWS:
        return [(n, c) for n, c in _settings() if c.window_share == 0]
    return _settings()


def _settings() -> list[tuple[str, FusionConfig]]:
    out = [("before (main)", BEFORE)]
    for adaptive in ("coverage", "coverage_sqrt", "coverage_sharp"):
        out.append((f"adaptive={adaptive}", replace(BEFORE, adaptive=adaptive)))
    for share in (0.5, 1.0):
        out.append((f"windows share={share}", replace(BEFORE, window_share=share)))
        for adaptive in ("coverage", "coverage_sqrt", "coverage_sharp"):
            out.append((f"windows share={share} + adaptive={adaptive}",
                        replace(BEFORE, window_share=share, adaptive=adaptive)))
    out.append(("typing only", replace(BEFORE, typing=True)))
    out += [("dense only (before)", replace(BEFORE, method="dense", aggregation="max")),
            ("dense only, windows 0.5", replace(BEFORE, method="dense", aggregation="max", window_share=0.5)),
            ("after (branch default)", AFTER)]
    return out


def cpu() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.*)", info)
    flags = set((re.search(r"flags\s*:\s*(.*)", info) or re.search("(.*)", "")).group(1).split())
    cores = info.count("processor\t:")
    have = [f for f in ("amx_bf16", "amx_int8", "avx512_bf16", "avx512f") if f in flags]
    return f"{model.group(1) if model else '?'}, {cores} cores, flags: {' '.join(have) or 'none of amx/avx512'}"


def overlap(query: str, lang: str, passages: list[str]) -> float:
    terms = set(analyse(query, lang))
    if not terms:
        return 0.0
    return max(len(terms & set(analyse(p))) / len(terms) for p in passages)


def band(x: float) -> str:
    return next(name for name, hi in BANDS if x <= hi + 1e-9)


class Vectors:
    """Query and passage vectors: from the bench caches, embedding (lazily, once) only what is missing."""

    def __init__(self) -> None:
        self._enc = None

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        if self._enc is None:
            self._enc = cached_encoder()
        return self._enc.encode(texts, kind=kind)  # type: ignore[arg-type]


def run_set(s: RetrievalSet, engines: dict[float, SearchEngine], qtexts: dict[str, str], qvecs: dict[str, np.ndarray],
            norm_vecs, table: dict, halves: bool) -> None:
    bands = {qid: band(overlap(text, s.lang, [s.texts[d] for d in s.qrels[qid]])) for qid, text in s.queries}
    counts = {b: sum(v == b for v in bands.values()) for b, _ in BANDS}
    groups = {"all": [q for q, _ in s.queries], **{b: [q for q in bands if bands[q] == b] for b, _ in BANDS}}
    if halves:
        groups["report"] = [q for q in groups["all"] if half(q) == "report"]
        groups["choose"] = [q for q in groups["all"] if half(q) == "choose"]
        groups["report low"] = [q for q in groups["report"] if bands[q] == "low"]
    print(f"\n== {s.name}: {len(s.docs)} entries, {len(s.queries)} questions; bands "
          + ", ".join(f"{b} {n}" for b, n in counts.items()), flush=True)
    sig_cache: dict[tuple[float, bool], dict] = {}
    for name, cfg in settings():
        key = (cfg.window_share, cfg.typing)
        if key not in sig_cache:
            eng = engines[cfg.window_share]
            eng.config = replace(eng.config, typing=cfg.typing)
            sigs = {}
            for qid, text in s.queries:
                raw = qtexts[qid]
                q = eng.normalise_query(raw)
                vec = qvecs[qid] if q == raw else norm_vecs(q)
                sigs[qid] = eng.signals(q, vec)
            sig_cache[key] = sigs
        eng, sigs = engines[cfg.window_share], sig_cache[key]
        per_q = {}
        for qid, _ in s.queries:
            fused = eng.rank(sigs[qid], cfg)[0]
            per_q[qid] = metrics([d for d, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))], s.qrels[qid])
        row = {g: tuple(float(np.mean([per_q[q][i] for q in ids])) if ids else float("nan") for i in range(3))
               for g, ids in groups.items()}
        table.setdefault(s.name, []).append((name, row))
    head = "".join(f"{g + ' nDCG':>16}" for g in groups)
    print(f"{'setting':<44}{head}   all R@10  all MRR@10")
    for name, row in table[s.name]:
        print(f"{name:<44}" + "".join(f"{row[g][0]:>16.3f}" for g in groups)
              + f"   {row['all'][1]:>8.3f}  {row['all'][2]:>10.3f}")


def engines_for(s: RetrievalSet, pv: np.ndarray, wv: np.ndarray | None) -> dict[float, SearchEngine]:
    shares = sorted({cfg.window_share for _, cfg in settings()})
    out = {}
    for share in shares:
        cfg = replace(BEFORE, window_share=share)
        out[share] = SearchEngine.build(s.docs, None, config=cfg, vectors=pv, window_vectors=wv if share else None)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="kazqad,variants,ntrex")
    ap.add_argument("--no-windows", action="store_true", help="skip every setting with sentence windows")
    ap.add_argument("--variants", default="apostrophe,rukeyboard", help="typed-differently question sets")
    a = ap.parse_args()
    global NO_WINDOWS
    NO_WINDOWS = a.no_windows
    print(f"CPU: {cpu()}")
    print(f"before = {BEFORE}\nafter  = {AFTER}")
    t0 = time.perf_counter()
    vec = Vectors()
    table: dict = {}
    parts = a.sets.split(",")
    if "kazqad" in parts or "variants" in parts:
        s = kazqad()
        _, queries, _chunks, qv, pv = load_all(["title"], ["query"])
        qvecs = dict(zip([q["id"] for q in queries], qv["query"]))
        wv = vec.encode(s.window_texts(), "raw") if not NO_WINDOWS else None
        engines = engines_for(s, pv["title"], wv)
        norm = lambda t: vec.encode([t], "query")[0]
        if "kazqad" in parts:
            run_set(s, engines, dict(s.queries), qvecs, norm, table, halves=True)
        if "variants" in parts:
            variants = variant_queries()
            for v in a.variants.split(","):
                texts = variants[v]
                ids = [q for q, _ in s.queries]
                raw_vecs = dict(zip(ids, vec.encode([texts[q] for q in ids], "query")))
                vs = RetrievalSet(f"kazqad-{v}", s.docs, s.queries, s.qrels, s.lang, s.texts)
                run_set(vs, engines, texts, raw_vecs, norm, table, halves=True)
    if "ntrex" in parts:
        for s in ntrex_sets():
            pv_n = vec.encode(s.passage_texts(), "raw")
            wv_n = vec.encode(s.window_texts(), "raw") if not NO_WINDOWS else None
            qvecs = dict(zip([q for q, _ in s.queries], vec.encode([t for _, t in s.queries], "query")))
            engines = engines_for(s, pv_n, wv_n)
            run_set(s, engines, dict(s.queries), qvecs, lambda t: vec.encode([t], "query")[0], table, halves=False)
    print(f"\nbefore → after, nDCG@10 (R@10, MRR@10) — {time.perf_counter() - t0:.0f} s")
    for name, rows in table.items():
        before = next(r for n, r in rows if n == "before (main)")
        after = next((r for n, r in rows if n == "after (branch default)"), before)
        cells = [f"{g} {before[g][0]:.3f}→{after[g][0]:.3f}" for g in before if g != "choose"]
        print(f"  {name:<20} " + "; ".join(cells)
              + f"  | all R@10 {before['all'][1]:.3f}→{after['all'][1]:.3f}, MRR@10 {before['all'][2]:.3f}→"
              f"{after['all'][2]:.3f}")


if __name__ == "__main__":
    main()
