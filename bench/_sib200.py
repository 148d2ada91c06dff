"""Bench helper: SIB-200 topic items (../shared/data/topics) and their cached embeddings per language and prompt.

Vectors come from the bench disk cache (``bench/_cache.py``); only texts not cached yet are embedded."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIB = ROOT.parent / "shared" / "data" / "topics" / "sib200.jsonl"


def load_rows(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in SIB.open(encoding="utf-8")]
    return [r for r in rows if split is None or r["split"] == split]


def texts(rows: list[dict], lang: str) -> list[str]:
    from review_service.core.normalize import normalize_text

    return [normalize_text(r[lang]) for r in rows]


_ENCODER = None


def vectors(rows: list[dict], lang: str, kind: str = "document") -> np.ndarray:
    """L2-normalised vectors of ``rows`` in ``lang`` with the ``kind`` prompt (cache first, encoder on a miss)."""
    global _ENCODER
    from _cache import DiskCache

    from embeddings.encoder import text_key
    from models.registry import get_spec

    ts = texts(rows, lang)
    model = "embeddinggemma-300m"
    cache_id = f"{model}@{get_spec(model).revision}+kk-latin-to-cyrillic"
    keys = [text_key(t, kind) for t in ts]
    found = DiskCache().get_many(list(dict.fromkeys(keys)), cache_id)
    if len(found) < len(set(keys)):
        from _cache import cached_encoder

        _ENCODER = _ENCODER or cached_encoder()
        return _ENCODER.encode(ts, kind=kind)
    return np.stack([found[k] for k in keys]).astype(np.float32)


def mixed(rows: list[dict], by_lang: dict[str, np.ndarray], langs: tuple[str, ...] = ("kk", "ru")):
    """Each item once, in one language (item i in langs[i % len(langs)]): (vectors, texts, langs)."""
    pick = [langs[i % len(langs)] for i in range(len(rows))]
    vec = np.stack([by_lang[lg][i] for i, lg in enumerate(pick)])
    txt = {lg: texts(rows, lg) for lg in langs}
    return vec, [txt[lg][i] for i, lg in enumerate(pick)], pick
