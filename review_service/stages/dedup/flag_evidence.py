"""The passages shown side by side with a duplicate flag: runs of shared sentences (lexical kinds), aligned
passages (same-language semantic kinds) and aligned sentence runs (cross-lingual kinds), each clipped to
:data:`EVIDENCE_CHARS` a side and anchored (page, slide, section)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from review_service.core.domain import Evidence
from review_service.stages.dedup import sections, semantic, shingles
from review_service.stages.dedup.doc_pool import Pool, sentences
from review_service.stages.dedup.duplicate_params import DuplicateParams

EVIDENCE_CHARS = 600


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1].rstrip() + "…"


def span_label(units: Sequence[tuple[str, str]]) -> str:
    first, last = units[0][1], units[-1][1]
    return first if first == last else f"{first} – {last}"


def lexical_evidence(pool: Pool, i: int, j: int, params: DuplicateParams) -> tuple[Evidence, ...]:
    """Runs of consecutive sentences of ``i`` found (by shingles) in ``j``, side by side with the span of
    ``j`` they came from; best-covered runs first."""
    sa, sb = sentences(pool.docs[i], pool.chunks(i)), sentences(pool.docs[j], pool.chunks(j))
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
        out.append(Evidence(clip(" ".join(t for t, _ in sa[lo:hi])), clip(" ".join(t for t, _ in sb[blo:bhi])),
                            span_label(sa[lo:hi]), span_label(sb[blo:bhi]), round(float(cover), 4)))
    return tuple(out)


def semantic_evidence(pool: Pool, p: semantic.Passages, al: semantic.Alignment,
                       params: DuplicateParams) -> tuple[Evidence, ...]:
    rows_a, rows_b = np.flatnonzero(p.doc == al.a), np.flatnonzero(p.doc == al.b)
    ca, cb = pool.chunks(al.a), pool.chunks(al.b)
    out = []
    for x, y, m in al.pairs[:params.max_evidence]:
        cx, cy = ca[int(rows_a[x] - rows_a[0])], cb[int(rows_b[y] - rows_b[0])]
        out.append(Evidence(clip(cx.text), clip(cy.text), cx.anchor.label(), cy.anchor.label(), round(m, 4)))
    return tuple(out)


def section_evidence(match: sections.SectionMatch, units: dict[int, list[sections.Unit]],
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
            out.append(Evidence(clip(" ".join(u.text for u in a_units)), clip(" ".join(u.text for u in b_units)),
                                span_label([(u.text, u.anchor) for u in a_units]),
                                span_label([(u.text, u.anchor) for u in b_units]),
                                round(float(np.mean([m for *_, m in g])), 4)))
            if len(out) >= params.max_evidence:
                return tuple(out)
    return tuple(out)
