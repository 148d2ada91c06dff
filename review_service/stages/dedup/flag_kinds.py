"""Which pairs of documents are duplicates, kind by kind (strongest first, see
:mod:`review_service.stages.duplicates`): ``exact`` and the lexical kinds (``near_copy``, ``partial`` by shared
shingles), the same-language semantic kinds (``paraphrase``, ``partial`` by passage alignment) and the
cross-lingual ones (``crosslingual``, ``partial`` by translated sentence runs). Each returns the pairs it found;
the passages shown for them are in :mod:`review_service.stages.dedup.flag_evidence`."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from embeddings.encoder import Encoder
from review_service.core.language import detect_language
from review_service.stages.dedup import sections, semantic, shingles
from review_service.stages.dedup.doc_pool import Pool, lang_of, sentences, text_key
from review_service.stages.dedup.duplicate_params import DuplicateParams


# --- lexical kinds -------------------------------------------------------------------------------------------
def exact_pairs(pool: Pool) -> dict[tuple[int, int], float]:
    first: dict[str, list[int]] = {}
    for i, doc in enumerate(pool.docs):
        if doc.text.strip():
            first.setdefault(text_key(doc.text), []).append(i)
    found = {}
    for members in first.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if pool.comparable(members[x], members[y]):
                    found[(members[x], members[y])] = 1.0
    return found


def lexical_pairs(pool: Pool, params: DuplicateParams, sets: list[np.ndarray],
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


# --- semantic kinds ------------------------------------------------------------------------------------------
def encode_passages(pool: Pool, encoder: Encoder, progress: Callable | None) -> semantic.Passages:
    texts, owner, langs, lengths = [], [], [], []
    doc_langs = [lang_of(d) for d in pool.docs]
    for i in range(len(pool.docs)):
        for c in pool.chunks(i):
            texts.append(c.text)
            owner.append(i)
            langs.append(doc_langs[i])
            lengths.append(len(c.text))
    vectors = semantic.encode_texts(texts, encoder, progress=progress)
    return semantic.Passages(vectors, np.array(owner, dtype=np.int64), np.array(langs), np.array(lengths, float))


def semantic_pairs(pool: Pool, params: DuplicateParams, p: semantic.Passages, sets: list[np.ndarray],
              ) -> dict[tuple[int, int], tuple[str, semantic.Alignment]]:
    """Same-language pairs: paraphrase or partial by passage alignment (cross-lingual pairs: :func:`section_matches`)."""
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
            continue  # across languages the sentences decide (section_matches)
        al = semantic.align_pair(p, rows_of[i], rows_of[j], knn, i, j, margin=margin, best=best)
        lo_cov, hi_cov = sorted((al.coverage_a, al.coverage_b))
        lengths = sorted((p.length[rows_of[i]].sum(), p.length[rows_of[j]].sum()))
        if lo_cov >= params.semantic_coverage and lengths[1] <= params.max_length_ratio * lengths[0]:
            kind = "paraphrase"
        elif hi_cov >= params.semantic_coverage:
            # a section copied into a longer entry: several passages, the shorter entry the covered one
            if len(al.pairs) < params.partial_min_passages or not shorter_covered(pool, al, i, j):
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


def shorter_covered(pool: Pool, al: semantic.Alignment, i: int, j: int) -> bool:
    short_is_a = len(pool.docs[i].text) <= len(pool.docs[j].text)
    return (al.coverage_a if short_is_a else al.coverage_b) >= max(al.coverage_a, al.coverage_b)


# --- cross-lingual kinds -------------------------------------------------------------------------------------
def sentence_units(pool: Pool, i: int, lang: str) -> list[sections.Unit]:
    """Sentence units of document ``i``, each with its own language (an entry may quote or translate a section
    in another language than its own); a sentence whose language cannot be told takes the document's."""
    sents = sentences(pool.docs[i], pool.chunks(i), unwrap=True)
    langs = []
    for text, _ in sents:
        got = detect_language(text)
        langs.append(got if got != "und" else lang)
    return sections.units_of(sents, langs)


def section_matches(pool: Pool, params: DuplicateParams, p: semantic.Passages, encoder: Encoder,
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
    units = {i: sentence_units(pool, i, str(pc.lang[pc.doc == i][0])) for i in needed}
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


def section_kind(pool: Pool, params: DuplicateParams, match: sections.SectionMatch) -> str:
    """``crosslingual`` when most of each entry is covered and they are about as long; else ``partial``."""
    lengths = sorted((len(pool.docs[match.a].text), len(pool.docs[match.b].text)))
    whole = min(match.coverage_a, match.coverage_b) >= params.semantic_coverage \
        and lengths[1] <= params.max_length_ratio * lengths[0]
    return "crosslingual" if whole else "partial"
