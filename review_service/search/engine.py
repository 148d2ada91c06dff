"""SearchEngine: BM25 over the analyser's terms + dense cosine over chunks, fused into a document ranking.

Build once from documents and an :class:`embeddings.encoder.Encoder`; ``search`` is then side-effect free (one
query embedding, one sparse BM25 pass, one FAISS search, a few thousand multiplications), and safe to share
across threads. ``save``/``load`` keep the whole engine in one folder, written atomically.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embeddings.encoder import titled_passage
from embeddings.index import FaissIndex
from review_service.chunking import chunk_text
from review_service.domain import Chunk, Document
from review_service.errors import InputError, NotFound
from review_service.lexical import analyse, text_language
from review_service.search.facets import FACETS, Filters, FilterSet, count_facets, facet_values
from review_service.search.fusion import FusionConfig, aggregate, fuse, normalise, top
from review_service.search.highlight import match_spans, snippet
from review_service.search.query_cache import QueryVectorCache
from review_service.search.results import Hit, Passage, SearchResult

logger = logging.getLogger(__name__)

LEXICAL_UNITS = ("chunk", "doc")
PASSAGE_STYLES = ("chunk", "title_chunk", "title_slot")


def chunk_documents(docs: Sequence[Document], *, max_chars: int = 900, overlap: int = 150) -> list[Chunk]:
    """Every document's chunks: its own if it has them, else its text cut by :func:`chunk_text`."""
    out: list[Chunk] = []
    for doc in docs:
        out.extend(doc.chunks or chunk_text(doc.id, doc.text, max_chars=max_chars, overlap=overlap))
    return out


def passage_text(title: str, text: str, style: str) -> str:
    """What the embedder sees for one chunk: the chunk or its title then the chunk (both with the document
    prompt), or — ``title_slot`` — the model's own titled format, encoded without a further prompt."""
    if style == "title_slot":
        return titled_passage(title, text)
    return f"{title}\n{text}" if style == "title_chunk" and title else text


def passage_kind(style: str) -> str:
    return "raw" if style == "title_slot" else "document"


def default_passage_style(encoder) -> str:
    """The model's title slot where it has one (EmbeddingGemma: dense-only nDCG@10 0.668 vs 0.635 on the held-out
    half of KazQAD, see docs/search.md), else the bare chunk."""
    return "title_slot" if getattr(encoder, "title_slot", False) else "chunk"


def chunk_id(chunk: Chunk) -> str:
    return f"{chunk.doc_id}#{chunk.index}"


@dataclass(frozen=True)
class Signals:
    """Per-candidate scores of one query, before fusion (what the benchmark re-fuses many ways)."""

    lexical_chunks: dict[str, float]  # chunk id → BM25 (chunk unit) for every chunk of every candidate doc
    dense_chunks: dict[str, float]  # chunk id → cosine, same chunks
    lexical_docs: dict[str, float]  # doc unit: doc → BM25; chunk unit: filled by aggregation
    lexical_top: frozenset[str]  # chunk ids (or doc ids) BM25 returned
    dense_top: frozenset[str]  # chunk ids FAISS returned
    lang: str = "und"  # the query's language


class SearchEngine:
    def __init__(self, docs: Sequence[Document], chunks: Sequence[Chunk], bm25, index: FaissIndex, *,
                 encoder=None, config: FusionConfig | None = None, lexical_unit: str = "chunk",
                 passage_style: str = "chunk", model_id: str = "", revision: str = "") -> None:
        if lexical_unit not in LEXICAL_UNITS:
            raise ValueError(f"unknown lexical unit {lexical_unit!r}; known: {', '.join(LEXICAL_UNITS)}")
        self.docs = {d.id: Document(d.id, "", d.title, d.lang, (), d.year, dict(d.meta)) for d in docs}
        self.doc_ids = [d.id for d in docs]
        self.chunks = list(chunks)
        self.chunk_ids = [chunk_id(c) for c in self.chunks]
        self.chunk_row = {cid: i for i, cid in enumerate(self.chunk_ids)}
        self.chunk_doc = {cid: c.doc_id for cid, c in zip(self.chunk_ids, self.chunks)}
        self.doc_row = {d: i for i, d in enumerate(self.doc_ids)}
        self.doc_chunks: dict[str, list[str]] = {d: [] for d in self.doc_ids}
        for cid, c in zip(self.chunk_ids, self.chunks):
            self.doc_chunks[c.doc_id].append(cid)
        self.chunk_doc_row = np.array([self.doc_row[c.doc_id] for c in self.chunks], dtype=np.int64)
        self.bm25 = bm25
        self.index = index
        self.encoder = encoder
        self.config = config or FusionConfig()
        self.lexical_unit = lexical_unit
        self.passage_style = passage_style
        self.model_id = model_id or getattr(encoder, "model_id", "")
        self.revision = revision or getattr(encoder, "revision", "")
        self.query_cache = QueryVectorCache()
        """Repeated queries (pagination, jurors re-running a search) are not embedded again."""
        self.facets = {d: facet_values(doc) for d, doc in self.docs.items()}
        self._facet_arrays = {f: np.array([self.facets[d][f].lower() for d in self.doc_ids], dtype=object)
                              for f in FACETS}
        years = [self.facets[d]["year"] for d in self.doc_ids]
        self._years = np.array([int(y) if y.isdigit() else -1 for y in years], dtype=np.int64)
        self._df = np.diff(np.asarray(bm25.scores["indptr"]))  # rows (chunks or docs) holding each term

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: Sequence[Document], encoder, *, config: FusionConfig | None = None,
              lexical_unit: str = "chunk", passage_style: str = "auto", max_chars: int = 900,
              overlap: int = 150, vectors: np.ndarray | None = None) -> SearchEngine:
        """Chunk, analyse and embed ``docs``. ``vectors`` (one per chunk, in chunk order) skips embedding.
        ``passage_style`` "auto" is :func:`default_passage_style` of the encoder."""
        import bm25s

        if not docs:
            raise InputError("no documents to index")
        docs = [d if d.lang != "und" else _with_lang(d) for d in docs]
        chunks = chunk_documents(docs, max_chars=max_chars, overlap=overlap)
        titles = {d.id: d.title for d in docs}
        langs = {d.id: d.lang for d in docs}
        if lexical_unit == "doc":
            corpus = [analyse(f"{d.title}\n{d.text}", d.lang) for d in docs]
        else:
            corpus = [analyse(f"{titles[c.doc_id]}\n{c.text}", c.lang if c.lang != "und" else langs[c.doc_id])
                      for c in chunks]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        if passage_style == "auto":
            passage_style = default_passage_style(encoder)
        if vectors is None:
            texts = [passage_text(titles[c.doc_id], c.text, passage_style) for c in chunks]
            vectors = encoder.encode(texts, kind=passage_kind(passage_style))
        dim = int(vectors.shape[1]) if len(vectors) else int(encoder.dim)
        index = FaissIndex(dim)
        index.add([chunk_id(c) for c in chunks], vectors)
        return cls(docs, chunks, bm25, index, encoder=encoder, config=config, lexical_unit=lexical_unit,
                   passage_style=passage_style)

    def save(self, path, **extra) -> None:
        """Write the whole engine to the folder ``path`` (atomically replaced)."""
        from review_service.search.persist import save_engine

        save_engine(self, path, extra=extra)

    @classmethod
    def load(cls, path, encoder=None) -> SearchEngine:
        from review_service.search.persist import load_engine

        return load_engine(path, encoder)

    # -- retrieval ----------------------------------------------------------------------------------
    def doc_mask(self, filters: FilterSet) -> np.ndarray | None:
        if not filters:
            return None
        mask = np.ones(len(self.doc_ids), dtype=bool)
        for name, wanted in filters.values.items():
            if name == "year":
                ymask = np.zeros_like(mask)
                for lo, hi in filters.year_ranges:
                    ymask |= (self._years >= lo) & (self._years <= hi)
                mask &= ymask
            else:
                mask &= np.isin(self._facet_arrays[name], list(wanted))
        return mask

    def _lexical_scores(self, terms: list[str], mask: np.ndarray | None) -> np.ndarray:
        rows = len(self.doc_ids) if self.lexical_unit == "doc" else len(self.chunk_ids)
        if not terms:
            return np.zeros(rows, dtype=np.float32)
        scores = np.asarray(self.bm25.get_scores(terms), dtype=np.float32)
        if mask is not None:
            scores = scores * (mask if self.lexical_unit == "doc" else mask[self.chunk_doc_row])
        return scores

    def _dense_top(self, qvec: np.ndarray, depth: int, mask: np.ndarray | None) -> dict[str, float]:
        if mask is None:
            return dict(self.index.search(qvec[None, :], depth)[0])
        allowed = int(mask[self.chunk_doc_row].sum())
        if allowed == 0:
            return {}
        want = min(len(self.chunk_ids), int(depth * len(self.chunk_ids) / allowed) + depth)
        hits = self.index.search(qvec[None, :], want)[0]
        return dict([(c, s) for c, s in hits if mask[self.doc_row[self.chunk_doc[c]]]][:depth])

    def signals(self, query: str, qvec: np.ndarray, filters: FilterSet | None = None,
                depth: int | None = None, terms: list[str] | None = None, lang: str | None = None) -> Signals:
        depth = depth or self.config.depth
        mask = self.doc_mask(filters) if filters else None
        lang = lang or (text_language(query) if query.strip() else "und")
        terms = analyse(query, lang) if terms is None else terms
        lex = self._lexical_scores(terms, mask)
        hit_rows = np.flatnonzero(lex > 0)
        if len(hit_rows) > depth:
            hit_rows = hit_rows[np.argpartition(-lex[hit_rows], depth)[:depth]]
        dense_top = self._dense_top(qvec, depth, mask)
        if self.lexical_unit == "doc":
            lexical_top = frozenset(self.doc_ids[r] for r in hit_rows)
            cand_docs = set(lexical_top)
        else:
            lexical_top = frozenset(self.chunk_ids[r] for r in hit_rows)
            cand_docs = {self.chunk_doc[c] for c in lexical_top}
        dense_docs = {self.chunk_doc[c] for c in dense_top}
        cand_docs |= dense_docs
        # a document's best chunk by cosine is already among FAISS's hits if any of its chunks is; the documents
        # only BM25 found get all their chunks scored here (einsum: BLAS threads stall on a busy CPU)
        dense = dict(dense_top)
        extra = [c for d in sorted(cand_docs - dense_docs) for c in self.doc_chunks[d]]
        if extra:
            vecs = np.stack([self.index.vector(c) for c in extra])
            dense.update(zip(extra, np.einsum("ij,j->i", vecs, qvec.astype(np.float32)).tolist()))
        cids = [c for d in sorted(cand_docs) for c in self.doc_chunks[d]]
        if self.lexical_unit == "doc":
            lexical_chunks = {c: 0.0 for c in cids}
            lexical_docs = {d: float(lex[self.doc_row[d]]) for d in cand_docs}
        else:
            rows = np.fromiter((self.chunk_row[c] for c in cids), dtype=np.int64, count=len(cids))
            lexical_chunks = dict(zip(cids, lex[rows].tolist()))
            lexical_docs = {}
        return Signals(lexical_chunks, dense, lexical_docs, lexical_top, frozenset(dense_top), lang)

    def rank(self, sig: Signals, config: FusionConfig | None = None) -> tuple[dict[str, float], dict, dict]:
        """Fused document scores, plus each signal's raw per-document score (for display)."""
        cfg = config or self.config
        dense_docs = _doc_signal(sig.dense_chunks, sig.dense_top, self.chunk_doc, cfg)
        if self.lexical_unit == "doc":
            lexical_docs = dict(sig.lexical_docs)
            raw_lex = lexical_docs
        else:
            lexical_docs = _doc_signal(sig.lexical_chunks, sig.lexical_top, self.chunk_doc, cfg)
            raw_lex = aggregate(sig.lexical_chunks, self.chunk_doc, how="max")
        raw_dense = aggregate(sig.dense_chunks, self.chunk_doc, how="max")
        unmatched = [] if sig.lang == "und" else [
            d for d in dense_docs if raw_lex.get(d, 0.0) <= 0 and self.docs[d].lang not in (sig.lang, "und")]
        return fuse(lexical_docs, dense_docs, cfg, unmatched), raw_lex, raw_dense

    def query_vector(self, query: str) -> np.ndarray:
        if self.encoder is None:
            raise InputError("this search engine was loaded without an encoder; pass one to embed queries")
        encoder = self.encoder
        return self.query_cache.get((encoder.model_id, encoder.revision, query),
                                    lambda: encoder.encode([query], kind="query")[0])

    def search(self, query: str, k: int = 10, filters: Filters | None = None, *,
               qvec: np.ndarray | None = None, mark: tuple[str, str] = ("**", "**")) -> SearchResult:
        query = query.strip()
        if not query:
            raise InputError("empty query")
        fs = FilterSet(filters)
        lang = text_language(query)
        terms = analyse(query, lang)
        sig = self.signals(query, self.query_vector(query) if qvec is None else qvec, fs, terms=terms, lang=lang)
        return self._result(query, sig, k, fs, set(terms), mark)

    def ranked(self, query: str, k: int = 10, filters: Filters | None = None, *,
               qvec: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Document ids with fused scores, best first, without passages: the fast path for batch runs."""
        fs = FilterSet(filters)
        sig = self.signals(query, self.query_vector(query) if qvec is None else qvec, fs)
        return top(self.rank(sig)[0], k)

    def more_like_this(self, doc_id: str, k: int = 10, filters: Filters | None = None, *,
                       terms: int = 30, mark: tuple[str, str] = ("**", "**")) -> SearchResult:
        """Entries like ``doc_id``: its mean chunk vector and its most distinctive terms as the query."""
        if doc_id not in self.docs:
            raise NotFound(f"no entry {doc_id!r} in the search index")
        vecs = np.stack([self.index.vector(c) for c in self.doc_chunks[doc_id]])
        qvec = vecs.mean(axis=0)
        qvec /= np.linalg.norm(qvec) or 1.0
        top_terms = self._distinctive_terms(doc_id, terms)
        fs = FilterSet(filters)
        sig = self.signals("", qvec.astype(np.float32), fs, depth=self.config.depth + 1, terms=top_terms,
                           lang=self.docs[doc_id].lang)
        result = self._result(f"more like {doc_id}", sig, k + 1, fs, set(top_terms), mark)
        hits = tuple(h for h in result.hits if h.id != doc_id)[:k]
        return SearchResult(result.query, hits, result.facets, result.candidates, result.filters, result.model,
                            result.config)

    def _distinctive_terms(self, doc_id: str, n: int) -> list[str]:
        doc = self.docs[doc_id]
        counts: dict[str, int] = {}
        for cid in self.doc_chunks[doc_id]:
            chunk = self.chunks[self.chunk_row[cid]]
            for t in analyse(f"{doc.title}\n{chunk.text}", chunk.lang if chunk.lang != "und" else doc.lang):
                counts[t] = counts.get(t, 0) + 1
        vocab = self.bm25.vocab_dict
        n_rows = int(self.bm25.scores["num_docs"])
        weight = {t: c * np.log((n_rows + 1) / (self._df[vocab[t]] + 1 if t in vocab else 1))
                  for t, c in counts.items()}
        return [t for t, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]

    def _result(self, query: str, sig: Signals, k: int, fs: FilterSet, terms: set[str],
                mark: tuple[str, str]) -> SearchResult:
        fused, raw_lex, raw_dense = self.rank(sig)
        hits = []
        for doc_id, score in top(fused, k):
            doc = self.docs[doc_id]
            best = max(self.doc_chunks[doc_id], key=lambda c: (sig.dense_chunks.get(c, 0.0)
                                                               + _share(sig.lexical_chunks, c, raw_lex, doc_id)))
            chunk = self.chunks[self.chunk_row[best]]
            spans = match_spans(chunk.text, terms, chunk.lang if chunk.lang != "und" else doc.lang)
            text, shown = snippet(chunk.text, spans, mark=mark)
            hits.append(Hit(doc_id, round(float(score), 6), doc.title, doc.lang, doc.year, self.facets[doc_id],
                            Passage(text, chunk.index, chunk.anchor.label(), tuple(shown)),
                            round(raw_lex.get(doc_id, 0.0), 4), round(raw_dense.get(doc_id, 0.0), 4)))
        facets = count_facets(self.facets[d] for d in fused)
        return SearchResult(query, tuple(hits), facets, len(fused), fs.to_dict(), self.model_id,
                            self.config.to_dict())


def _share(lexical_chunks: dict[str, float], cid: str, raw_lex: dict[str, float], doc_id: str) -> float:
    best = raw_lex.get(doc_id, 0.0)
    return lexical_chunks.get(cid, 0.0) / best if best > 0 else 0.0


def _doc_signal(chunk_scores: dict[str, float], top_ids: frozenset[str], chunk_doc: dict[str, str],
                cfg: FusionConfig) -> dict[str, float]:
    """Chunk scores → document scores, normalised over candidate chunks first when a bonus is added."""
    if cfg.aggregation == "max":
        return aggregate(chunk_scores, chunk_doc, how="max")
    norm = normalise(chunk_scores, cfg.norm if cfg.norm != "none" else "minmax")
    if cfg.aggregation == "sum":
        return aggregate({c: s for c, s in norm.items() if c in top_ids} or norm, chunk_doc, how="sum")
    best = aggregate(norm, chunk_doc, how="max")
    hits: dict[str, int] = {}
    for c in top_ids:
        d = chunk_doc.get(c)
        if d is not None:
            hits[d] = hits.get(d, 0) + 1
    return {d: s + cfg.bonus * max(0, hits.get(d, 0) - 1) for d, s in best.items()}


def _with_lang(doc: Document) -> Document:
    from review_service.language import detect_language

    return Document(doc.id, doc.text, doc.title, detect_language(f"{doc.title}\n{doc.text}"), doc.chunks,
                    doc.year, doc.meta)
