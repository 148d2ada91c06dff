"""Abstractive note sentences on the sample entries, written out for a person to judge their support.

Every sample entry in Russian or English with more than 300 characters of text gets a note from the local Qwen
(``draft_note(..., max_new_tokens=200)``). For each generated sentence the JSONL records the grounding rule's
verdict (cosine, term overlap, numbers), the sentences the model cited and the evidence the rule used. Support is
then judged by reading each *kept* sentence against the whole entry (docs/notes.md, "Measured support"): the rule
cannot tell a changed meaning from a paraphrase, so this figure needs a reader.

python bench/notes_support_sample.py [--out bench/out/notes_support.jsonl]   (~20 min on 2 cores)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from embeddings import load_encoder
from models.generator import load_generator
from review_service.core.config import Settings
from review_service.core.domain import Document
from review_service.core.language import detect_language
from review_service.intake.chunking import chunk_text
from review_service.stages.notes import drafting as notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "notes_support.jsonl")
    ap.add_argument("--max-new-tokens", type=int, default=200)
    a = ap.parse_args()
    claims: list[dict] = []
    check = notes.check_support

    def recorded(text, vector, sources, source_vectors, **kw):
        sup = check(text, vector, sources, source_vectors, **kw)
        claims.append({"text": text, "supported": sup.supported, "cos": round(sup.cosine, 3),
                       "overlap": round(sup.overlap, 2), "numbers_ok": sup.numbers_ok,
                       "cited_by_model": [sources[i].text for i in kw.get("cited", ())],
                       "evidence": [sources[i].text for i in sup.sources]})
        return sup

    notes.check_support = recorded  # the rule itself is unchanged; its inputs and verdicts are recorded
    settings = Settings(environment="test")
    encoder, generator = load_encoder(settings), load_generator(settings, backend="local")
    with open(ROOT / "sample_data" / "entry_texts.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    picked = [(r, detect_language(r["text"])) for r in rows if len(r["text"]) > 300]
    picked = [(r, lang) for r, lang in picked if lang in ("ru", "en")]
    print(f"{len(picked)} entries; writing {a.out}", flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    generated = kept = 0
    with open(a.out, "w", encoding="utf-8") as out:
        for row, lang in picked:
            doc = Document(id=row["file_name"], text=row["text"], lang=lang,
                           chunks=chunk_text(row["file_name"], row["text"]))
            claims.clear()
            started = time.monotonic()
            note = notes.draft_note(doc, lang=lang, encoder=encoder, generator=generator,
                                    max_new_tokens=a.max_new_tokens)
            generated += len(claims)
            kept += sum(c["supported"] for c in claims)
            out.write(json.dumps({"id": doc.id, "lang": lang, "mode": note.summary_mode,
                                  "seconds": round(time.monotonic() - started, 1), "grounding": note.grounding,
                                  "claims": list(claims)}, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{doc.id}: {note.summary_mode}, {note.grounding}", flush=True)
    print(f"generated {generated} sentences, kept {kept} by the rule; judge the kept ones in {a.out}")


if __name__ == "__main__":
    main()
