"""SearchEngine: BM25 over the analyser's terms + BM25 over character n-grams + dense cosine over chunks, fused
into a document ranking.

Build once from documents and an :class:`embeddings.encoder.Encoder`; ``search`` is then side-effect free (one
query embedding, two sparse BM25 passes, one FAISS search, a few thousand multiplications), and safe to share
across threads. ``save``/``load`` keep the whole engine in one folder, written atomically.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from embeddings.encoder import Kind, encode_in_batches, titled_passage
from embeddings.index import FaissIndex
from review_service.core.domain import Chunk, Document
from review_service.core.errors import InputError, NotFound
from review_service.core.kk_typing import KeyboardRestorer, apostrophe_latin
from review_service.core.lexical import analyse, char_ngrams, text_language
from review_service.intake.chunking import chunk_text
from review_service.search.adaptive import adaptive_dense_weight, lexical_confidence, term_coverage
from review_service.search.facets import FACETS, Filters, FilterSet, count_facets, facet_values
from review_service.search.fusion import FusionConfig, fuse, top
from review_service.search.granularity import best_window, chunk_dense, window_rows
from review_service.search.highlight import match_spans, near_words, snippet
from review_service.search.hits import Hit, Passage, SearchResult
from review_service.search.query_cache import QueryVectorCache
from review_service.search.signals import Signals, doc_signal, top_rows

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


def passage_kind(style: str) -> Kind:
    return "raw" if style == "title_slot" else "document"


def default_passage_style(encoder) -> str:
    """The model's title slot where it has one (EmbeddingGemma: dense-only nDCG@10 0.668 vs 0.635 on the held-out
    half of KazQAD, see docs/search.md), else the bare chunk."""
    return "title_slot" if getattr(encoder, "title_slot", False) else "chunk"


def chunk_id(chunk: Chunk) -> str:
    return f"{chunk.doc_id}#{chunk.index}"


class SearchEngine:
    def __init__(self, docs: Sequence[Document], chunks: Sequence[Chunk], bm25, grams, index: FaissIndex, *,
                 encoder=None, config: FusionConfig | None = None, lexical_unit: str = "chunk",
                 passage_style: str = "chunk", model_id: str = "", revision: str = "",
                 windows: FaissIndex | None = None) -> None:
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
        # each document's chunk rows as one sorted array + offsets, to gather a candidate set without a loop
        self._rows_by_doc = np.argsort(self.chunk_doc_row, kind="stable")
        self._doc_len = np.bincount(self.chunk_doc_row, minlength=len(self.doc_ids))
        self._doc_start = np.concatenate([[0], np.cumsum(self._doc_len)[:-1]]).astype(np.int64)
        self.bm25 = bm25
        self.grams = grams  # bm25s over character n-grams of each chunk (title + text)
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
        self.windows = windows  # sentence windows of the chunks (search/granularity.py), ids "0", "1", … in order
        owner = window_rows([c.text for c in self.chunks])[1] if windows is not None else np.zeros(0, np.int64)
        self._win_owner = owner
        self._win_len = np.bincount(owner, minlength=len(self.chunks)).astype(np.int64)
        self._win_start = np.concatenate([[0], np.cumsum(self._win_len)[:-1]]).astype(np.int64)
        self._restorer: KeyboardRestorer | None = None

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: Sequence[Document], encoder, *, config: FusionConfig | None = None,
              lexical_unit: str = "chunk", passage_style: str = "auto", max_chars: int = 900,
              overlap: int = 150, vectors: np.ndarray | None = None, window_vectors: np.ndarray | None = None,
              progress=None, passage_encoder=None) -> SearchEngine:
        """Chunk, analyse and embed ``docs``. ``vectors`` (one per chunk, in chunk order) skips embedding, and
        ``window_vectors`` (one per sentence window, :func:`window_rows` order) the windows' embedding; windows
        are only built when ``config.window_share`` > 0. ``passage_encoder`` embeds the passages instead of
        ``encoder`` (a cached one: only new passages cost).
        ``passage_style`` "auto" is :func:`default_passage_style` of the encoder. ``progress(total, desc)``, if
        given, returns a bar (``update(n)``, ``close()``) advanced as chunks are embedded."""
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
        grams = bm25s.BM25()
        grams.index([char_ngrams(f"{titles[c.doc_id]}\n{c.text}") for c in chunks], show_progress=False)
        if passage_style == "auto":
            passage_style = default_passage_style(encoder)
        windows, owner = window_rows([c.text for c in chunks]) if (config or FusionConfig()).window_share > 0 \
            else ([], np.zeros(0, np.int64))
        texts = [] if vectors is not None else [passage_text(titles[c.doc_id], c.text, passage_style) for c in chunks]
        if window_vectors is None:
            texts += [passage_text(titles[chunks[o].doc_id], w, passage_style) for w, o in zip(windows, owner)]
        if texts or vectors is None:
            bar = progress(len(texts), "embedding passages") if progress else None
            try:
                embedded = encode_in_batches(passage_encoder or encoder, texts, kind=passage_kind(passage_style),
                                             on_batch=bar.update if bar is not None else None)
            finally:
                if bar is not None:
                    bar.close()
            if vectors is None:
                vectors, embedded = embedded[:len(chunks)], embedded[len(chunks):]
            if window_vectors is None:
                window_vectors = embedded
        assert vectors is not None
        dim = int(vectors.shape[1]) if len(vectors) else int(encoder.dim)
        index = FaissIndex(dim)
        index.add([chunk_id(c) for c in chunks], vectors)
        win_index = None
        if len(windows):
            win_index = FaissIndex(dim)
            win_index.add([str(i) for i in range(len(windows))], np.asarray(window_vectors, dtype=np.float32))
        return cls(docs, chunks, bm25, grams, index, encoder=encoder, config=config, lexical_unit=lexical_unit,
                   passage_style=passage_style, windows=win_index)

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

    def _ngram_scores(self, grams: list[str], mask: np.ndarray | None) -> np.ndarray:
        known = [g for g in grams if g in self.grams.vocab_dict]
        if not known:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        scores = np.asarray(self.grams.get_scores(known), dtype=np.float32)
        return scores if mask is None else scores * mask[self.chunk_doc_row]

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
        lex_rows = top_rows(lex, depth)
        gram = self._ngram_scores(char_ngrams(query), mask) if self.config.ngram_share > 0 and query else None
        gram_rows = top_rows(gram, depth) if gram is not None else np.zeros(0, dtype=np.int64)
        dense_rows = np.fromiter((self.chunk_row[c] for c in self._dense_top(qvec, depth, mask)), dtype=np.int64)
        if self._use_windows():
            dense_rows = np.unique(np.concatenate([dense_rows, self._window_top(qvec, depth, mask)]))
        lex_docs = lex_rows if self.lexical_unit == "doc" else self.chunk_doc_row[lex_rows]
        cand = np.unique(np.concatenate([lex_docs, self.chunk_doc_row[gram_rows], self.chunk_doc_row[dense_rows]]))
        lens = self._doc_len[cand]
        cand, lens = cand[lens > 0], lens[lens > 0]
        if not len(cand):
            none, no = np.zeros(0), np.zeros(0, dtype=bool)
            return Signals((), np.zeros(0, dtype=np.int64), (), none, none, None, no, no, no, None, lang)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        offsets = np.arange(int(lens.sum())) - np.repeat(starts, lens)
        rows = self._rows_by_doc[np.repeat(self._doc_start[cand], lens) + offsets]
        cids = tuple(self.chunk_ids[r] for r in rows)
        # the cosine of every candidate chunk, FAISS's hits included (one gather and one product; einsum because
        # BLAS threads stall on a busy CPU)
        dense = np.einsum("ij,j->i", self.index.vectors(cids), qvec.astype(np.float32))
        if self._use_windows():
            dense = chunk_dense(dense, self._window_best(rows, qvec), self.config.window_share)
        if self.lexical_unit == "doc":
            lexical, lexical_top, lexical_docs = np.zeros(len(rows)), np.isin(cand, lex_rows), lex[cand]
        else:
            lexical, lexical_top, lexical_docs = lex[rows], np.isin(rows, lex_rows), None
        best = lex[lex_rows]
        coverage = term_coverage(self.bm25, self._df, terms, int(lex_rows[np.argmax(best)])) if len(best) else 0.0
        return Signals(tuple(self.doc_ids[d] for d in cand), starts, cids, lexical, dense,
                       gram[rows] if gram is not None else None, lexical_top, np.isin(rows, dense_rows),
                       np.isin(rows, gram_rows), lexical_docs, lang, coverage, np.sort(best)[::-1][:10])

    def _use_windows(self) -> bool:
        return self.windows is not None and self.config.window_share > 0

    def _window_top(self, qvec: np.ndarray, depth: int, mask: np.ndarray | None) -> np.ndarray:
        """Chunk rows of the best ``depth`` sentence windows (within the filter)."""
        assert self.windows is not None
        want = depth if mask is None else min(len(self.windows), 4 * depth)
        rows = self._win_owner[np.fromiter((int(w) for w, _ in self.windows.search(qvec[None, :], want)[0]),
                                           dtype=np.int64)]
        if mask is not None:
            rows = rows[mask[self.chunk_doc_row[rows]]]
        return rows[:depth]

    def _window_best(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """The best window cosine of each chunk row in ``rows`` (NaN for a chunk without windows)."""
        assert self.windows is not None
        lens = self._win_len[rows]
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        wrows = np.repeat(self._win_start[rows], lens) + (np.arange(int(lens.sum())) - np.repeat(starts, lens))
        cos = np.einsum("ij,j->i", self.windows.vectors([str(w) for w in wrows]), qvec.astype(np.float32))
        return best_window(cos, np.repeat(np.arange(len(rows)), lens), len(rows))

    def rank(self, sig: Signals, config: FusionConfig | None = None) -> tuple[dict[str, float], dict, dict]:
        """Fused document scores, plus each signal's raw per-document score (for display)."""
        cfg = config or self.config
        docs = sig.doc_ids
        if not docs:
            return {}, {}, {}
        raw_dense = np.maximum.reduceat(sig.dense, sig.starts)
        dense_docs = doc_signal(sig.dense, sig.dense_top, sig.starts, cfg)
        if sig.lexical_docs is not None:
            raw_lex = lexical_docs = sig.lexical_docs
        else:
            raw_lex = np.maximum.reduceat(sig.lexical, sig.starts)
            lexical_docs = doc_signal(sig.lexical, sig.lexical_top, sig.starts, cfg)
        ngram_docs = (None if sig.ngram is None or cfg.ngram_share <= 0 else
                      dict(zip(docs, doc_signal(sig.ngram, sig.ngram_top, sig.starts, cfg).tolist())))
        # entries in another language than the query ("dense": all of them; "impute": those sharing no word)
        unmatched = [] if sig.lang == "und" else [
            d for d, lx in zip(docs, raw_lex) if (lx <= 0 or cfg.other_language == "dense")
            and self.docs[d].lang not in (sig.lang, "und")]
        weight = adaptive_dense_weight(cfg.dense_weight, lexical_confidence(
            sig.coverage, sig.lexical_best if sig.lexical_best is not None else np.zeros(0), cfg.adaptive))
        fused = fuse(dict(zip(docs, lexical_docs.tolist())), dict(zip(docs, dense_docs.tolist())), cfg, unmatched,
                     ngram_docs, weight)
        return fused, dict(zip(docs, raw_lex.tolist())), dict(zip(docs, raw_dense.tolist()))

    def normalise_query(self, query: str) -> str:
        """Kazakh typed in apostrophe Latin or on a Russian keyboard, restored (``config.typing``)."""
        if not self.config.typing:
            return query
        if self._restorer is None:  # built once from the indexed words (idempotent, so no lock)
            self._restorer = KeyboardRestorer.from_texts(f"{self.docs[c.doc_id].title}\n{c.text}" for c in self.chunks)
        return self._restorer.restore(apostrophe_latin(query))

    def query_vector(self, query: str) -> np.ndarray:
        if self.encoder is None:
            raise InputError("this search engine was loaded without an encoder; pass one to embed queries")
        encoder = self.encoder
        return self.query_cache.get((encoder.model_id, encoder.revision, query),
                                    lambda: encoder.encode([query], kind="query")[0])

    def search(self, query: str, k: int = 10, filters: Filters | None = None, *,
               qvec: np.ndarray | None = None, mark: tuple[str, str] = ("**", "**")) -> SearchResult:
        query = self.normalise_query(query.strip())
        if not query:
            raise InputError("empty query")
        fs = FilterSet(filters)
        lang = text_language(query)
        terms = analyse(query, lang)
        sig = self.signals(query, self.query_vector(query) if qvec is None else qvec, fs, terms=terms, lang=lang)
        return self._result(query, sig, k, fs, set(terms), mark, near_words(query))

    def ranked(self, query: str, k: int = 10, filters: Filters | None = None, *,
               qvec: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Document ids with fused scores, best first, without passages: the fast path for batch runs."""
        fs = FilterSet(filters)
        query = self.normalise_query(query)
        sig = self.signals(query, self.query_vector(query) if qvec is None else qvec, fs)
        return top(self.rank(sig)[0], k)

    def more_like_this(self, doc_id: str, k: int = 10, filters: Filters | None = None, *,
                       terms: int = 30, mark: tuple[str, str] = ("**", "**")) -> SearchResult:
        """Entries like ``doc_id``: its mean chunk vector and its most distinctive terms as the query."""
        if doc_id not in self.docs:
            raise NotFound(f"no entry {doc_id!r} in the search index")
        vecs = self.index.vectors(self.doc_chunks[doc_id])
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
                mark: tuple[str, str], near: list[frozenset[str]] | None = None) -> SearchResult:
        fused, raw_lex, raw_dense = self.rank(sig)
        hits = []
        for doc_id, score in top(fused, k):
            doc = self.docs[doc_id]
            span = sig.doc_slice(doc_id)  # its best chunk: cosine + share of the document's best BM25
            lex_share = sig.lexical[span] / raw_lex[doc_id] if raw_lex.get(doc_id, 0.0) > 0 else 0.0
            best = sig.chunk_ids[span][int(np.argmax(sig.dense[span] + lex_share))]
            chunk = self.chunks[self.chunk_row[best]]
            spans = match_spans(chunk.text, terms, chunk.lang if chunk.lang != "und" else doc.lang, near or ())
            text, shown = snippet(chunk.text, spans, mark=mark)
            hits.append(Hit(doc_id, round(float(score), 6), doc.title, doc.lang, doc.year, self.facets[doc_id],
                            Passage(text, chunk.index, chunk.anchor.label(), tuple(shown)),
                            round(raw_lex.get(doc_id, 0.0), 4), round(raw_dense.get(doc_id, 0.0), 4)))
        facets = count_facets(self.facets[d] for d in fused)
        return SearchResult(query, tuple(hits), facets, len(fused), fs.to_dict(), self.model_id,
                            self.config.to_dict())


def _with_lang(doc: Document) -> Document:
    from review_service.core.language import detect_language

    return Document(doc.id, doc.text, doc.title, detect_language(f"{doc.title}\n{doc.text}"), doc.chunks,
                    doc.year, doc.meta)
