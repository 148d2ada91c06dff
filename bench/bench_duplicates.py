"""Duplicate benchmarks: cross-lingual pair F1 on an NTREX pool, and near-copy detection at scale vs datasketch.

    .venv/bin/python bench/bench_duplicates.py crosslingual   # needs the embedder; vectors cached in bench/out
    .venv/bin/python bench/bench_duplicates.py nearcopy       # 5,300 generated docs, 300 planted near-copies
    .venv/bin/python bench/bench_duplicates.py compositions [N]  # the method on N random pool compositions
    .venv/bin/python bench/bench_duplicates.py sections [N]      # translated sections inside other entries (issue 15)

Cross-lingual pool (80 documents from ../shared/data/crosslingual, 40 NTREX news articles):
articles 0–29 appear in Kazakh and Russian, articles 0–9 also in English, 30–34 in Kazakh only, 35–39 in
Russian only. Gold = every pair of versions of the same article (20 kk–ru + 10×3 kk–ru/kk–en/ru–en = 50).
The product figure runs ``find_duplicates`` (the same code path as the CLI); the raw-model figure is the best
single global cosine threshold on document vectors (mean of the same chunk vectors), chosen with the gold
labels — an upper bound for "one threshold", not something a deployment could do.
"""
from __future__ import annotations

import json
import random
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "eval"))

from metrics import pair_prf

from review_service.core.domain import Document
from review_service.core.normalize import normalize_text


def _fixed_langs(n: int) -> list[str]:
    langs = ["kk", "ru"] if n < 30 else (["kk"] if n < 35 else ["ru"])
    return langs + ["en"] if n < 10 else langs


def _random_langs(rng: random.Random) -> list[str]:
    """A random composition: 60 % of articles in two or three languages, 40 % in one."""
    if rng.random() < 0.4:
        return [rng.choice(["kk", "ru", "en"])]
    return rng.choice([["kk", "ru"], ["kk", "ru"], ["kk", "en"], ["ru", "en"], ["kk", "ru", "en"]])


def ntrex_pool(seed: int | None = None) -> tuple[list[Document], set[tuple[str, str]]]:
    """The fixed dev pool (seed None), or a random composition of the same 40 articles."""
    rows = [json.loads(line) for line in (SHARED / "data/crosslingual/ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    docs: list[Document] = []
    versions: dict[int, list[str]] = {}
    for n, row in enumerate(rows):
        langs = _fixed_langs(n) if seed is None else _random_langs(rng)
        for lang in langs:
            doc_id = f"{row['doc_id']}-{lang}"
            docs.append(Document(id=doc_id, text=normalize_text(row[lang]), lang="und"))
            versions.setdefault(n, []).append(doc_id)
    gold = {tuple(sorted(p)) for ids in versions.values() for p in combinations(ids, 2)}
    return docs, gold


def raw_threshold_f1(docs: list[Document], gold: set, encoder) -> tuple[float, float]:
    """Best F1 over all global cosine thresholds on mean-of-chunk document vectors."""
    from review_service.intake.chunking import chunk_text
    from review_service.stages.dedup.semantic import encode_texts

    vecs = []
    for d in docs:
        v = encode_texts([c.text for c in chunk_text(d.id, d.text)], encoder).mean(0)
        vecs.append(v / np.linalg.norm(v))
    sims = np.stack(vecs) @ np.stack(vecs).T
    pairs = [(sims[i, j], (docs[i].id, docs[j].id)) for i, j in combinations(range(len(docs)), 2)]
    best = (0.0, 0.0)
    for t in sorted({round(float(s), 4) for s, _ in pairs}):
        f1 = pair_prf({p for s, p in pairs if s >= t}, gold)["f1"]
        best = max(best, (f1, t))
    return best


def crosslingual() -> None:
    from _cache import cached_encoder

    from review_service.stages.duplicates import find_duplicates

    docs, gold = ntrex_pool()
    encoder = cached_encoder()
    t0 = time.perf_counter()
    flags = find_duplicates(docs, encoder=encoder)
    elapsed = time.perf_counter() - t0
    pred = {(f.a, f.b) for f in flags}
    res = pair_prf(pred, gold)
    f1_raw, t_raw = raw_threshold_f1(docs, gold, encoder)
    kinds: dict[str, int] = {}
    for f in flags:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    print(f"pool: {len(docs)} docs, {len(gold)} gold pairs; flags by kind: {kinds}")
    print(f"crosslingual pair F1 (find_duplicates)    : {res['f1']:.3f}  P={res['precision']:.3f} "
          f"R={res['recall']:.3f}  tp={res['tp']} pred={res['pred']}  ({elapsed:.1f} s, vectors cached)")
    print(f"raw model, best global cosine threshold   : {f1_raw:.3f}  (threshold {t_raw:.3f}, fitted on gold)")
    missed = sorted(gold - {tuple(sorted(p)) for p in pred})
    wrong = sorted({tuple(sorted(p)) for p in pred} - gold)
    for p in missed:
        print("  missed", p)
    for p in wrong:
        print("  false ", p, [f"{f.kind}:{f.score}" for f in flags if tuple(sorted((f.a, f.b))) == p])


def compositions(n: int = 20) -> None:
    """Robustness: the same method on ``n`` random pool compositions (language groups of other sizes than the
    dev pool's — e.g. many English-only articles); nothing is tuned here."""
    from _cache import cached_encoder

    from review_service.stages.duplicates import find_duplicates

    encoder = cached_encoder()
    rows = []
    for seed in range(1, n + 1):
        docs, gold = ntrex_pool(seed)
        pred = {tuple(sorted((f.a, f.b))) for f in find_duplicates(docs, encoder=encoder)}
        res = pair_prf(pred, gold)
        rows.append((res["precision"], res["recall"], res["f1"]))
        print(f"  seed {seed:2d}: {len(docs)} docs, {len(gold):2d} gold pairs  P={res['precision']:.3f} "
              f"R={res['recall']:.3f} F1={res['f1']:.3f}", flush=True)
    p, r, f = np.array(rows).T
    print(f"{n} random compositions: F1 mean {f.mean():.3f} (min {f.min():.3f}), P mean {p.mean():.3f}, "
          f"R mean {r.mean():.3f}")


def _ntrex_rows() -> list[dict]:
    path = SHARED / "data/crosslingual/ntrex_docs.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _section(rng: random.Random, text: str) -> str:
    """A run of consecutive sentences covering a third to a half of ``text`` (by characters), at a random place."""
    from review_service.intake.chunking import split_sentences

    sents = split_sentences(text)
    total = sum(len(s) + 1 for s in sents)
    share = rng.uniform(1 / 3, 1 / 2)
    spans = []
    for lo in range(len(sents)):
        size, hi = 0, lo
        while hi < len(sents) and size < share * total:
            size += len(sents[hi]) + 1
            hi += 1
        if size >= share * total and size <= 0.6 * total:
            spans.append((lo, hi))
    lo, hi = rng.choice(spans) if spans else (0, max(1, len(sents) // 2))
    return " ".join(sents[lo:hi])


def _insert(rng: random.Random, filler: str, section: str) -> str:
    """``section`` as its own paragraph at the start, in the middle (at a sentence end) or at the end of ``filler``."""
    from review_service.intake.chunking import split_sentences

    sents = split_sentences(filler)
    at = rng.choice([0, len(sents), rng.randrange(1, max(2, len(sents)))])
    before, after = " ".join(sents[:at]), " ".join(sents[at:])
    return "\n\n".join(p for p in (before, section, after) if p)


def section_pool(seed: int) -> tuple[list[Document], set[tuple[str, str]], set[tuple[str, str]]]:
    """A pool shaped like the issue-15 measurement, from the 40 NTREX articles (each article used once):
    8 kk+ru and 5 kk+en whole translations, 8 "mixed" entries — an unrelated article (Kazakh or Russian) with,
    as its own paragraph at its start, middle or end, the Kazakh translation of a third to a half of another
    article whose original (5 Russian, 3 English) is in the pool — and 11 single documents in kk, ru or en
    (53 documents). Returns (docs, whole-translation gold pairs, section gold pairs (mixed entry, original))."""
    rows = _ntrex_rows()
    rng = random.Random(1000 + seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    docs: list[Document] = []
    whole: set[tuple[str, str]] = set()
    sections: set[tuple[str, str]] = set()

    def add(n: int, lang: str) -> str:
        doc_id = f"{rows[n]['doc_id']}-{lang}"
        docs.append(Document(id=doc_id, text=normalize_text(rows[n][lang]), lang="und"))
        return doc_id

    take = iter(order)
    for src_lang in ["ru"] * 8 + ["en"] * 5:
        n = next(take)
        whole.add(tuple(sorted((add(n, "kk"), add(n, src_lang)))))
    for k, src_lang in enumerate(["ru"] * 5 + ["en"] * 3):
        src, filler = next(take), next(take)
        original = add(src, src_lang)
        section = _section(rng, normalize_text(rows[src]["kk"]))
        filler_lang = rng.choice(["kk", "ru"])
        mixed_id = f"mixed{k}:{rows[filler]['doc_id']}-{filler_lang}+{rows[src]['doc_id']}-kk"
        docs.append(Document(id=mixed_id, text=_insert(rng, normalize_text(rows[filler][filler_lang]), section),
                             lang="und", meta={"section_chars": str(len(section))}))
        sections.add(tuple(sorted((mixed_id, original))))
    for n in take:
        add(n, rng.choice(["kk", "ru", "en"]))
    rng.shuffle(docs)
    return docs, whole, sections


def sections(n: int = 6) -> None:
    """Issue 15: translated sections inside other entries, on ``n`` random compositions (``section_pool``).
    A section counts as found when its (mixed entry, original) pair is flagged at all (as ``partial`` in brackets);
    a false pair is any flagged pair that is neither a whole translation nor a planted section."""
    from _cache import cached_encoder

    from review_service.stages.duplicates import find_duplicates

    encoder = cached_encoder()
    stats, by_size = [], []
    for seed in range(1, n + 1):
        docs, whole, secs = section_pool(seed)
        t0 = time.perf_counter()
        flags = find_duplicates(docs, encoder=encoder)
        elapsed = time.perf_counter() - t0
        kind = {tuple(sorted((f.a, f.b))): f.kind for f in flags}
        found_s = [p for p in secs if p in kind]
        as_partial = [p for p in found_s if kind[p].startswith("partial") or kind[p] == "crosslingual_partial"]
        found_w = [p for p in whole if p in kind]
        false = sorted(set(kind) - whole - secs)
        per100 = 100 * len(false) / len(docs)
        stats.append((len(found_s) / len(secs), len(found_w) / len(whole), per100))
        size = {d.id: int(d.meta["section_chars"]) for d in docs if "section_chars" in d.meta}
        for p in secs:
            by_size.append((min(size.get(x, 10**9) for x in p), p in kind))
        print(f"  seed {seed:2d}: {len(docs)} docs  sections {len(found_s)}/{len(secs)} (partial {len(as_partial)})  "
              f"whole {len(found_w)}/{len(whole)}  false pairs {len(false)} ({per100:.1f}/100 docs)  {elapsed:.0f} s",
              flush=True)
        for p in sorted(secs - set(found_s)):
            print("     missed section", p)
        for p in false:
            print("     false", p, kind[p])
    s, w, f = np.array(stats).T
    print(f"{n} compositions: sections found mean {s.mean():.3f} (worst {s.min():.3f}), whole translations mean "
          f"{w.mean():.3f} (worst {w.min():.3f}), false pairs per 100 docs mean {f.mean():.2f} (worst {f.max():.2f})")
    for lo, hi in ((0, 300), (300, 600), (600, 10**9)):
        got = [ok for size, ok in by_size if lo <= size < hi]
        if got:
            print(f"  sections of {lo}–{hi if hi < 10**9 else '…'} characters: {sum(got)}/{len(got)} found")


def _words(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    return [rng.choice(vocab) for _ in range(n)]


def nearcopy(n_docs: int = 5000, n_planted: int = 300, seed: int = 0) -> None:
    """5,000 random documents + 300 near-copies (10% words replaced/inserted/deleted, some re-typed in the other
    Kazakh script) = 5,300; gold = the 300 planted pairs. Ours vs datasketch MinHashLSH (128 permutations), same
    shingles, same threshold, each followed by exact Jaccard verification."""
    from datasketch import MinHash, MinHashLSH

    from review_service.core.normalize import kk_cyrillic_to_latin
    from review_service.stages.dedup import shingles
    from review_service.stages.dedup.duplicate_params import DuplicateParams
    from review_service.stages.duplicates import find_duplicates

    rng = random.Random(seed)
    syll = ["ка", "та", "лы", "ін", "ба", "ма", "сы", "қа", "ры", "ол", "ен", "ат", "жа", "үш", "ға", "ме"]
    vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(20000)})
    base = [" ".join(_words(rng, vocab, rng.randint(120, 400))) for _ in range(n_docs)]
    docs = [Document(id=f"d{i}", text=t) for i, t in enumerate(base)]
    gold = set()
    for k in range(n_planted):
        src = rng.randrange(n_docs)
        words = base[src].split()
        for _ in range(max(1, len(words) // 20)):  # ~5% replaced, ~2.5% inserted, ~2.5% deleted
            op, pos = rng.random(), rng.randrange(len(words))
            if op < 0.5:
                words[pos] = rng.choice(vocab)
            elif op < 0.75:
                words.insert(pos, rng.choice(vocab))
            elif len(words) > 10:
                del words[pos]
        text = " ".join(words)
        if k % 3 == 0:
            text = kk_cyrillic_to_latin(text)
        docs.append(Document(id=f"copy{k}", text=text))
        gold.add(tuple(sorted((f"d{src}", f"copy{k}"))))
    params = DuplicateParams()
    print(f"near-copy pool: {len(docs)} docs, {len(gold)} planted pairs, threshold J ≥ {params.near_jaccard}, "
          f"LSH {shingles.num_bands_note(params.near_jaccard, params.num_perm)}")

    t0 = time.perf_counter()
    flags = find_duplicates(docs, params=params)
    t_ours = time.perf_counter() - t0
    pred = {(f.a, f.b) for f in flags if f.kind in ("near_copy", "exact")}
    ours = pair_prf(pred, gold)

    t0 = time.perf_counter()
    sets = [shingles.shingle_hashes(d.text, params.shingle_size) for d in docs]
    t_shingle = time.perf_counter() - t0
    t0 = time.perf_counter()
    sig = shingles.minhash_signatures(sets, params.num_perm)
    bands, rows = shingles.lsh_params(params.near_jaccard, params.num_perm)
    cand = shingles.lsh_candidates(sig, bands, rows)
    ours_pred = {(docs[i].id, docs[j].id) for i, j in cand if shingles.jaccard(sets[i], sets[j]) >= params.near_jaccard}
    t_core = time.perf_counter() - t0

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=params.near_jaccard, num_perm=128)
    mhs = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([int(h).to_bytes(8, "little") for h in s])
        lsh.insert(str(i), m)
        mhs.append(m)
    ds_pred = set()
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            j = int(j)
            if j > i and shingles.jaccard(sets[i], sets[j]) >= params.near_jaccard:
                ds_pred.add((docs[i].id, docs[j].id))
    t_ds = time.perf_counter() - t0
    ds = pair_prf(ds_pred, gold)
    core = pair_prf(ours_pred, gold)
    print(f"find_duplicates (lexical, all kinds) : P={ours['precision']:.3f} R={ours['recall']:.3f} "
          f"F1={ours['f1']:.3f}  {t_ours:.2f} s")
    print(f"ours MinHash+LSH+verify (shingled)   : P={core['precision']:.3f} R={core['recall']:.3f}  {t_core:.2f} s "
          f"(+ shingling {t_shingle:.2f} s)")
    print(f"datasketch MinHashLSH 128 + verify   : P={ds['precision']:.3f} R={ds['recall']:.3f}  {t_ds:.2f} s "
          f"(same shingles) → ours is {t_ds / t_core:.1f}× faster")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("nearcopy", "all"):
        nearcopy()
    if what in ("crosslingual", "all"):
        crosslingual()
    if what in ("compositions", "all"):
        compositions(int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    if what in ("sections", "all"):
        sections(int(sys.argv[2]) if len(sys.argv) > 2 else 6)
