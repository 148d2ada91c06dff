"""A documented multilingual taxonomy (``resources/taxonomy.toml``) and matching of entry sentences to it.

Four kinds of category: ``technique`` (AI techniques), ``service`` (library service areas), ``aim`` (the
contest's aims) and ``form`` (project / idea / research; media). A sentence matches a category

1. by **keyword**: a folded keyword stem occurs at the start of a word of the folded sentence (``fold`` puts
   Russian and Kazakh in either script on one Latin skeleton, so one list serves kk/ru/en); or
2. by **embedding**: its cosine with the category's description (encoded as a query) is at least
   ``min_similarity`` *and* it is the category's best sentence — used only when no keyword matched.

Matching returns evidence (sentence indices), never a mark: it says where the entry talks about something.
"""
from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from review_service.core.errors import ConfigError
from review_service.core.normalize import fold

logger = logging.getLogger(__name__)

TAXONOMY_FILE = Path(__file__).resolve().parents[1] / "resources" / "taxonomy.toml"
KINDS = ("technique", "service", "aim", "form")
EMBED_MIN_SIMILARITY = 0.5
"""Cosine (EmbeddingGemma query↔document) for an embedding-only match; see docs/notes.md for how it was set."""


@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    label: dict[str, str]
    description: str
    keywords: tuple[str, ...]
    group: str = ""

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.id


@dataclass(frozen=True)
class Match:
    """Where an entry talks about a category: sentence indices, best first, and how they were found."""

    category: Category
    sentences: tuple[int, ...]
    via: str  # keyword | embedding
    terms: tuple[str, ...] = ()
    similarity: float = 0.0


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]

    def of(self, kind: str) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.kind == kind)


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    file = Path(path) if path else TAXONOMY_FILE
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"taxonomy file {file} cannot be read: {exc}") from exc
    cats: list[Category] = []
    seen: set[str] = set()
    for kind in KINDS:
        for row in data.get(kind, []):
            unknown = set(row) - {"id", "label", "description", "keywords", "group"}
            if unknown or not row.get("id") or not row.get("keywords"):
                raise ConfigError(f"taxonomy {file.name}: bad {kind} entry {row.get('id')!r} ({sorted(unknown)})")
            if row["id"] in seen:
                raise ConfigError(f"taxonomy {file.name}: id {row['id']!r} appears twice")
            seen.add(row["id"])
            label = dict(row.get("label", {}))
            missing = {"kk", "ru", "en"} - set(label)
            if missing:
                raise ConfigError(f"taxonomy {file.name}: {row['id']!r} has no label in {sorted(missing)}")
            cats.append(Category(row["id"], kind, label, str(row.get("description", "")),
                                 tuple(row["keywords"]), str(row.get("group", ""))))
    return Taxonomy(str(data.get("version", "")), tuple(cats))


@lru_cache(maxsize=512)
def _pattern(keyword: str) -> re.Pattern[str]:
    whole = keyword.endswith("!")
    stem = fold(keyword.rstrip("!")).strip()
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", stem) if p]
    body = r"\w*[\s\-]+".join(parts)  # every word of a multi-word keyword is a stem
    tail = r"(?![\w])" if whole else ""
    return re.compile(r"(?<![\w])" + body + tail)


def keyword_terms(category: Category, folded: str) -> tuple[str, ...]:
    """The keywords of ``category`` that occur in ``folded`` (a text already passed through ``fold``)."""
    return tuple(k.rstrip("!") for k in category.keywords if _pattern(k).search(folded))


_desc_cache: dict[tuple[str, str, str], np.ndarray] = {}


def description_vectors(encoder, categories: Sequence[Category]) -> np.ndarray:
    key_model = f"{encoder.model_id}@{encoder.revision}"
    todo = [c for c in categories if (key_model, c.id, c.description) not in _desc_cache]
    if todo:
        vecs = encoder.encode([c.description for c in todo], kind="query")
        for c, v in zip(todo, vecs):
            _desc_cache[(key_model, c.id, c.description)] = v
    if not categories:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([_desc_cache[(key_model, c.id, c.description)] for c in categories])


def match(sentences: Sequence[str], vectors: np.ndarray | None, categories: Sequence[Category], *,
          encoder=None, min_similarity: float = EMBED_MIN_SIMILARITY, max_evidence: int = 2) -> list[Match]:
    """Categories the sentences talk about, in taxonomy order, with up to ``max_evidence`` sentences each.

    Keyword evidence is ordered by similarity to the description when vectors are given (else by position).
    """
    folded = [fold(s) for s in sentences]
    sims = None
    if vectors is not None and encoder is not None and len(sentences):
        sims = vectors @ description_vectors(encoder, categories).T  # (n_sentences, n_categories)
    out: list[Match] = []
    for j, cat in enumerate(categories):
        hits = [(i, keyword_terms(cat, f)) for i, f in enumerate(folded)]
        hits = [(i, t) for i, t in hits if t]
        if hits:
            order = sorted(hits, key=lambda h: -float(sims[h[0], j])) if sims is not None else hits
            terms = tuple(dict.fromkeys(t for _, ts in order for t in ts))
            best = float(sims[order[0][0], j]) if sims is not None else 0.0
            out.append(Match(cat, tuple(i for i, _ in order[:max_evidence]), "keyword", terms, best))
        elif sims is not None:
            i = int(np.argmax(sims[:, j]))
            if float(sims[i, j]) >= min_similarity:
                out.append(Match(cat, (i,), "embedding", (), float(sims[i, j])))
    return out
