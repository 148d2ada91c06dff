"""Dev sets for bench/bench_search_kk.py (all from ../shared/data; nothing here is held out).

- ``kazqad``: the KazQAD dev subset (697 passages, 543 Kazakh questions), as bench/bench_search.py reads it.
- ``kazqad-apostrophe`` / ``kazqad-rukeyboard``: the same questions typed differently — in apostrophe Latin
  (Cyrillic → 2018 Latin, then each accented letter as letter + apostrophe: á → a', ǵ → g', ı → i' …) and on a
  Russian keyboard (ә ғ қ ң ө ұ ү һ і typed as а г к н о у у х и).
- ``ntrex-ru`` / ``ntrex-en`` / ``ntrex-kk``: the cross-lingual archives of bench/bench_search_crosslingual.py
  (NTREX-128; questions in one language, the relevant entries are the document's two other-language versions).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search_vectors import DATA, SHARED

from embeddings.encoder import titled_passage
from review_service.core.domain import Document
from review_service.core.exchange import read_corpus, read_jsonl
from review_service.core.normalize import kk_cyrillic_to_latin
from review_service.intake.chunking import split_sentences
from review_service.search.engine import chunk_documents
from review_service.search.granularity import window_rows

NTREX = SHARED / "data" / "crosslingual" / "ntrex_docs.jsonl"
LANGS = ("kk", "ru", "en")
_TO_APOSTROPHE = str.maketrans({"á": "a'", "ǵ": "g'", "ń": "n'", "ó": "o'", "ú": "u'", "ý": "y'", "ı": "i'",
                                "Á": "A'", "Ǵ": "G'", "Ń": "N'", "Ó": "O'", "Ú": "U'", "Ý": "Y'"})
_TO_RU_KEYBOARD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
                                 "і": "и", "Ә": "А", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О", "Ұ": "У", "Ү": "У",
                                 "Һ": "Х", "І": "И"})


@dataclass
class RetrievalSet:
    name: str
    docs: list[Document]
    queries: list[tuple[str, str]]  # (query id, text)
    qrels: dict[str, set[str]]
    lang: str
    texts: dict[str, str] = field(default_factory=dict)  # doc id → title + text (for the overlap bands)

    def chunks(self):
        return chunk_documents(self.docs)

    def passage_texts(self) -> list[str]:
        titles = {d.id: d.title for d in self.docs}
        return [titled_passage(titles[c.doc_id], c.text) for c in self.chunks()]

    def window_texts(self) -> list[str]:
        chunks = self.chunks()
        titles = {d.id: d.title for d in self.docs}
        windows, owner = window_rows([c.text for c in chunks])
        return [titled_passage(titles[chunks[o].doc_id], w) for w, o in zip(windows, owner)]


def kazqad() -> RetrievalSet:
    docs = read_corpus(DATA / "corpus.jsonl")
    qrels: dict[str, set[str]] = {}
    for line in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and float(parts[2]) > 0:
            qrels.setdefault(parts[0], set()).add(parts[1])
    queries = [(q["id"], q["text"]) for q in read_jsonl(DATA / "queries.jsonl") if q["id"] in qrels]
    return RetrievalSet("kazqad", docs, queries, qrels, "kk", {d.id: f"{d.title}\n{d.text}" for d in docs})


def kazqad_windows() -> tuple[list[str], RetrievalSet]:
    s = kazqad()
    return s.window_texts(), s


def apostrophe_latin_typing(text: str) -> str:
    return kk_cyrillic_to_latin(text).translate(_TO_APOSTROPHE)


def ru_keyboard_typing(text: str) -> str:
    return text.translate(_TO_RU_KEYBOARD)


def variant_queries() -> dict[str, dict[str, str]]:
    """Question texts by variant: typed differently (raw) and what the engine's normaliser makes of them."""
    from review_service.core.kk_typing import KeyboardRestorer, apostrophe_latin

    s = kazqad()
    titles = {d.id: d.title for d in s.docs}
    restorer = KeyboardRestorer.from_texts(f"{titles[c.doc_id]}\n{c.text}" for c in s.chunks())  # as the engine
    out: dict[str, dict[str, str]] = {"apostrophe": {}, "rukeyboard": {}, "apostrophe_norm": {}, "rukeyboard_norm": {}}
    for qid, text in s.queries:
        a, r = apostrophe_latin_typing(text), ru_keyboard_typing(text)
        out["apostrophe"][qid], out["rukeyboard"][qid] = a, r
        out["apostrophe_norm"][qid] = restorer.restore(apostrophe_latin(a))
        out["rukeyboard_norm"][qid] = restorer.restore(apostrophe_latin(r))
    return out


def ntrex_sets(langs=("ru", "en", "kk")) -> list[RetrievalSet]:
    rows = [json.loads(line) for line in NTREX.read_text(encoding="utf-8").splitlines()]
    in_q = {r["doc_id"] for i, r in enumerate(rows) if i % 2 == 0}
    out = []
    for q_lang in langs:
        others = [lang for lang in LANGS if lang != q_lang]
        docs = [Document(f"{r['doc_id']}:{lang}", r[lang], "", lang, (), None, {}) for r in rows for lang in others]
        docs += [Document(f"{r['doc_id']}:{q_lang}", r[q_lang], "", q_lang, (), None, {}) for r in rows
                 if r["doc_id"] in in_q]
        queries, qrels = [], {}
        for r in rows:
            if r["doc_id"] in in_q:
                continue
            for i, s in enumerate(split_sentences(r[q_lang])):
                if i in (2, 4, 7, 11):
                    qid = f"{r['doc_id']}:{q_lang}:{i}"
                    queries.append((qid, s))
                    qrels[qid] = {f"{r['doc_id']}:{lang}" for lang in others}
        out.append(RetrievalSet(f"ntrex-{q_lang}", docs, queries, qrels, q_lang, {d.id: d.text for d in docs}))
    return out
