"""Themes: deterministic clustering of entries (40–2,000) with keyword labels and a 2-D map (pure).

- Vectors are precomputed (document embeddings). In a mixed-language corpus each language's mean vector is
  subtracted first (``langs``), so entries group by topic, not by language.
- KMeans on the unit sphere (fixed seed, several restarts); ``k`` chosen by the best cosine silhouette over a
  range when not given. Every entry gets its nearest theme — there is no outlier bucket — with a confidence
  (softmax over centroid similarities; low confidence = between themes).
- Labels: class-based TF-IDF (c-TF-IDF) keywords with Kazakh/Russian/English stop-words removed (Kazakh
  Latin script folded to Cyrillic first; words grouped by a 6-letter stem, shown in their most common form),
  plus the entry closest to the theme's centre as its representative.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from review_service.domain import Document, ThemeAssignment
from review_service.normalize import is_latin_kazakh, kk_latin_to_cyrillic

logger = logging.getLogger(__name__)

SEED = 0
_RESOURCES = Path(__file__).resolve().parent / "resources"
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W\d_]|[^\W\d_]")
STEM = 6


@dataclass(frozen=True)
class Theme:
    theme: int
    label: str
    keywords: tuple[str, ...]
    representative: str  # id of the entry closest to the centre
    size: int


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for lang in ("kk", "ru", "en"):
        for line in (_RESOURCES / f"stopwords_{lang}.txt").read_text(encoding="utf-8").splitlines():
            line = line.strip().lower()
            if line and not line.startswith("#"):
                words.add(line)
    return frozenset(words)


def _normalise(vectors: np.ndarray, langs: Sequence[str] | None) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    if langs is not None and len(set(langs)) > 1:
        x = x.copy()
        arr = np.asarray(langs)
        for lang in set(langs):
            mask = arr == lang
            x[mask] -= x[mask].mean(axis=0)
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x


def _kmeans(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(x)
    centers = km.cluster_centers_ / np.maximum(np.linalg.norm(km.cluster_centers_, axis=1, keepdims=True), 1e-12)
    return km.labels_, centers


def k_range(n: int) -> range:
    """Candidate numbers of themes for n entries: 2 … about sqrt(n/2), at most 20."""
    hi = max(2, min(20, int(math.sqrt(n / 2)) + 1, n - 1))
    return range(min(2, hi), hi + 1)


def choose_k(x: np.ndarray, ks: Sequence[int] | None = None) -> int:
    from sklearn.metrics import silhouette_score

    ks = list(ks or k_range(len(x)))
    if len(x) < 4:
        return max(1, min(len(x), 2))
    best, best_score = ks[0], -2.0
    for k in ks:
        labels, _ = _kmeans(x, k)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(x, labels, metric="cosine", random_state=SEED)
        logger.debug("k=%d silhouette=%.4f", k, score)
        if score > best_score + 1e-9:
            best, best_score = k, score
    return best


def _tokens(text: str) -> list[str]:
    if is_latin_kazakh(text):
        text = kk_latin_to_cyrillic(text)
    stop = stopwords()
    return [w for w in (t.lower() for t in _WORD.findall(text)) if len(w) > 2 and w not in stop]


def keywords(texts: Sequence[str], labels: np.ndarray, top: int = 5) -> dict[int, tuple[str, ...]]:
    """c-TF-IDF: term frequency within a theme × log(1 + average words per theme / frequency overall)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    surface: dict[str, Counter] = defaultdict(Counter)
    for text, label in zip(texts, labels):
        for w in _tokens(text):
            stem = w[:STEM]
            counts[int(label)][stem] += 1
            surface[stem][w] += 1
    total = Counter()
    for c in counts.values():
        total.update(c)
    avg = sum(total.values()) / max(1, len(counts))
    out: dict[int, tuple[str, ...]] = {}
    for label, c in counts.items():
        n = sum(c.values()) or 1
        scored = sorted(c, key=lambda s: (-(c[s] / n) * math.log(1 + avg / total[s]), s))
        out[label] = tuple(surface[s].most_common(1)[0][0] for s in scored[:top])
    return out


def cluster(vectors: np.ndarray, *, k: int | None = None, langs: Sequence[str] | None = None,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, confidence, similarity-to-centres) for unit vectors; themes renumbered by size, largest 0."""
    x = _normalise(vectors, langs)
    n = len(x)
    if n == 0:
        return np.zeros(0, int), np.zeros(0), np.zeros((0, 0))
    k = min(k or choose_k(x), n)
    if k <= 1:
        return np.zeros(n, int), np.ones(n), np.ones((n, 1))
    labels, centers = _kmeans(x, k)
    sims = x @ centers.T
    labels = sims.argmax(1)  # nearest centre for everyone (no outlier bucket)
    sizes = Counter(labels.tolist())
    order = sorted(range(k), key=lambda c: (-sizes.get(c, 0), c))
    remap = np.array([order.index(c) for c in range(k)])
    labels, sims = remap[labels], sims[:, order]
    z = (sims - sims.max(1, keepdims=True)) / 0.05
    conf = np.exp(z).max(1) / np.exp(z).sum(1)
    return labels, conf, sims


def describe(ids: Sequence[str], texts: Sequence[str], labels: np.ndarray, sims: np.ndarray) -> list[Theme]:
    kws = keywords(texts, labels)
    themes = []
    for t in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == t)
        rep = ids[int(members[np.argmax(sims[members, t])])]
        kw = kws.get(t, ())
        label = ", ".join(kw[:4]) if kw else f"theme {t + 1}"
        themes.append(Theme(t, f"{label} (e.g. {rep})", kw, rep, len(members)))
    return themes


def assign_themes(vectors: np.ndarray, ids: Sequence[str], texts: Sequence[str], *, k: int | None = None,
                  langs: Sequence[str] | None = None) -> list[ThemeAssignment]:
    """One ThemeAssignment per entry, in input order; deterministic for the same input."""
    if len(ids) != len(vectors) or len(texts) != len(ids):
        raise ValueError("vectors, ids and texts must have the same length")
    labels, conf, sims = cluster(vectors, k=k, langs=langs)
    themes = {t.theme: t for t in describe(ids, texts, labels, sims)}
    return [ThemeAssignment(id=i, theme=int(t), label=themes[int(t)].label, confidence=round(float(c), 4))
            for i, t, c in zip(ids, labels, conf)]


def document_vectors(docs: Sequence[Document], encoder: object, *, settings: object | None = None,
                     progress: Callable | None = None) -> tuple[np.ndarray, list[str]]:
    """One unit vector per document (mean of its passage vectors, document prompt) and its language."""
    from review_service.chunking import chunk_text
    from review_service.dedup.semantic import encode_texts
    from review_service.language import detect_language

    max_chars = getattr(settings, "chunk_chars", 900)
    overlap = getattr(settings, "chunk_overlap_chars", 150)
    texts, owner = [], []
    for i, d in enumerate(docs):
        chunks = d.chunks or chunk_text(d.id, d.text or d.title or d.id, max_chars=max_chars, overlap=overlap)
        for c in chunks or ():
            texts.append(c.text)
            owner.append(i)
    vecs = encode_texts(texts, encoder, progress=progress)
    owner_arr = np.array(owner, dtype=np.int64)
    out = np.zeros((len(docs), vecs.shape[1] if len(vecs) else int(getattr(encoder, "dim", 1))), np.float32)
    for i in range(len(docs)):
        rows = vecs[owner_arr == i]
        if len(rows):
            v = rows.mean(0)
            out[i] = v / (np.linalg.norm(v) or 1.0)
    langs = [d.lang if d.lang != "und" else detect_language(d.text) for d in docs]
    return out, langs


def theme_map_png(vectors: np.ndarray, assignments: Sequence[ThemeAssignment], path: str | Path, *,
                  langs: Sequence[str] | None = None, title: str = "Themes") -> Path:
    """A 2-D map (PCA of the same vectors the themes used) with one colour per theme, for the report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = _normalise(vectors, langs)
    x = x - x.mean(0)
    if len(x) >= 2:
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        xy = x @ vt[:2].T
    else:
        xy = np.zeros((len(x), 2))
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(xy), 2 - xy.shape[1]))])
    labels = np.array([a.theme for a in assignments])
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    cmap = plt.get_cmap("tab20")
    for t in sorted(set(labels.tolist())):
        m = labels == t
        label = next(a.label for a in assignments if a.theme == t)
        ax.scatter(xy[m, 0], xy[m, 1], s=22, color=cmap(t % 20), label=f"{t}: {label[:50]}", alpha=0.8)
        cx, cy = xy[m].mean(0)
        ax.annotate(str(t), (cx, cy), fontsize=12, weight="bold", ha="center")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="best", framealpha=0.8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path
