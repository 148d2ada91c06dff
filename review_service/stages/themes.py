"""Themes: deterministic clustering of entries (40–2,000) with keyword labels and a 2-D map (pure).

- Vectors are precomputed (document embeddings). In a mixed-language corpus each language's mean vector is
  subtracted first (``langs``), so entries group by topic, not by language.
- KMeans on the unit sphere (fixed seed, several restarts); ``k`` chosen by the best cosine silhouette over a
  range when not given. Every entry gets its nearest theme — there is no outlier bucket — with a confidence
  (a margin between the nearest and second-nearest theme: 0.5 = between themes, near 1 = squarely in one).
- Labels: class-based TF-IDF (c-TF-IDF) keywords with Kazakh/Russian/English stop-words removed (Kazakh
  Latin script folded to Cyrillic first; words grouped by a 6-letter stem, shown in their most common form),
  plus the entry closest to the theme's centre as its representative.
"""
from __future__ import annotations

import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from embeddings.encoder import Encoder, Kind
from review_service.core.config import Settings
from review_service.core.domain import Document, ThemeAssignment
from review_service.core.normalize import is_latin_kazakh, kk_latin_to_cyrillic

logger = logging.getLogger(__name__)

SEED = 0
PCA_DIMS = 50
K_MAX = 20
_RESOURCES = Path(__file__).resolve().parents[1] / "resources"
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


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def prepare(vectors: np.ndarray, langs: Sequence[str] | None = None) -> np.ndarray:
    """The space themes are found in: unit vectors with each language's mean removed (one language: the
    corpus mean), projected on their first PCA_DIMS principal components, re-normalised."""
    x = _unit(np.asarray(vectors, dtype=np.float64))
    groups = np.asarray(list(langs) if langs is not None else [""] * len(x))
    x = x.copy()
    for g in sorted(set(groups.tolist())):
        mask = groups == g
        x[mask] -= x[mask].mean(axis=0)
    x = _unit(x)
    d = min(PCA_DIMS, len(x) - 1)
    if d >= 2 and x.shape[1] > d:
        _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
        x = _unit((x - x.mean(0)) @ vt[:d].T)
    return x


def neighbours(n: int) -> int:
    """Neighbours per entry in the kNN graph: about sqrt(n)/1.5, 5 … 20."""
    return max(1, min(n - 1, max(5, min(20, round(math.sqrt(n) / 1.5)))))


def spectral_basis(x: np.ndarray, dims: int) -> np.ndarray:
    """Leading eigenvectors of the normalised affinity D^-1/2 A D^-1/2 of the symmetrised cosine kNN graph."""
    n = len(x)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    nn = neighbours(n)
    idx = np.argsort(-sims, axis=1, kind="stable")[:, :nn]
    a = np.zeros((n, n))
    a[np.repeat(np.arange(n), nn), idx.ravel()] = 1.0
    a = np.maximum(a, a.T)
    dinv = 1.0 / np.sqrt(np.maximum(a.sum(1), 1e-12))
    _, vecs = np.linalg.eigh(dinv[:, None] * a * dinv[None, :])
    return vecs[:, ::-1][:, :dims]


def _kmeans(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(x)


def spectral_labels(basis: np.ndarray, k: int) -> np.ndarray:
    return _kmeans(_unit(basis[:, :k]), k)


def k_range(n: int) -> range:
    """Candidate numbers of themes for n entries: 2 … min(K_MAX, n // 5) (at least 5 entries a theme on average)."""
    hi = max(2, min(K_MAX, n // 5))
    return range(2, hi + 1)


def choose_k(x: np.ndarray, ks: Sequence[int] | None = None, basis: np.ndarray | None = None) -> int:
    """The k whose spectral clustering has the best cosine silhouette in the prepared space ``x``."""
    from sklearn.metrics import silhouette_score

    if len(x) < 4:
        return max(1, min(len(x), 2))
    ks = [k for k in (ks or k_range(len(x))) if 2 <= k < len(x)]
    if not ks:
        return 1
    basis = spectral_basis(x, max(ks)) if basis is None else basis
    best, best_score = ks[0], -2.0
    for k in ks:
        labels = spectral_labels(basis, k)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(x, labels, metric="cosine")
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
    total: Counter[str] = Counter()
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
    """(labels, confidence, similarity-to-centres); themes renumbered by size, largest 0."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, int), np.zeros(0), np.zeros((0, 0))
    x = prepare(vectors, langs)
    if k is None:
        ks = k_range(n)
        basis = spectral_basis(x, max(ks)) if n >= 4 else None
        k = choose_k(x, ks, basis)
    else:
        basis = None
    k = min(k, n)
    if k <= 1:
        return np.zeros(n, int), np.ones(n), np.ones((n, 1))
    if k == n:
        labels = np.arange(n)
    else:
        basis = spectral_basis(x, k) if basis is None else basis
        labels = spectral_labels(basis, k)
    present = sorted(set(labels.tolist()))
    centers = _unit(np.stack([x[labels == c].mean(0) for c in present]))
    sims = x @ centers.T
    labels = sims.argmax(1)  # every entry in its nearest theme (no outlier bucket)
    sizes = Counter(labels.tolist())
    order = [c for c in sorted(range(len(present)), key=lambda c: (-sizes.get(c, 0), c)) if sizes.get(c, 0)]
    remap = np.full(len(present), -1)
    remap[order] = np.arange(len(order))
    labels, sims = remap[labels], sims[:, order]
    # confidence: a silhouette-like margin in cosine terms, 0.5 + 0.5·(s1 − s2)/(1 − s2), with s1, s2 the
    # similarities to the nearest and second-nearest theme centre: 0.5 halfway between themes, → 1 for an entry
    # that sits squarely in its theme; absolute (comparable across corpora), no temperature to tune
    if sims.shape[1] > 1:
        top2 = -np.sort(-sims, axis=1)[:, :2]
        margin = (top2[:, 0] - top2[:, 1]) / np.maximum(1 - top2[:, 1], 1e-6)
        conf = 0.5 + 0.5 * np.clip(margin, 0.0, 1.0)
    else:
        conf = np.ones(len(sims))
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


CLUSTERING_MAP = "clustering_map_{model}.npz"
"""A linear map from an embedder's document-prompt space to its clustering-prompt space (resources/), fitted by
``bench/fit_clustering_map.py`` on unlabelled pairs (the same text under both prompts). Beside it,
``clustering_map_{model}.json`` records its provenance and the .npz's SHA-256, checked on load."""


@lru_cache(maxsize=4)
def _clustering_map(model_id: str) -> dict | None:
    import hashlib
    import json

    from review_service.core.errors import ModelIntegrityError

    path = _RESOURCES / CLUSTERING_MAP.format(model=model_id)
    if not path.exists():
        return None
    hint = "reinstall review-service, or refit it with bench/fit_clustering_map.py (docs/themes.md)"
    meta_path = path.with_suffix(".json")
    if not meta_path.exists():
        raise ModelIntegrityError(f"the clustering map {path.name} has no provenance file {meta_path.name}",
                                  hint=hint)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != meta.get("npz_sha256"):
        raise ModelIntegrityError(f"the clustering map {path.name} does not match its recorded SHA-256", hint=hint)
    with np.load(path) as z:
        m = {"w": z["w"].astype(np.float32), "mx": z["mx"].astype(np.float32), "my": z["my"].astype(np.float32),
             "revision": str(z["revision"]), "fitted_on": str(z["fitted_on"]), "sha256": digest}
    d = len(m["mx"])
    if m["w"].shape != (d, d) or m["my"].shape != (d,) or list(m["w"].shape) != meta.get("shape"):
        raise ModelIntegrityError(f"the clustering map {path.name} has shape {m['w'].shape}, expected "
                                  f"{meta.get('shape')}", hint=hint)
    return m


def _map_for(encoder: Encoder, dim: int) -> dict | None:
    m = _clustering_map(getattr(encoder, "model_id", ""))
    if m is None or m["revision"] != getattr(encoder, "revision", "") or len(m["mx"]) != dim:
        return None
    return m


def _mapped(m: dict, vectors: np.ndarray) -> np.ndarray:
    return _unit((np.asarray(vectors, dtype=np.float32) - m["mx"]) @ m["w"] + m["my"]).astype(np.float32)


def to_clustering_space(vectors: np.ndarray, encoder: Encoder) -> tuple[np.ndarray, str]:
    """Document-prompt vectors mapped row by row to the clustering prompt's space (unit rows), and what was done,
    for provenance. Without a map fitted for this embedder and revision, the vectors come back unchanged."""
    vectors = np.asarray(vectors, dtype=np.float32)
    m = _map_for(encoder, vectors.shape[-1] if vectors.ndim == 2 else 0)
    if m is None:
        return vectors, "document-prompt vectors"
    how = (f"document-prompt vectors mapped linearly to the clustering prompt's space ({m['fitted_on']}; sha256 "
           f"{m['sha256'][:12]})")
    return _mapped(m, vectors), how


def pooled_clustering_vectors(chunk_vectors: Sequence[np.ndarray], encoder: Encoder) -> tuple[np.ndarray, str]:
    """One unit vector per entry from its document-prompt chunk vectors (the screen's one embedding pass): each
    chunk mapped to the clustering prompt's space, then averaged — as the ``themes`` command averages its
    clustering-prompt chunk vectors (docs/themes.md, "One pass"). Without a map for this embedder and revision:
    the mean of the document-prompt chunks. Returns the vectors and what was done, for provenance."""
    parts = [np.asarray(c, dtype=np.float32).reshape(-1, np.shape(c)[-1]) for c in chunk_vectors]
    if not parts:
        return np.zeros((0, 0), np.float32), "no entries"
    m = _map_for(encoder, parts[0].shape[1])
    how = "mean of document-prompt chunk vectors"
    if m is not None:
        flat = _mapped(m, np.vstack(parts))
        bounds = np.cumsum([0] + [len(p) for p in parts])
        parts = [flat[a:b] for a, b in itertools.pairwise(bounds)]
        how = (f"mean of document-prompt chunk vectors each mapped linearly to the clustering prompt's space "
               f"({m['fitted_on']}; sha256 {m['sha256'][:12]})")
    out = np.stack([p.mean(0) if len(p) else np.zeros(p.shape[1], np.float32) for p in parts])
    return _unit(out).astype(np.float32), how


def document_vectors(docs: Sequence[Document], encoder: Encoder, *, settings: Settings | None = None,
                     progress: Callable | None = None, kind: Kind = "clustering") -> tuple[np.ndarray, list[str]]:
    """One unit vector per document (mean of its passage vectors) and its language.

    ``kind="clustering"`` uses the model's clustering task prompt (EmbeddingGemma "task: clustering"), which
    measured better for themes than the document prompt (docs/themes.md)."""
    from review_service.core.language import detect_language
    from review_service.intake.chunking import chunk_text

    max_chars = getattr(settings, "chunk_chars", 900)
    overlap = getattr(settings, "chunk_overlap_chars", 150)
    texts, owner = [], []
    for i, d in enumerate(docs):
        chunks = d.chunks or chunk_text(d.id, d.text or d.title or d.id, max_chars=max_chars, overlap=overlap)
        for c in chunks or ():
            texts.append(c.text)
            owner.append(i)
    bar = progress(total=len(texts), desc="embedding passages") if progress and texts else None
    parts = []
    for lo in range(0, len(texts), 32):
        parts.append(np.asarray(encoder.encode(texts[lo:lo + 32], kind=kind), dtype=np.float32))
        if bar is not None:
            bar.update(len(parts[-1]))
    if bar is not None:
        bar.close()
    vecs = np.vstack(parts) if parts else np.zeros((0, int(getattr(encoder, "dim", 1))), np.float32)
    owner_arr = np.array(owner, dtype=np.int64)
    out = np.zeros((len(docs), vecs.shape[1] if len(vecs) else int(getattr(encoder, "dim", 1))), np.float32)
    for i in range(len(docs)):
        rows = vecs[owner_arr == i]
        if len(rows):
            v = rows.mean(0)
            out[i] = v / (np.linalg.norm(v) or 1.0)
    langs: list[str] = [d.lang if d.lang != "und" else detect_language(d.text) for d in docs]
    return out, langs


def theme_map_png(vectors: np.ndarray, assignments: Sequence[ThemeAssignment], path: str | Path, *,
                  langs: Sequence[str] | None = None, title: str = "Themes") -> Path:
    """A 2-D map (PCA of the same vectors the themes used) with one colour per theme, for the report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = prepare(vectors, langs)
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
