"""Duplicate flags over a batch of entries and an archive of past projects (pure; no I/O).

Kinds, strongest first (one flag per pair, the strongest kind found):
- ``exact``: same text after folding (case, punctuation, Kazakh script);
- ``near_copy``: word-shingle Jaccard ≥ ``near_jaccard`` (MinHash + LSH for candidates, exact Jaccard decides);
- ``crosslingual`` / ``paraphrase``: most of *each* document has a counterpart in the other — same language:
  margin-scored passage alignment over chunk embeddings (:mod:`review_service.stages.dedup.semantic`); across
  languages: runs of sentences translated in order (:mod:`review_service.stages.dedup.sections`);
- ``partial``: a section of one entry appears in the other — by shared shingles (share of the shorter text
  contained in the longer), by passage alignment covering the shorter text only (same language), or, across
  languages, by a run of consecutive sentences that translate a run of the other entry (``crosslingual: true``
  in the exchange row, with the share of each entry covered).

Flags are drafts for the jury, never decisions. Pairs inside the archive are not compared.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from review_service.core.domain import Chunk, Document, DuplicateFlag, Evidence
from review_service.core.language import detect_language
from review_service.intake.chunking import chunk_text, split_sentences, text_blocks
from review_service.stages.dedup import sections, semantic, shingles

logger = logging.getLogger(__name__)

KIND_ORDER = ("exact", "near_copy", "crosslingual", "paraphrase", "partial")
EVIDENCE_CHARS = 600
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


@dataclass(frozen=True)
class DuplicateParams:
    near_jaccard: float = 0.5
    partial_containment: float = 0.35
    semantic_margin: float = 1.06
    semantic_coverage: float = 0.5
    same_language_margin: float = 1.2
    """Same-language passages score higher for everything (shared wording, names): a stricter margin."""
    shingle_size: int = 5
    num_perm: int = 128
    partial_min_shared: int = 8
    """At least this many shared shingles (≈ a sentence or two) before a partial copy is considered."""
    partial_min_copied: int = 40
    """Shared 5-word shingles that make a verbatim passage (~45 words) a partial copy whatever its share of the
    shorter entry; unrelated sample entries share at most 12."""
    max_length_ratio: float = 1.6
    """A whole-document duplicate (paraphrase, translation) is about as long as its original: Russian runs
    ≤ 1.4× the characters of its English or Kazakh version on NTREX. A pair covered on both sides but with
    more disparate lengths is judged as a partial overlap (stricter margin, several passages)."""
    partial_min_passages: int = 2
    """A semantic partial copy needs at least this many aligned passages (one shared paragraph is a topic)."""
    knn: int = 4
    candidate_top: int = 8
    section_partners: int = 3
    """Cross-lingual sentence alignment is run for each document with the ``section_partners`` documents holding
    its best cross-lingual passage margins (≥ ``semantic_margin``); on the dev pools the true partner is first
    or second."""
    section_margin: float = 1.0
    """A sentence pair links when its ratio margin is at least this (and it is the best pair, see
    :func:`sections.links`)."""
    section_min_evidence: float = 0.5
    """A translated section is a run of linked sentences, in order, whose evidence Σ (margin − 1) reaches this:
    e.g. three sentences at 1.17 or two at 1.25. On the 12 dev compositions no run between different articles
    (same event included) exceeds 0.45; 92 of 96 translated sections reach 0.5."""
    section_min_links: int = 2
    section_min_chars: int = 150
    """… covering at least this many characters on each side (a single sentence is never a section)."""
    section_max_step: int = 3
    """Consecutive links may be up to this many sentences apart on either side: Kazakh translations often split
    one Russian or English sentence in two or three, and a sentence may be dropped."""
    max_evidence: int = 3
    chunk_chars: int = 900
    chunk_overlap: int = 150

    @classmethod
    def from_settings(cls, settings: object | None, **overrides: object) -> DuplicateParams:
        if settings is None:
            return cls(**overrides)  # type: ignore[arg-type]
        base = {"near_jaccard": settings.dup_near_jaccard, "partial_containment": settings.dup_partial_containment,
                "semantic_margin": settings.dup_semantic_margin, "semantic_coverage": settings.dup_semantic_coverage,
                "chunk_chars": settings.chunk_chars, "chunk_overlap": settings.chunk_overlap_chars}
        for name in ("knn", "shingle_size", "partial_min_shared", "same_language_margin", "partial_min_copied",
                     "max_length_ratio", "section_partners", "section_margin", "section_min_evidence",
                     "section_min_links", "section_min_chars", "section_max_step"):
            if hasattr(settings, f"dup_{name}"):
                base[name] = getattr(settings, f"dup_{name}")
        base.update(overrides)
        return cls(**base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SectionFlag(DuplicateFlag):
    """A flag found by cross-lingual sentence alignment: ``crosslingual`` (whole translation) or ``partial`` (a
    translated section); ``coverage_a``/``coverage_b`` are the length-weighted shares of each entry aligned."""

    crosslingual: bool = True
    coverage_a: float = 0.0
    coverage_b: float = 0.0


@dataclass
class _Pool:
    docs: list[Document]
    n_batch: int
    params: DuplicateParams
    _chunks: dict[int, tuple[Chunk, ...]] = field(default_factory=dict)

    def chunks(self, i: int) -> tuple[Chunk, ...]:
        if i not in self._chunks:
            self._chunks[i] = _chunks_of(self.docs[i], self.params)
        return self._chunks[i]

    def is_archive(self, i: int) -> bool:
        return i >= self.n_batch

    def comparable(self, i: int, j: int) -> bool:
        return i != j and not (self.is_archive(i) and self.is_archive(j))


def _chunks_of(doc: Document, params: DuplicateParams) -> tuple[Chunk, ...]:
    if doc.chunks:
        return doc.chunks
    return chunk_text(doc.id, doc.text, max_chars=params.chunk_chars, overlap=params.chunk_overlap, detect=False)


def _lang_of(doc: Document) -> str:
    return doc.lang if doc.lang != "und" else detect_language(doc.text)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1].rstrip() + "…"


def _text_key(text: str) -> str:
    return hashlib.sha256(" ".join(shingles.words(text)).encode("utf-8")).hexdigest()


# --- lexical kinds -------------------------------------------------------------------------------------------
def _exact(pool: _Pool) -> dict[tuple[int, int], float]:
    first: dict[str, list[int]] = {}
    for i, doc in enumerate(pool.docs):
        if doc.text.strip():
            first.setdefault(_text_key(doc.text), []).append(i)
    found = {}
    for members in first.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if pool.comparable(members[x], members[y]):
                    found[(members[x], members[y])] = 1.0
    return found


def _lexical(pool: _Pool, params: DuplicateParams, sets: list[np.ndarray],
             ) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """near_copy (MinHash LSH candidates, exact Jaccard) and partial (exact containment of the shorter, or a
    verbatim passage of at least ``partial_min_copied`` shared shingles: a section copied into a longer entry)."""
    near: dict[tuple[int, int], float] = {}
    sig = shingles.minhash_signatures(sets, params.num_perm)
    bands, rows = shingles.lsh_params(params.near_jaccard, params.num_perm)
    for i, j in shingles.lsh_candidates(sig, bands, rows):
        if pool.comparable(i, j):
            jac = shingles.jaccard(sets[i], sets[j])
            if jac >= params.near_jaccard:
                near[(i, j)] = jac
    partial: dict[tuple[int, int], float] = {}
    for (i, j), shared in shingles.shared_shingle_pairs(sets, min_shared=params.partial_min_shared).items():
        if (i, j) in near or not pool.comparable(i, j):
            continue
        containment = shared / max(1, min(len(sets[i]), len(sets[j])))
        # a share of the shorter text, or a copied passage long enough (~45 words) that chance is ruled out
        if containment >= params.partial_containment or shared >= params.partial_min_copied:
            partial[(i, j)] = containment
    return near, partial


def _sentences(doc: Document, chunks: Sequence[Chunk], *, unwrap: bool = False) -> list[tuple[str, str]]:
    """(sentence, anchor label) for every sentence of a document, in order; plain text is anchored by paragraph
    (section N), parsed documents by their chunks' anchors (page, slide, time). ``unwrap``: line breaks inside a
    paragraph or chunk do not end a sentence (hard-wrapped text files, PDF lines) — only punctuation does."""
    units = [(b.text, b.anchor) for b in text_blocks(doc.text)] if not doc.chunks else [(c.text, c.anchor) for c in chunks]
    seen: set[str] = set()
    out = []
    for text, anchor in units:
        if unwrap:
            text = _LINE_BREAK.sub(" ", text)
        for sentence in split_sentences(text):
            if sentence not in seen:  # chunk overlap repeats a sentence
                seen.add(sentence)
                out.append((sentence, anchor.label()))
    return out


def _lexical_evidence(pool: _Pool, i: int, j: int, params: DuplicateParams) -> tuple[Evidence, ...]:
    """Runs of consecutive sentences of ``i`` found (by shingles) in ``j``, side by side with the span of
    ``j`` they came from; best-covered runs first."""
    sa, sb = _sentences(pool.docs[i], pool.chunks(i)), _sentences(pool.docs[j], pool.chunks(j))
    size = params.shingle_size
    ha = [shingles.shingle_hashes(t, size) for t, _ in sa]
    hb = [shingles.shingle_hashes(t, size) for t, _ in sb]
    all_b = np.unique(np.concatenate(hb)) if hb else np.zeros(0, np.uint64)
    hit = [len(h) > 0 and shingles.overlap(h, all_b) / len(h) >= 0.5 for h in ha]
    runs, start = [], None
    for x, ok in enumerate([*hit, False]):
        if ok and start is None:
            start = x
        elif not ok and start is not None:
            runs.append((start, x))
            start = None
    scored = []
    for lo, hi in runs:
        run_h = np.unique(np.concatenate(ha[lo:hi]))
        matched = [y for y, h in enumerate(hb) if len(h) and shingles.overlap(h, run_h) > 0]
        if not matched:
            continue
        blo, bhi = min(matched), max(matched) + 1
        if bhi - blo > 3 * (hi - lo) + 2:  # scattered matches: show the best sentence only
            y = max(matched, key=lambda y: shingles.overlap(hb[y], run_h))
            blo, bhi = y, y + 1
        cover = shingles.overlap(run_h, all_b) / max(1, len(run_h))
        scored.append((sum(len(h) for h in ha[lo:hi]), cover, lo, hi, blo, bhi))
    scored.sort(key=lambda t: (-t[0], t[2]))
    out = []
    for _, cover, lo, hi, blo, bhi in scored[:params.max_evidence]:
        out.append(Evidence(_clip(" ".join(t for t, _ in sa[lo:hi])), _clip(" ".join(t for t, _ in sb[blo:bhi])),
                            _span_label(sa[lo:hi]), _span_label(sb[blo:bhi]), round(float(cover), 4)))
    return tuple(out)


def _span_label(units: Sequence[tuple[str, str]]) -> str:
    first, last = units[0][1], units[-1][1]
    return first if first == last else f"{first} – {last}"


# --- semantic kinds ------------------------------------------------------------------------------------------
def _encode_passages(pool: _Pool, encoder: object, progress: Callable | None) -> semantic.Passages:
    texts, owner, langs, lengths = [], [], [], []
    doc_langs = [_lang_of(d) for d in pool.docs]
    for i in range(len(pool.docs)):
        for c in pool.chunks(i):
            texts.append(c.text)
            owner.append(i)
            langs.append(doc_langs[i])
            lengths.append(len(c.text))
    vectors = semantic.encode_texts(texts, encoder, progress=progress)
    return semantic.Passages(vectors, np.array(owner, dtype=np.int64), np.array(langs), np.array(lengths, float))


def _semantic(pool: _Pool, params: DuplicateParams, p: semantic.Passages, sets: list[np.ndarray],
              ) -> dict[tuple[int, int], tuple[str, semantic.Alignment]]:
    """Same-language pairs: paraphrase or partial by passage alignment (cross-lingual pairs: :func:`_sections`)."""
    if not len(p.vectors):
        return {}
    knn = semantic.knn_means(p, params.knn)
    best = semantic.best_docs(p, knn)
    rows_of = {i: np.flatnonzero(p.doc == i) for i in range(len(pool.docs))}
    found: dict[tuple[int, int], tuple[str, semantic.Alignment]] = {}
    margin = params.same_language_margin
    for i, j in sorted(semantic.candidate_doc_pairs(p, knn, top=params.candidate_top, margin=params.semantic_margin)):
        if not pool.comparable(i, j) or not len(rows_of[i]) or not len(rows_of[j]):
            continue
        if p.lang[rows_of[i][0]] != p.lang[rows_of[j][0]]:
            continue  # across languages the sentences decide (_sections)
        al = semantic.align_pair(p, rows_of[i], rows_of[j], knn, i, j, margin=margin, best=best)
        lo_cov, hi_cov = sorted((al.coverage_a, al.coverage_b))
        lengths = sorted((p.length[rows_of[i]].sum(), p.length[rows_of[j]].sum()))
        if lo_cov >= params.semantic_coverage and lengths[1] <= params.max_length_ratio * lengths[0]:
            kind = "paraphrase"
        elif hi_cov >= params.semantic_coverage:
            # a section copied into a longer entry: several passages, the shorter entry the covered one
            if len(al.pairs) < params.partial_min_passages or not _shorter_covered(pool, al, i, j):
                continue
            # within one language a section taken from another entry keeps some of its wording; without a
            # shared phrase, two entries on one subject (two match reports) align just as well
            if shingles.overlap(sets[i], sets[j]) < params.partial_min_shared:
                continue
            kind = "partial"
        else:
            continue
        found[(i, j)] = (kind, al)
    return found


def _units(pool: _Pool, i: int, lang: str) -> list[sections.Unit]:
    """Sentence units of document ``i``, each with its own language (an entry may quote or translate a section
    in another language than its own); a sentence whose language cannot be told takes the document's."""
    sents = _sentences(pool.docs[i], pool.chunks(i), unwrap=True)
    langs = []
    for text, _ in sents:
        got = detect_language(text)
        langs.append(got if got != "und" else lang)
    return sections.units_of(sents, langs)


def _sections(pool: _Pool, params: DuplicateParams, p: semantic.Passages, encoder: object,
              progress: Callable | None) -> tuple[dict[tuple[int, int], sections.SectionMatch],
                                                   dict[int, list[sections.Unit]]]:
    """Cross-lingual pairs by sentence alignment: candidates are each document's best cross-lingual partners at
    the passage level (passages labelled with their own language), then the sentences of the candidates are
    embedded and aligned (:func:`sections.match_sections`)."""
    if not len(p.vectors):
        return {}, {}
    chunk_langs = []
    for i in range(len(pool.docs)):
        doc_lang = str(p.lang[p.doc == i][0]) if (p.doc == i).any() else "und"
        for c in pool.chunks(i):
            got = c.lang if c.lang != "und" else detect_language(c.text)
            chunk_langs.append(got if got != "und" else doc_lang)
    pc = semantic.Passages(p.vectors, p.doc, np.array(chunk_langs), p.length)
    n = len(pool.docs)
    comparable = np.array([[pool.comparable(i, j) for j in range(n)] for i in range(n)], dtype=bool)
    pairs = semantic.crosslingual_partners(pc, semantic.knn_means(pc, params.knn), top=params.section_partners,
                                           margin=params.semantic_margin, comparable=comparable)
    if not pairs:
        return {}, {}
    needed = sorted({d for pair in pairs for d in pair})
    units = {i: _units(pool, i, str(pc.lang[pc.doc == i][0])) for i in needed}
    texts = [u.text for i in needed for u in units[i]]
    vectors = semantic.encode_texts(texts, encoder, progress=progress, desc="aligning sentences")
    by_doc, at = {}, 0
    for i in needed:
        by_doc[i] = vectors[at:at + len(units[i])]
        at += len(units[i])
    found = sections.match_sections(units, by_doc, sorted(pairs), margin=params.section_margin,
                                    min_evidence=params.section_min_evidence, min_links=params.section_min_links,
                                    min_run_chars=params.section_min_chars, max_step=params.section_max_step,
                                    k=params.knn)
    return found, units


def _section_kind(pool: _Pool, params: DuplicateParams, match: sections.SectionMatch) -> str:
    """``crosslingual`` when most of each entry is covered and they are about as long; else ``partial``."""
    lengths = sorted((len(pool.docs[match.a].text), len(pool.docs[match.b].text)))
    whole = min(match.coverage_a, match.coverage_b) >= params.semantic_coverage \
        and lengths[1] <= params.max_length_ratio * lengths[0]
    return "crosslingual" if whole else "partial"


def _section_evidence(match: sections.SectionMatch, units: dict[int, list[sections.Unit]],
                      params: DuplicateParams) -> tuple[Evidence, ...]:
    """The aligned runs side by side, longest first, cut into pieces of at most ``EVIDENCE_CHARS`` a side so a
    long section is shown whole (up to ``max_evidence`` pieces)."""
    ua, ub = units[match.a], units[match.b]
    out: list[Evidence] = []
    for run in match.runs:
        piece: list[tuple[int, int, float]] = []
        groups = []
        for link in run.links:
            if piece:
                a_len = sum(len(u.text) for u in ua[piece[0][0]:link[0] + 1])
                b_len = sum(len(u.text) for u in ub[piece[0][1]:link[1] + 1])
                if max(a_len, b_len) > EVIDENCE_CHARS:
                    groups.append(piece)
                    piece = []
            piece.append(link)
        groups.append(piece)
        for g in groups:
            a_units, b_units = ua[g[0][0]:g[-1][0] + 1], ub[g[0][1]:g[-1][1] + 1]
            out.append(Evidence(_clip(" ".join(u.text for u in a_units)), _clip(" ".join(u.text for u in b_units)),
                                _span_label([(u.text, u.anchor) for u in a_units]),
                                _span_label([(u.text, u.anchor) for u in b_units]),
                                round(float(np.mean([m for *_, m in g])), 4)))
            if len(out) >= params.max_evidence:
                return tuple(out)
    return tuple(out)


def _shorter_covered(pool: _Pool, al: semantic.Alignment, i: int, j: int) -> bool:
    short_is_a = len(pool.docs[i].text) <= len(pool.docs[j].text)
    return (al.coverage_a if short_is_a else al.coverage_b) >= max(al.coverage_a, al.coverage_b)


def _semantic_evidence(pool: _Pool, p: semantic.Passages, al: semantic.Alignment,
                       params: DuplicateParams) -> tuple[Evidence, ...]:
    rows_a, rows_b = np.flatnonzero(p.doc == al.a), np.flatnonzero(p.doc == al.b)
    ca, cb = pool.chunks(al.a), pool.chunks(al.b)
    out = []
    for x, y, m in al.pairs[:params.max_evidence]:
        cx, cy = ca[int(rows_a[x] - rows_a[0])], cb[int(rows_b[y] - rows_b[0])]
        out.append(Evidence(_clip(cx.text), _clip(cy.text), cx.anchor.label(), cy.anchor.label(), round(m, 4)))
    return tuple(out)


# --- composition ---------------------------------------------------------------------------------------------
def find_duplicates(docs: Sequence[Document], *, archive: Sequence[Document] = (), encoder: object | None = None,
                    settings: object | None = None, params: DuplicateParams | None = None,
                    progress: Callable | None = None) -> list[DuplicateFlag]:
    """Draft duplicate flags among ``docs`` and between ``docs`` and ``archive``.

    ``encoder`` (the :class:`embeddings.encoder.Encoder` protocol) enables the paraphrase/cross-lingual
    kinds; without it only exact, near-copy and partial (lexical) flags are produced. ``progress`` is a
    factory ``progress(total=, desc=)`` returning a tqdm-like bar (``update``, ``close``) used while embedding.
    """
    params = params or DuplicateParams.from_settings(settings)
    pool = _Pool(docs=[*docs, *archive], n_batch=len(docs), params=params)
    ids = [d.id for d in pool.docs]
    if len(set(ids)) != len(ids):
        from review_service.core.errors import InputError

        raise InputError("document ids must be unique across the batch and the archive")
    sets = [shingles.shingle_hashes(d.text, params.shingle_size) for d in pool.docs]

    best: dict[tuple[int, int], tuple[str, float, tuple[Evidence, ...]]] = {}

    def offer(pair: tuple[int, int], kind: str, score: float, evidence: Callable[[], tuple[Evidence, ...]]) -> None:
        if pair in best and KIND_ORDER.index(best[pair][0]) <= KIND_ORDER.index(kind):
            return
        best[pair] = (kind, score, evidence())

    for pair, score in _exact(pool).items():
        offer(pair, "exact", score, lambda: ())
    near, partial = _lexical(pool, params, sets)
    for pair, score in near.items():
        offer(pair, "near_copy", score, lambda pair=pair: _lexical_evidence(pool, *pair, params))
    for pair, score in partial.items():
        offer(pair, "partial", score, lambda pair=pair: _lexical_evidence(pool, *pair, params))
    covered: dict[tuple[int, int], tuple[float, float]] = {}
    if encoder is not None:
        p = _encode_passages(pool, encoder, progress)
        for pair, (kind, al) in _semantic(pool, params, p, sets).items():
            score = min(al.coverage_a, al.coverage_b) if kind != "partial" else max(al.coverage_a, al.coverage_b)
            offer(pair, kind, round(score, 4), lambda al=al: _semantic_evidence(pool, p, al, params))
        matches, units = _sections(pool, params, p, encoder, progress)
        for pair, match in matches.items():
            kind = _section_kind(pool, params, match)
            lo_cov, hi_cov = sorted((match.coverage_a, match.coverage_b))
            before = best.get(pair)
            offer(pair, kind, round(lo_cov if kind == "crosslingual" else hi_cov, 4),
                  lambda match=match: _section_evidence(match, units, params))
            if best.get(pair) is not before:
                covered[pair] = (match.coverage_a, match.coverage_b)

    flags = []
    for (i, j), (kind, score, evidence) in sorted(best.items(), key=lambda t: (KIND_ORDER.index(t[1][0]), -t[1][1])):
        cov = covered.get((i, j))
        if pool.is_archive(i):  # keep the batch entry first
            i, j = j, i
            evidence = tuple(Evidence(e.b_text, e.a_text, e.b_anchor, e.a_anchor, e.score) for e in evidence)
            cov = cov[::-1] if cov else None
        flag = DuplicateFlag(a=ids[i], b=ids[j], kind=kind, score=round(float(score), 4), evidence=evidence,
                             b_is_archive=pool.is_archive(j))
        if cov is not None:
            flag = SectionFlag(**vars(flag), coverage_a=round(cov[0], 4), coverage_b=round(cov[1], 4))
        flags.append(flag)
    logger.info("%d duplicate flags among %d entries (+%d archive)", len(flags), len(docs), len(archive))
    return flags


def flag_to_row(flag: DuplicateFlag) -> dict:
    """The exchange-file form: ``{"a","b","kind","score","evidence":[...]}`` (+ ``b_is_archive``), and for flags
    found by cross-lingual sentence alignment ``"crosslingual": true`` and ``"coverage": {"a", "b"}``."""
    row = {"a": flag.a, "b": flag.b, "kind": flag.kind, "score": flag.score,
           "evidence": [{"a_text": e.a_text, "a_anchor": e.a_anchor, "b_text": e.b_text, "b_anchor": e.b_anchor,
                         "score": e.score} for e in flag.evidence],
           "b_is_archive": flag.b_is_archive}
    if isinstance(flag, SectionFlag):
        row["crosslingual"] = flag.crosslingual
        row["coverage"] = {"a": flag.coverage_a, "b": flag.coverage_b}
    return row
