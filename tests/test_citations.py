"""A note's citations name the place their sentence comes from (issue 22, item 3): a sentence of a chunk that merged
slides 4–9 cites its own slide, and that slide is the same page of LibreOffice's PDF (hidden slides and speaker
notes included); a sentence of a recording cites its own segment's time span, not the chunk's 00:00–00:30, and its
link seeks to that span; a note states a repeated sentence once. Real python-pptx files, real LibreOffice, the real
embedder; Whisper's segments written by hand (tests/test_pages_media.py transcribes a real recording)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from review_service import server  # noqa: F401 - the app first: web.views is imported through it (as in test_pages)
from review_service.core.domain import Anchor, Block, Document
from review_service.intake.chunking import chunk_blocks
from review_service.intake.parsing.media import segments_to_blocks
from review_service.intake.parsing.pptx import parse_pptx
from review_service.stages.notes.sentences import note_sentences, sentence_count
from review_service.stages.notes.support import source_sentences
from review_service.web.views import citation

BUDGET = "Жобаның бюджеті"
SEGMENTS = [(0.0, 4.2, "Мен қалалық кітапханада жұмыс істеймін."),
            (4.2, 9.8, "Біздің чат-бот оқырмандарға каталог бойынша жауап береді."),
            (9.8, 16.4, "Бот түнде де жұмыс істейді және кітап ұсынады."),
            (16.4, 23.0, "Жоба аясында кітапханашылар жаңа құралдарды үйренді."),
            (23.0, 30.0, "Біз тәжірибемізбен әріптестермен бөлістік.")]


def make_deck(path: Path) -> Path:
    """Nine slides, each a title and two lines; slide 3 hidden, speaker notes on slide 5, the budget on slide 7."""
    from pptx import Presentation

    prs = Presentation()
    for n in range(1, 10):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = BUDGET if n == 7 else f"Слайд тақырыбы {n}"
        slide.placeholders[1].text = (f"Бұл {n}-слайдтағы мәтін: кітапхана қызметі туралы.\n"
                                      f"Екінші жол, {n}-слайдтың соңы.")
        if n == 5:
            slide.notes_slide.notes_text_frame.text = "Спикердің ескертпесі: бесінші слайд туралы айтамын."
    prs.slides[2]._element.set("show", "0")
    prs.save(str(path))
    return path


def _segments() -> list[Block]:
    fake = [SimpleNamespace(start=s, end=e, text=t, avg_logprob=-0.2, no_speech_prob=0.01) for s, e, t in SEGMENTS]
    return segments_to_blocks(fake, "kk")


# --- where a sentence comes from ------------------------------------------------------------------------------


def test_a_sentence_of_a_merged_chunk_cites_its_own_slide_and_notes(tmp_path):
    doc = parse_pptx(make_deck(tmp_path / "deck.pptx"))
    chunks = chunk_blocks("d", doc.blocks, detect=False)
    assert len(chunks) < 9 and chunks[0].anchor.end is not None  # slides merged: the chunk's place is a span
    places = {s.text: s.anchor for s in source_sentences(chunks)}
    assert places[BUDGET] == "slide 7"
    assert places["Бұл 4-слайдтағы мәтін: кітапхана қызметі туралы."] == "slide 4"
    assert places["Екінші жол, 9-слайдтың соңы."] == "slide 9"
    assert places["Бұл 3-слайдтағы мәтін: кітапхана қызметі туралы."] == "slide 3"  # the hidden one counts
    assert places["Спикердің ескертпесі: бесінші слайд туралы айтамын."] == "slide 5 (notes)"
    for text, label in places.items():
        found = re.search(r"(\d+)-слайд|тақырыбы (\d+)", text)
        if found:
            assert label == f"slide {found[1] or found[2]}", text


def test_a_sentence_across_two_blocks_cites_both_and_a_lone_block_keeps_its_place():
    blocks = [Block("Бірінші бет", Anchor("page", 1)), Block("екінші бет", Anchor("page", 2))]
    chunk = chunk_blocks("d", blocks, detect=False)[0]
    assert chunk.place(0, len(chunk.text)).label() == "page 1–2"
    assert chunk.place(0, 5).label() == "page 1" and chunk.place(len(chunk.text) - 3, len(chunk.text)).label() == "page 2"
    lone = chunk_blocks("d", [Block("Жалғыз бет.", Anchor("page", 4))], detect=False)[0]
    assert lone.parts == () and source_sentences([lone], min_chars=1)[0].anchor == "page 4"


def test_a_recording_sentence_cites_its_own_time_span_and_its_link_seeks_there():
    chunks = chunk_blocks("a", _segments(), detect=False)
    assert [c.anchor.label() for c in chunks] == ["00:00–00:30"]  # one chunk: the whole recording
    sources = source_sentences(chunks)
    assert [s.anchor for s in sources] == ["00:00–00:04", "00:04–00:09", "00:09–00:16", "00:16–00:23",
                                           "00:23–00:30"]
    link = citation(sources[2].anchor, "/files/K", "audio", True)
    assert link["href"] == "/files/K#t=9,16" and link["seek"] == 9 and link["until"] == 16


def test_a_drafted_note_on_a_recording_cites_each_quote_at_its_own_segment(encoder):
    from models.generator import NoneGenerator
    from review_service.stages.notes.drafting import draft_note

    blocks = _segments()
    chunks = chunk_blocks("a", blocks)
    text = "\n\n".join(b.text for b in blocks)
    note = draft_note(Document("a", text, "Чат-бот", "kk", chunks), lang="kk", encoder=encoder,
                      generator=NoneGenerator())
    own = {b.text: b.anchor.label() for b in blocks}
    quotes = [s for s in note.sentences() if s.origin == "extractive"]
    assert len({a for s in quotes for a in s.anchors}) >= 3  # not all at one place
    for s in quotes:
        assert s.anchors == (own[s.text],), s.text
    assert "00:00–00:30" not in {a for s in quotes for a in s.anchors}


# --- the rendition: slide N is page N ------------------------------------------------------------------------


def test_each_slide_sentence_is_on_its_cited_page_of_the_rendition(tmp_path):
    from pypdf import PdfReader

    from review_service.core.config import Settings
    from review_service.intake import renditions
    from tests.test_renditions import need_soffice

    need_soffice()
    path = make_deck(tmp_path / "deck.pptx")
    doc = parse_pptx(path)
    settings = Settings(environment="test", data_dir=tmp_path / "var", render_originals="auto")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    made = renditions.render_batch([renditions.Job(sha, path, "pptx", doc.blocks, doc.slides)], settings)[sha]
    assert made.ok and made.pages == 9
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(renditions.pdf_path(sha, settings)).pages]
    checked = 0
    for s in source_sentences(chunk_blocks("d", doc.blocks, detect=False)):
        link = citation(s.anchor, "/files/K", "pptx", False, made)
        page = int(link["href"].split("?page=")[1].split("#")[0])
        if s.anchor.endswith("(notes)"):  # speaker notes are not on the slide; the citation opens their slide
            assert page == 5 and s.text not in " ".join(pages)
            continue
        assert s.text in pages[page - 1], (s.anchor, s.text)
        checked += 1
    assert checked == 27
    assert BUDGET in pages[6]


# --- a note says a sentence once ------------------------------------------------------------------------------


def test_a_repeated_sentence_is_stated_once_with_all_its_places_and_indices_stay():
    quote = {"text": "Чат-бот оқырмандарға жауап береді.", "anchors": ["slide 2"], "origin": "extractive"}
    note = {"summary": [quote, {"text": "Кітапхана жаңа қызмет ашты.", "anchors": ["slide 1"]}],
            "techniques": [{"evidence": [{**quote, "text": "чат-бот   оқырмандарға жауап береді", "anchors":
                                          ["slide 2", "slide 5"]}]}],
            "aims": [{"quotes": [{**quote, "text": "Chat-bot oqyrmandarğa jauap beredi!", "anchors": ["slide 6"]},
                                 {"text": "Әріптестермен бөлістік.", "anchors": ["slide 8"]}]}],
            "questions": [{"text": "Қанша оқырман қолданады?", "anchors": []}]}
    listed = note_sentences(note)
    assert [s["text"] for s in listed] == ["Чат-бот оқырмандарға жауап береді.", "Кітапхана жаңа қызмет ашты.",
                                           "Әріптестермен бөлістік.", "Қанша оқырман қолданады?"]
    assert listed[0]["anchors"] == ["slide 2", "slide 5", "slide 6"]
    assert [s["index"] for s in listed] == [0, 1, 4, 5]  # the places in the full order: feedback keeps its target
    assert sentence_count(note) == 6
    assert note_sentences({"summary": [{"text": "A b.", "anchors": []}, {"text": "A c.", "anchors": []}]})[1][
        "text"] == "A c."  # different words are different sentences


@pytest.mark.parametrize("label", ["slide 7", "slide 7 (notes)"])
def test_a_slide_citation_opens_that_slide_page(label):
    from review_service.intake.renditions import Rendition

    made = Rendition("s" * 64, "pptx", "ok", pages=9, page_map={f"slide {n}": n for n in range(1, 10)})
    assert citation(label, "/files/K", "pptx", False, made)["href"] == "/files/K/pdf?page=7#page=7&navpanes=0"
