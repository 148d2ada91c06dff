"""Affinity per (juror, entry): how well a juror's expertise covers an entry, with an explanation.

A juror's profile is a list of items — the free-text expertise statement and each past work (title + text).
Entries and items are chunked; an item's similarity to an entry is the best cosine between any of the item's
chunks and any of the entry's chunks (EmbeddingGemma, entry chunks encoded as *queries*, profile items as
*documents*: "find the expertise that covers this entry"). Each item's score is blended with a lexical one —
TF-IDF cosine over :func:`review_service.core.lexical.analyse` terms (stemmed, folded across scripts), weight
``LEXICAL_WEIGHT`` — but only where the item and the entry are in the same language (a Russian profile and a
Kazakh entry share few words even when the expertise fits, so there the semantic score stands alone). A juror's
affinity is the mean of their ``top_items`` best items (robust to one stray paper, rewarding several relevant
ones; a juror with fewer items gets the mean of all). ``semantic`` and ``lexical`` keep the two parts,
aggregated the same way, for the explanation. The defaults come from ``bench/bench_expertise.py``.

The explanation of a pair names the best profile item, the entry passage that matched it best, and the key
terms they share.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from review_service.core.domain import Chunk, Document, Juror
from review_service.core.lexical import analyse, tokenize
from review_service.intake.chunking import chunk_text

logger = logging.getLogger(__name__)

CHUNK_CHARS = 1500  # about 400 tokens: an abstract stays whole
TOP_ITEMS = 5
LEXICAL_WEIGHT = 0.3
ENTRY_KIND = "query"
ITEM_KIND = "document"
BLOCK = 20_000_000  # similarity cells per block (80 MB of float32)


@dataclass(frozen=True)
class ProfileItem:
    juror: int  # index into the juror list
    id: str  # "expertise" or the work's id
    title: str
    text: str


@dataclass(frozen=True)
class Explanation:
    item_id: str
    item_title: str
    item_passage: str
    entry_passage: str
    entry_anchor: str
    shared_terms: tuple[str, ...]
    semantic: float
    lexical: float

    def as_dict(self) -> dict:
        return {"profile_item": self.item_id, "profile_title": self.item_title,
                "profile_passage": self.item_passage, "entry_passage": self.entry_passage,
                "entry_anchor": self.entry_anchor, "shared_terms": list(self.shared_terms),
                "semantic": round(self.semantic, 4), "lexical": round(self.lexical, 4)}


@dataclass(frozen=True)
class Affinity:
    """Scores (jurors × entries) plus what is needed to explain any pair."""

    juror_ids: tuple[str, ...]
    entry_ids: tuple[str, ...]
    scores: np.ndarray
    semantic: np.ndarray
    lexical: np.ndarray
    items: tuple[ProfileItem, ...]
    item_chunks: tuple[tuple[str, int], ...]  # (text, item index) per item chunk
    entry_chunks: tuple[Chunk, ...]
    item_vecs: np.ndarray
    entry_vecs: np.ndarray
    entry_chunk_owner: np.ndarray  # entry index per entry chunk
    model: str = ""
    model_revision: str = ""

    def as_mapping(self) -> dict[str, dict[str, float]]:
        """``{juror_id: {entry_id: score}}`` (AFFINITY.json)."""
        return {j: {e: round(float(self.scores[a, b]), 6) for b, e in enumerate(self.entry_ids)}
                for a, j in enumerate(self.juror_ids)}

    @cached_property
    def _chunk_juror(self) -> np.ndarray:
        return np.array([self.items[i].juror for _, i in self.item_chunks], dtype=np.int64)

    def explain(self, j: int, e: int, *, n_terms: int = 6, chars: int = 300) -> Explanation:
        ic = np.flatnonzero(self._chunk_juror == j)
        ec = np.flatnonzero(self.entry_chunk_owner == e)
        if not len(ic) or not len(ec):
            return Explanation("", "", "", "", "", (), float(self.semantic[j, e]), float(self.lexical[j, e]))
        sims = self.item_vecs[ic] @ self.entry_vecs[ec].T
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        item_text, item_index = self.item_chunks[int(ic[a])]
        entry_chunk = self.entry_chunks[int(ec[b])]
        item = self.items[item_index]
        terms = shared_terms(item_text, entry_chunk.text, n_terms)
        return Explanation(item.id, item.title, _clip(item_text, chars), _clip(entry_chunk.text, chars),
                           entry_chunk.anchor.label(), terms, float(self.semantic[j, e]),
                           float(self.lexical[j, e]))


def _clip(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"


def shared_terms(a: str, b: str, n: int = 6) -> tuple[str, ...]:
    """Key terms both texts use (matched on stems folded across scripts), shown as the entry writes them."""
    left = set(analyse(a))
    seen: dict[str, str] = {}
    counts: dict[str, int] = {}
    for tok in tokenize(b):
        terms = analyse(tok)
        if not terms or len(tok) < 3 or terms[0] not in left:
            continue
        seen.setdefault(terms[0], tok)
        counts[terms[0]] = counts.get(terms[0], 0) + len(tok)
    ranked = sorted(counts, key=lambda t: -counts[t])
    return tuple(seen[t] for t in ranked[:n])


def profile_items(jurors: Sequence[Juror]) -> list[ProfileItem]:
    """The expertise statement and each work of every juror (empty texts left out)."""
    items = []
    for j, juror in enumerate(jurors):
        if juror.expertise.strip():
            items.append(ProfileItem(j, "expertise", "expertise", juror.expertise.strip()))
        for w in juror.works:
            text = "\n".join(t for t in (w.title.strip(), w.text.strip()) if t)
            if text:
                items.append(ProfileItem(j, w.id, w.title, text))
    return items


def entry_chunks(entries: Sequence[Document], chars: int = CHUNK_CHARS) -> tuple[list[Chunk], np.ndarray]:
    """The entries' chunks (their own if given, else cut from title + text) and each chunk's entry index."""
    out: list[Chunk] = []
    owner: list[int] = []
    for i, d in enumerate(entries):
        chunks = d.chunks or chunk_text(d.id, "\n\n".join(t for t in (d.title, d.text) if t.strip()),
                                        max_chars=chars, overlap=150, detect=False)
        chunks = chunks or (Chunk(d.id, 0, d.title or d.id, _anchor()),)
        out.extend(chunks)
        owner.extend([i] * len(chunks))
    return out, np.array(owner, dtype=np.int64)


def _anchor():
    from review_service.core.domain import Anchor

    return Anchor("section", 1)


def _group_reduce(values: np.ndarray, owner: np.ndarray, n: int, axis: int) -> np.ndarray:
    """Max over groups of consecutive rows (axis 0) or columns (axis 1) sharing an owner index."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    red = np.maximum.reduceat(values, starts, axis=axis)
    out_shape = (n, values.shape[1]) if axis == 0 else (values.shape[0], n)
    out = np.full(out_shape, -1.0, dtype=np.float32)
    if axis == 0:
        out[owner[starts]] = red
    else:
        out[:, owner[starts]] = red
    return out


def top_mean(item_scores: np.ndarray, item_owner: np.ndarray, n_jurors: int, top: int) -> np.ndarray:
    """Per juror: mean of the ``top`` best item rows (fewer if the juror has fewer items); 0 without items."""
    out = np.zeros((n_jurors, item_scores.shape[1]), dtype=np.float32)
    for j in range(n_jurors):
        rows = item_scores[item_owner == j]
        if len(rows):
            t = min(top, len(rows))
            out[j] = -np.sort(-rows, axis=0)[:t].mean(axis=0) if t > 1 else rows.max(axis=0)
    return out


def lexical_item_scores(item_texts: Sequence[str], entry_texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine (items × entries) over stemmed, script-folded terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not item_texts or not entry_texts:
        return np.zeros((len(item_texts), len(entry_texts)), np.float32)
    vec = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=1)
    vec.fit(list(item_texts) + list(entry_texts))
    return (vec.transform(item_texts) @ vec.transform(entry_texts).T).toarray().astype(np.float32)


def _same_language(items: Sequence[ProfileItem], entries: Sequence[Document]) -> np.ndarray:
    """(items × entries) True where a lexical comparison is meaningful: same language, or one unknown."""
    from review_service.core.language import detect_language

    il = np.array([detect_language(it.text) for it in items])
    el = np.array([d.lang if d.lang not in ("", "und") else detect_language(f"{d.title}\n{d.text}")
                   for d in entries])
    return (il[:, None] == el[None, :]) | (il[:, None] == "und") | (el[None, :] == "und")


def compute_affinity(jurors: Sequence[Juror], entries: Sequence[Document], encoder, *,
                     top_items: int = TOP_ITEMS, lexical_weight: float = LEXICAL_WEIGHT,
                     chunk_chars: int = CHUNK_CHARS, entry_kind: str = ENTRY_KIND,
                     item_kind: str = ITEM_KIND) -> Affinity:
    """Affinity of every juror for every entry (see the module docstring)."""
    items = profile_items(jurors)
    n_j, n_e = len(jurors), len(entries)
    e_chunks, e_owner = entry_chunks(entries, chunk_chars)
    i_chunks: list[tuple[str, int]] = []
    for i, it in enumerate(items):
        pieces = chunk_text(it.id, it.text, max_chars=chunk_chars, overlap=150, detect=False)
        i_chunks.extend((c.text, i) for c in pieces)
    i_owner = np.array([i for _, i in i_chunks], dtype=np.int64)
    logger.info("affinity: %d jurors (%d profile items, %d chunks) × %d entries (%d chunks)",
                n_j, len(items), len(i_chunks), n_e, len(e_chunks))
    ev = encoder.encode([c.text for c in e_chunks], kind=entry_kind)
    iv = encoder.encode([t for t, _ in i_chunks], kind=item_kind)
    if len(i_chunks) and len(e_chunks):
        per_item = np.full((len(items), n_e), -1.0, dtype=np.float32)
        step = max(1, BLOCK // max(1, len(i_chunks)))  # entry chunks per block: bounded memory
        start = 0
        while start < len(e_chunks):
            stop = min(len(e_chunks), start + step)
            while stop < len(e_chunks) and e_owner[stop] == e_owner[stop - 1]:
                stop += 1  # never split an entry across blocks
            sims = iv @ ev[start:stop].T  # item chunks × entry chunks of this block
            by_item = _group_reduce(sims, i_owner, len(items), 0)
            owners = e_owner[start:stop]
            lo, hi = int(owners[0]), int(owners[-1]) + 1
            per_item[:, lo:hi] = _group_reduce(by_item, owners - lo, hi - lo, 1)
            start = stop
    else:
        per_item = np.zeros((len(items), n_e), dtype=np.float32)
    owner = np.array([it.juror for it in items], dtype=np.int64)
    semantic = top_mean(per_item, owner, n_j, top_items)
    lexical = np.zeros_like(semantic)
    blended = per_item
    if lexical_weight > 0 and items:
        lex_items = lexical_item_scores([it.text for it in items], [f"{d.title}\n{d.text}" for d in entries])
        lexical = top_mean(lex_items, owner, n_j, top_items)
        same = _same_language(items, entries)
        blended = np.where(same, (1 - lexical_weight) * per_item + lexical_weight * lex_items, per_item)
    scores = top_mean(blended, owner, n_j, top_items)
    return Affinity(tuple(j.id for j in jurors), tuple(d.id for d in entries), scores.astype(np.float64),
                    semantic, lexical, tuple(items), tuple(i_chunks), tuple(e_chunks), iv, ev, e_owner,
                    getattr(encoder, "model_id", ""), getattr(encoder, "revision", ""))


def affinity_from_mapping(mapping: dict, juror_ids: Sequence[str], entry_ids: Sequence[str]) -> Affinity:
    """Scores read back from AFFINITY.json (``{juror_id: {entry_id: score}}``); no explanations."""
    from review_service.core.errors import InputError

    scores = np.zeros((len(juror_ids), len(entry_ids)))
    for a, j in enumerate(juror_ids):
        row = mapping.get(j)
        if not isinstance(row, dict):
            raise InputError(f"affinity file has no row for juror {j!r}", hint="recompute it with `affinity`")
        for b, e in enumerate(entry_ids):
            if e not in row:
                raise InputError(f"affinity file has no score for juror {j!r}, entry {e!r}")
            scores[a, b] = float(row[e])
    empty = np.zeros((0, 1), np.float32)
    return Affinity(tuple(juror_ids), tuple(entry_ids), scores, scores.astype(np.float32),
                    np.zeros_like(scores, np.float32), (), (), (), empty, empty, np.zeros(0, np.int64),
                    "affinity-file", "")
