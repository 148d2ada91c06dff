"""Blocks → chunks of about ``max_chars`` characters that keep their anchors (page, slide, time, section).

Short neighbouring blocks with the same kind of anchor are merged (the anchor then spans them, and ``Chunk.parts``
keeps where each block begins with its own anchor); long blocks are split at sentence boundaries, with a sentence of overlap so a passage cut in two is still found whole once.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from review_service.core.domain import Anchor, Block, Chunk, span
from review_service.core.language import detect_language

_SENTENCE_END = re.compile(r"(?<=[.!?…»\"”])\s+(?=[\"«“(\[]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences of kk/ru/en text (a newline also ends one: headings and list items stand alone)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _split_long(text: str, max_chars: int, overlap: int) -> list[str]:
    sentences = split_sentences(text)
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        while len(sentence) > max_chars:  # a "sentence" with no stops: cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            sentences_head, sentence = sentence[:cut], sentence[cut:].lstrip()
            if current:
                pieces.append(" ".join(current))
                current, size = [], 0
            pieces.append(sentences_head)
        if current and size + len(sentence) + 1 > max_chars:
            pieces.append(" ".join(current))
            tail = current[-1] if overlap and len(current[-1]) <= overlap else ""
            current, size = ([tail], len(tail)) if tail else ([], 0)
        current.append(sentence)
        size += len(sentence) + 1
    if current:
        pieces.append(" ".join(current))
    return [p for p in pieces if p.strip()]


def chunk_blocks(doc_id: str, blocks: Sequence[Block], *, max_chars: int = 900, overlap: int = 150,
                 detect: bool = True) -> tuple[Chunk, ...]:
    chunks: list[Chunk] = []
    group: list[Block] = []

    def emit(text: str, anchor: Anchor, parts: tuple[tuple[int, Anchor], ...] = ()) -> None:
        lang = detect_language(text) if detect else "und"
        chunks.append(Chunk(doc_id=doc_id, index=len(chunks), text=text, anchor=anchor, lang=lang, parts=parts))

    def flush() -> None:
        if group:
            parts, at = [], 0
            for b in group:  # each block's own place, so a sentence cites its slide or moment, not the chunk's span
                parts.append((at, b.anchor))
                at += len(b.text) + 1
            emit("\n".join(b.text for b in group), span(group[0].anchor, group[-1].anchor),
                 tuple(parts) if len(group) > 1 else ())
            group.clear()

    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if len(text) > max_chars:
            flush()
            for piece in _split_long(text, max_chars, overlap):
                emit(piece, block.anchor)
            continue
        size = sum(len(b.text) + 1 for b in group)
        if group and (group[0].anchor.kind != block.anchor.kind or size + len(text) > max_chars):
            flush()
        group.append(Block(text, block.anchor, block.kind, block.confidence))
    flush()
    return tuple(chunks)


def text_blocks(text: str) -> list[Block]:
    """Plain text → one block per paragraph, anchored as section 1, 2, …"""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paragraphs) == 1:
        paragraphs = [p.strip() for p in text.split("\n") if p.strip()] or paragraphs
    return [Block(p, Anchor("section", i + 1)) for i, p in enumerate(paragraphs)]


def chunk_text(doc_id: str, text: str, *, max_chars: int = 900, overlap: int = 150,
               detect: bool = True) -> tuple[Chunk, ...]:
    return chunk_blocks(doc_id, text_blocks(text), max_chars=max_chars, overlap=overlap, detect=detect)
