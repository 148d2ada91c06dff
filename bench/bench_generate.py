"""Drafting speed vs raw ``model.generate()`` tokens/s of the same packaged model, in the same run.

    .venv/bin/python bench/bench_generate.py [--entries 2] [--max-new-tokens 160] [--lang ru]

For each entry: (1) raw: the note prompt rendered exactly as draft_note renders it, tokenised with the chat
template, ``model.generate(min_new_tokens=N, max_new_tokens=N)`` — tokens/s of the bare model;
(2) drafting: ``draft_note`` end to end (passage selection, generation, JSON parsing, support checks,
taxonomy, questions) — generated tokens / wall seconds of the whole draft. Prints both and the ratio
(target ≥ 0.9). The generator is warmed up first; draft and raw alternate ``--repeat`` times and the best
time of each counts (as in bench_embed). Entries come from sample_data/ when present, else built from ../shared/data texts.
The embedder is warmed first (and the taxonomy descriptions embedded) so neither side pays one-off load time.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def sample_entries(lang: str, n: int):
    from review_service.core.domain import Document
    from review_service.core.language import detect_language
    from review_service.intake.chunking import chunk_text

    docs = []
    for path in sorted((ROOT / "sample_data").glob("*.jsonl")) if (ROOT / "sample_data").is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = row.get("text")
            if not isinstance(text, str) or len(text) <= 300 or (row.get("lang") or detect_language(text)) != lang:
                continue
            doc_id = str(row.get("id") or row.get("file_name"))
            docs.append(Document(id=doc_id, text=text, title=str(row.get("title", "")), lang=lang))
    if not docs:
        shared = ROOT.parent / "shared" / "data" / "crosslingual" / "ntrex_docs.jsonl"
        for line in shared.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs.append(Document(id=row["doc_id"], text=row[lang][:2500], title=row["doc_id"], lang=lang))
    return [Document(id=d.id, text=d.text, title=d.title, lang=d.lang, chunks=chunk_text(d.id, d.text))
            for d in docs[:n]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=2)
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--lang", default="ru", choices=("ru", "en"))
    ap.add_argument("--repeat", type=int, default=2, help="alternate draft/raw N times, best time of each")
    args = ap.parse_args()

    import torch

    from embeddings import load_encoder
    from models.generator import load_generator
    from prompts import load_prompt
    from review_service.core.config import Settings
    from review_service.stages.notes.drafting import draft_note

    settings = Settings(environment="test")
    t0 = time.perf_counter()
    encoder = load_encoder(settings)
    gen = load_generator(settings, backend="local")
    print(f"loaded embedder + generator in {time.perf_counter() - t0:.1f} s; torch threads {torch.get_num_threads()}")
    encoder.encode(["warm-up"], kind="document")
    from review_service.stages.taxonomy import description_vectors, load_taxonomy

    description_vectors(encoder, load_taxonomy().categories)  # once per process, like loading the models
    gen.generate("Скажи «привет».", max_new_tokens=8)  # warm-up: the first generate pays one-off kernel set-up
    prompt = load_prompt("note", args.lang)
    docs = sample_entries(args.lang, args.entries)
    raw_tok = raw_s = draft_tok = draft_s = 0.0
    for doc in docs:
        # raw: the same rendered prompt the note sends (sentences picked by the same rule)
        captured: dict[str, str] = {}
        counts = {"calls": 0, "tokens": 0}
        real_generate = gen.generate

        def capture(prompt_text, _cap=captured, _n=counts, _real=real_generate, **kw):
            _cap.setdefault("prompt", prompt_text)
            _cap.setdefault("system", kw.get("system", ""))
            _cap.setdefault("prefix", kw.get("prefix", ""))
            text = _real(prompt_text, **kw)
            _n["calls"] += 1
            _n["tokens"] += gen.last_stats.new_tokens
            return text

        gen.generate = capture  # type: ignore[method-assign]
        d_s = r_s = float("inf")
        for rep in range(args.repeat):  # alternate draft and raw; best of N for each side
            counts.update(calls=0, tokens=0)
            t = time.perf_counter()
            note = draft_note(doc, lang=args.lang, encoder=encoder, generator=gen, prompt=prompt,
                              max_new_tokens=args.max_new_tokens)
            d_s = min(d_s, time.perf_counter() - t)
            if not counts["calls"]:
                break
            inputs = gen.chat_ids(captured["prompt"], captured["system"], captured["prefix"])
            n = max(counts["tokens"], 1)
            t = time.perf_counter()
            with torch.inference_mode():
                out = gen.model.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                                         pad_token_id=gen.tokenizer.eos_token_id)
            r_s = min(r_s, time.perf_counter() - t)
        gen.generate = real_generate  # type: ignore[method-assign]
        d_tok, calls = counts["tokens"], counts["calls"]
        if not calls:
            print(f"{doc.id}: the generator was not called ({note.fallback_reason}); skipped")
            continue
        r_tok = out.shape[1] - inputs["input_ids"].shape[1]
        print(f"{doc.id}: prompt {inputs['input_ids'].shape[1]} tok; raw generate {r_tok} tok in {r_s:.1f} s "
              f"({r_tok / r_s:.2f} tok/s); draft_note {d_tok} tok in {d_s:.1f} s ({d_tok / d_s:.2f} tok/s), "
              f"mode {note.summary_mode}, supported {note.grounding.get('abstractive_supported')}/"
              f"{note.grounding.get('abstractive_generated')}, calls {calls}")
        raw_tok += r_tok
        raw_s += r_s
        draft_tok += d_tok
        draft_s += d_s
    raw_rate, draft_rate = raw_tok / raw_s, draft_tok / draft_s
    print(f"raw model.generate: {raw_rate:.2f} tok/s | drafting: {draft_rate:.2f} tok/s | "
          f"ratio {draft_rate / raw_rate:.2f} (target >= 0.90)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
