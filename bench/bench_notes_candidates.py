"""Extractive notes: every sentence embedded (the ``notes`` command, and ``screen`` before issue 16) against the
screen's one-pass mode (chunk vectors given: at most ``MAX_EMBEDDED_SENTENCES`` candidate sentences embedded, the
others take their chunk's vector), on the same entries in the same run.

    .venv/bin/python bench/bench_notes_candidates.py [--group 3] [--lang ru] [--embedder embeddinggemma-300m]

Entries: the sample's entry texts (``sample_data/entry_texts.jsonl``) as they are, and — since most sample
entries have fewer than 24 sentences, where both modes are the same by construction — "long" entries made by
joining ``--group`` sample entries of the same language (~40–70 sentences). Generator ``none`` (extractive).

Per entry it compares the two notes: the summary's sentences (how many of the 3 are the same; and the summary's
centrality, i.e. the mean cosine of its sentences to the entry's mean sentence vector, with *every* sentence
embedded, as a share of the full mode's), the techniques / services / form kinds found (same category sets?),
the aims found, and whether each shared category's first evidence quote is the same sentence.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def entries(group: int) -> list[tuple[str, str, str]]:
    from review_service.language import detect_language

    rows = [json.loads(x) for x in (ROOT / "sample_data" / "entry_texts.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if len(r["text"].strip()) > 300]
    out = [(r["file_name"], r["text"], detect_language(r["text"])) for r in rows]
    by_lang: dict[str, list[tuple[str, str, str]]] = {}
    for e in out:
        by_lang.setdefault(e[2], []).append(e)
    longs = []
    for lang, items in sorted(by_lang.items()):
        for lo in range(0, len(items) - group + 1, group):
            part = items[lo:lo + group]
            longs.append((f"long-{lang}-{lo // group}", "\n\n".join(t for _, t, _ in part), lang))
    return out + longs


def summary_centrality(note: dict, texts: list[str], full_vectors: np.ndarray) -> float:
    centroid = full_vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    index = {t: i for i, t in enumerate(texts)}
    idx = [index[s["text"]] for s in note["summary"] if s["text"] in index]
    return float(np.mean(full_vectors[idx] @ centroid)) if idx else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--group", type=int, default=3)
    ap.add_argument("--lang", default="ru")
    ap.add_argument("--embedder", default="embeddinggemma-300m")
    args = ap.parse_args()

    from embeddings import load_encoder
    from embeddings.encoder import CachedEncoder, MemoryCache
    from models.generator import load_generator
    from review_service.chunking import chunk_text
    from review_service.config import Settings
    from review_service.domain import Document
    from review_service.notes import MAX_EMBEDDED_SENTENCES, draft_note
    from review_service.notes_support import source_sentences

    settings = Settings(environment="test", embedder=args.embedder)
    encoder = CachedEncoder(load_encoder(settings), MemoryCache())
    generator = load_generator(settings, backend="none")
    rows = []
    t_cand = t_full = 0.0
    print(f"{'entry':34s} {'sent':>4s} {'same summ':>9s} {'centr':>6s} {'tech':>5s} {'serv':>5s} {'aims':>5s} "
          f"{'form':>5s} {'quotes':>7s}")
    for name, text, lang in entries(args.group):
        chunks = chunk_text(name, text, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap_chars)
        doc = Document(id=name, text=text, title=name, lang=lang, chunks=chunks)
        chunk_vecs = encoder.encode([c.text for c in chunks], kind="document")
        t0 = time.perf_counter()
        cand = draft_note(doc, lang=args.lang, encoder=encoder, generator=generator, chunk_vectors=chunk_vecs).to_dict()
        t1 = time.perf_counter()
        full = draft_note(doc, lang=args.lang, encoder=encoder, generator=generator).to_dict()
        t2 = time.perf_counter()
        t_cand, t_full = t_cand + t1 - t0, t_full + t2 - t1
        sources = source_sentences(chunks)
        texts = [s.text for s in sources]
        full_vecs = encoder.encode(texts, kind="document")  # cache hits: the full note embedded them all
        same_summary = len({s["text"] for s in cand["summary"]} & {s["text"] for s in full["summary"]})
        centr = summary_centrality(cand, texts, full_vecs) / summary_centrality(full, texts, full_vecs)

        def ids(note: dict, key: str) -> set[str]:
            return {t["id"] for t in note[key]}

        def found_aims(note: dict) -> set[str]:
            return {a["id"] for a in note["aims"] if a["found"]}

        def first_quotes(note: dict) -> dict[str, str]:
            out = {}
            for key in ("techniques", "services"):
                for t in note[key]:
                    if t["evidence"]:
                        out[f"{key}:{t['id']}"] = t["evidence"][0]["text"]
            for a in note["aims"]:
                if a["found"] and a["quotes"]:
                    out[f"aim:{a['id']}"] = a["quotes"][0]["text"]
            return out

        qc, qf = first_quotes(cand), first_quotes(full)
        shared = set(qc) & set(qf)
        row = {
            "entry": name, "lang": lang, "sentences": len(sources), "candidate_mode": len(sources) > MAX_EMBEDDED_SENTENCES,
            "same_summary": same_summary, "summary_len": len(full["summary"]), "centrality_ratio": centr,
            "tech_same": ids(cand, "techniques") == ids(full, "techniques"),
            "serv_same": ids(cand, "services") == ids(full, "services"),
            "aims_same": found_aims(cand) == found_aims(full),
            "form_same": {k["id"] for k in cand["form"]["kinds"]} == {k["id"] for k in full["form"]["kinds"]},
            "quotes_same": sum(qc[k] == qf[k] for k in shared), "quotes_shared": len(shared),
            "tech_diff": sorted(ids(cand, "techniques") ^ ids(full, "techniques")),
            "serv_diff": sorted(ids(cand, "services") ^ ids(full, "services")),
            "aims_diff": sorted(found_aims(cand) ^ found_aims(full)),
        }
        rows.append(row)
        print(f"{name[:34]:34s} {len(sources):4d} {same_summary:>5d}/{len(full['summary'])}   {centr:6.3f} "
              f"{'=' if row['tech_same'] else '≠':>5s} {'=' if row['serv_same'] else '≠':>5s} "
              f"{'=' if row['aims_same'] else '≠':>5s} {'=' if row['form_same'] else '≠':>5s} "
              f"{row['quotes_same']:>3d}/{row['quotes_shared']:<3d}"
              + (f"  diff: {row['tech_diff'] + row['serv_diff'] + row['aims_diff']}" if not (
                  row["tech_same"] and row["serv_same"] and row["aims_same"]) else ""), flush=True)

    long = [r for r in rows if r["candidate_mode"]]
    print(f"\n{len(rows)} entries, {len(long)} with more than {MAX_EMBEDDED_SENTENCES} sentences (where the modes "
          f"differ); over those:")
    if long:
        print(f"  summary sentences the same: {sum(r['same_summary'] for r in long)} of "
              f"{sum(r['summary_len'] for r in long)}; summary centrality (every sentence embedded) "
              f"{np.mean([r['centrality_ratio'] for r in long]):.3f} of the full mode's "
              f"(min {min(r['centrality_ratio'] for r in long):.3f})")
        for key, label in (("tech_same", "techniques"), ("serv_same", "services"), ("aims_same", "aims found"),
                           ("form_same", "form kinds")):
            print(f"  {label} the same: {sum(r[key] for r in long)} of {len(long)}")
        print(f"  first evidence quote the same for a category found by both: "
              f"{sum(r['quotes_same'] for r in long)} of {sum(r['quotes_shared'] for r in long)}")
    print(f"  drafting time (s): candidates {t_cand:.1f} (first, embeds the candidates), full {t_full:.1f} "
          f"(embeds the rest)")


if __name__ == "__main__":
    main()
