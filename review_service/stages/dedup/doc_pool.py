"""The documents duplicate detection compares: the batch's entries, then the archive's (never compared among
themselves), each with its chunks and its sentences anchored for the evidence."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from review_service.core.domain import Chunk, Document
from review_service.core.language import detect_language
from review_service.intake.chunking import chunk_text, split_sentences, text_blocks
from review_service.stages.dedup import shingles
from review_service.stages.dedup.duplicate_params import DuplicateParams

LINE_BREAK = re.compile(r"[ \t]*\n\s*")


@dataclass
class Pool:
    docs: list[Document]
    n_batch: int
    params: DuplicateParams
    _chunks: dict[int, tuple[Chunk, ...]] = field(default_factory=dict)

    def chunks(self, i: int) -> tuple[Chunk, ...]:
        if i not in self._chunks:
            self._chunks[i] = chunks_of(self.docs[i], self.params)
        return self._chunks[i]

    def is_archive(self, i: int) -> bool:
        return i >= self.n_batch

    def comparable(self, i: int, j: int) -> bool:
        return i != j and not (self.is_archive(i) and self.is_archive(j))


def chunks_of(doc: Document, params: DuplicateParams) -> tuple[Chunk, ...]:
    if doc.chunks:
        return doc.chunks
    return chunk_text(doc.id, doc.text, max_chars=params.chunk_chars, overlap=params.chunk_overlap, detect=False)


def lang_of(doc: Document) -> str:
    return doc.lang if doc.lang != "und" else detect_language(doc.text)


def text_key(text: str) -> str:
    return hashlib.sha256(" ".join(shingles.words(text)).encode("utf-8")).hexdigest()


def sentences(doc: Document, chunks: Sequence[Chunk], *, unwrap: bool = False) -> list[tuple[str, str]]:
    """(sentence, anchor label) for every sentence of a document, in order; plain text is anchored by paragraph
    (section N), parsed documents by their chunks' anchors (page, slide, time). ``unwrap``: line breaks inside a
    paragraph or chunk do not end a sentence (hard-wrapped text files, PDF lines) — only punctuation does."""
    units = [(b.text, b.anchor) for b in text_blocks(doc.text)] if not doc.chunks else [(c.text, c.anchor) for c in chunks]
    seen: set[str] = set()
    out = []
    for text, anchor in units:
        if unwrap:
            text = LINE_BREAK.sub(" ", text)
        for sentence in split_sentences(text):
            if sentence not in seen:  # chunk overlap repeats a sentence
                seen.add(sentence)
                out.append((sentence, anchor.label()))
    return out
