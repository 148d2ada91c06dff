"""Extractive notes: every sentence embedded (the ``notes`` command, and ``screen`` before issue 16) against the
screen's one-pass mode (chunk vectors given: at most ``MAX_EMBEDDED_SENTENCES`` candidate sentences, of at most
``CANDIDATE_CHAR_SHARE`` of the chunks' characters, embedded; the others take their chunk's vector), on the same
entries in the same run.

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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def entries(group: int) -> list[tuple[str, str, str]]:
    from review_service.core.language import detect_language

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


def compare(cand: dict, full: dict, texts: list[str], full_vecs: np.ndarray) -> dict:
    """How the one-pass note ``cand`` differs from the every-sentence note ``full`` of the same entry."""
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
    return {
        "same_summary": len({s["text"] for s in cand["summary"]} & {s["text"] for s in full["summary"]}),
        "summary_len": len(full["summary"]),
        "centrality_ratio": summary_centrality(cand, texts, full_vecs) / summary_centrality(full, texts, full_vecs),
        "tech_same": ids(cand, "techniques") == ids(full, "techniques"),
        "serv_same": ids(cand, "services") == ids(full, "services"),
        "aims_same": found_aims(cand) == found_aims(full),
        "form_same": {k["id"] for k in cand["form"]["kinds"]} == {k["id"] for k in full["form"]["kinds"]},
        "quotes_same": sum(qc[k] == qf[k] for k in shared), "quotes_shared": len(shared),
        "diff": sorted((ids(cand, "techniques") ^ ids(full, "techniques")) | (ids(cand, "services") ^ ids(full, "services"))
                       | (found_aims(cand) ^ found_aims(full))),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--group", type=int, default=3)
    ap.add_argument("--lang", default="ru")
    ap.add_argument("--embedder", default="embeddinggemma-300m")
    ap.add_argument("--shares", default=None,
                    help="comma-separated values of CANDIDATE_CHAR_SHARE to compare (default: the shipped one)")
    args = ap.parse_args()

    from _cache import cached_encoder

    from models.generator import load_generator
    from review_service.core.config import Settings
    from review_service.core.domain import Document
    from review_service.intake.chunking import chunk_text
    from review_service.stages.notes import drafting as notes
    from review_service.stages.notes.support import source_sentences

    shares = [float(x) for x in args.shares.split(",")] if args.shares else [notes.CANDIDATE_CHAR_SHARE]
    settings = Settings(environment="test", embedder=args.embedder)
    encoder = cached_encoder(args.embedder)  # vectors kept in bench/out: a rerun embeds nothing
    generator = load_generator(settings, backend="none")
    rows: dict[float, list[dict]] = {share: [] for share in shares}
    chars = {"chunks": 0, "sentences": 0, **{share: 0 for share in shares}}
    print(f"{'entry':34s} {'share':>5s} {'sent':>4s} {'emb':>4s} {'same summ':>9s} {'centr':>6s} {'tech':>5s} "
          f"{'serv':>5s} {'aims':>5s} {'form':>5s} {'quotes':>7s}")
    for name, text, lang in entries(args.group):
        chunks = chunk_text(name, text, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap_chars)
        doc = Document(id=name, text=text, title=name, lang=lang, chunks=chunks)
        chunk_vecs = encoder.encode([c.text for c in chunks], kind="document")
        full = notes.draft_note(doc, lang=args.lang, encoder=encoder, generator=generator).to_dict()
        sources = source_sentences(chunks)
        texts = [s.text for s in sources]
        full_vecs = encoder.encode(texts, kind="document")  # cache hits: the full note embedded them all
        chars["chunks"] += sum(len(c.text) for c in chunks)
        chars["sentences"] += sum(map(len, texts))
        for share in shares:
            notes.CANDIDATE_CHAR_SHARE = share
            budget = int(share * sum(len(c.text) for c in chunks))
            differs = len(sources) > notes.MAX_EMBEDDED_SENTENCES or sum(map(len, texts)) > budget
            among = (notes.candidate_sentences(sources, np.asarray(chunk_vecs), notes.MAX_EMBEDDED_SENTENCES,
                                               budget_chars=budget, at_least=notes.SUMMARY_SENTENCES)
                     if differs else range(len(sources)))
            chars[share] += sum(len(texts[i]) for i in among)
            cand = notes.draft_note(doc, lang=args.lang, encoder=encoder, generator=generator,
                                    chunk_vectors=chunk_vecs).to_dict()
            row = {"entry": name, "lang": lang, "sentences": len(sources), "candidate_mode": differs,
                   **compare(cand, full, texts, full_vecs)}
            rows[share].append(row)
            same = row["tech_same"] and row["serv_same"] and row["aims_same"]
            print(f"{name[:34]:34s} {share:5.2f} {len(sources):4d} {len(list(among)):4d} "
                  f"{row['same_summary']:>5d}/{row['summary_len']}   {row['centrality_ratio']:6.3f} "
                  f"{'=' if row['tech_same'] else '≠':>5s} {'=' if row['serv_same'] else '≠':>5s} "
                  f"{'=' if row['aims_same'] else '≠':>5s} {'=' if row['form_same'] else '≠':>5s} "
                  f"{row['quotes_same']:>3d}/{row['quotes_shared']:<3d}" + ("" if same else f"  diff: {row['diff']}"),
                  flush=True)

    print(f"\nentry chunks: {chars['chunks']} characters; all sentences {chars['sentences']} "
          f"({chars['sentences'] / chars['chunks']:.0%} of the chunks')")
    for share in shares:
        long = [r for r in rows[share] if r["candidate_mode"]]
        print(f"share {share}: sentences embedded {chars[share]} characters ({chars[share] / chars['chunks']:.0%} "
              f"of the chunks'); {len(long)} of {len(rows[share])} entries in candidate mode (more than "
              f"{notes.MAX_EMBEDDED_SENTENCES} sentences or more than {share:.0%} of their chunks' characters); "
              f"over those:")
        if not long:
            continue
        print(f"  summary sentences the same: {sum(r['same_summary'] for r in long)} of "
              f"{sum(r['summary_len'] for r in long)}; summary centrality (every sentence embedded) "
              f"{np.mean([r['centrality_ratio'] for r in long]):.3f} of the full mode's "
              f"(min {min(r['centrality_ratio'] for r in long):.3f})")
        for key, label in (("tech_same", "techniques"), ("serv_same", "services"), ("aims_same", "aims found"),
                           ("form_same", "form kinds")):
            print(f"  {label} the same: {sum(r[key] for r in long)} of {len(long)}")
        print(f"  first evidence quote the same for a category found by both: "
              f"{sum(r['quotes_same'] for r in long)} of {sum(r['quotes_shared'] for r in long)}")


if __name__ == "__main__":
    main()
