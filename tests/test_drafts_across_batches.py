"""An entry keeps its AI work across batches (contest.drafts): the newest note of each entry from whichever batch
holds one, with the batch named and the batches it replaces; duplicate flags of every batch, a pair replaced only
when a later batch screened both of its sides again. Then in a real browser: a second batch with one new file, and
the first batch's entries still show their notes and duplicate evidence to the juror and the organizer."""
from __future__ import annotations

import copy

import pytest

from review_service.contest import drafts, flag_review
from review_service.storage import open_database


def _note(doc: str, text: str) -> dict:
    return {"doc_id": doc, "lang": "ru", "summary": [{"text": text, "anchors": ["section 1"], "origin": "extractive"}]}


def _flag(a: str, b: str, kind: str = "paraphrase") -> dict:
    return {"a": a, "b": b, "kind": kind, "score": 0.9, "evidence": [], "b_is_archive": False}


def test_an_entry_keeps_its_newest_note_from_whichever_batch(settings):
    db = open_database(settings)
    one, two, three = (db.start_batch(f"folder-{n}") for n in range(3))
    db.save_ai_result("notes", [_note("e1", "first"), _note("e2", "second")], {"model": "m"}, one)
    db.save_ai_result("notes", [_note("e3", "third")], {"model": "m"}, two)
    assert drafts.entry_note(db, "e1")["summary"][0]["text"] == "first"
    assert drafts.entry_note(db, "e1")["batch_id"] == one and drafts.entry_note(db, "e1")["superseded"] == []
    assert drafts.entry_note(db, "e3")["batch_id"] == two
    db.save_ai_result("notes", [_note("e1", "first, screened again")], {"model": "m"}, three)
    again = drafts.entry_note(db, "e1")
    assert again["summary"][0]["text"] == "first, screened again"
    assert (again["batch_id"], again["superseded"]) == (three, [one])  # replaced visibly
    assert drafts.entry_note(db, "e2")["batch_id"] == one  # untouched by the later batches
    assert drafts.entry_note(db, "nobody") is None
    db.close()


def test_duplicate_flags_of_every_batch_stand_until_both_sides_are_screened_again(settings):
    db = open_database(settings)
    one, two, three = (db.start_batch(f"folder-{n}") for n in range(3))
    db.save_ai_result("duplicates", [_flag("e1", "e2"), _flag("e1", "e4")], {"entries": ["e1", "e2", "e4"]}, one)
    db.save_ai_result("duplicates", [_flag("e3", "e5")], {"entries": ["e3", "e5"]}, two)
    pairs = {(f["a"], f["b"]): f["batch_id"] for f in flag_review.duplicate_flags(db)}
    assert pairs == {("e1", "e2"): one, ("e1", "e4"): one, ("e3", "e5"): two}
    # batch three screens e1 and e2 again and finds them no longer alike; e4 was not in it, so that pair stands
    db.save_ai_result("duplicates", [], {"entries": ["e1", "e2"]}, three)
    pairs = {(f["a"], f["b"]): f["batch_id"] for f in flag_review.duplicate_flags(db)}
    assert pairs == {("e1", "e4"): one, ("e3", "e5"): two}
    db.close()


def test_a_flag_raised_again_takes_the_newest_batchs_version(settings):
    db = open_database(settings)
    one, two = db.start_batch("a"), db.start_batch("b")
    db.save_ai_result("duplicates", [_flag("e1", "e2")], {}, one)  # an older row: no "entries" in provenance
    newer = {**_flag("e1", "e2"), "score": 0.97}
    db.save_ai_result("duplicates", [newer], {"entries": ["e1", "e2"]}, two)
    (flag,) = flag_review.duplicate_flags(db)
    assert (flag["score"], flag["batch_id"]) == (0.97, two)
    db.close()


TEXTS = {
    "ЖИ байқауы_Жолдасбекова.txt": "Кітапхана оқырмандарға арналған чат-бот іске қосты. Чат-бот каталог бойынша "
                                   "кітап табуға көмектеседі және жиі қойылатын сұрақтарға жауап береді.",
    "ЖИ байқауы_Жолдасбекова_көшірме.txt": "Кітапхана оқырмандарға арналған чат-бот іске қосты. Чат-бот каталог "
                                          "бойынша кітап табуға көмектеседі және жиі қойылатын сұрақтарға жауап "
                                          "береді. Жоба 2025 жылы басталды.",
    "ЖИ байқауы_Крылов.txt": "Проект оцифровки краеведческих газет с распознаванием текста и поиском по архиву.",
}
NEW = {"ЖИ байқауы_Smith.txt": "A reading recommendation service for first-year students of the university."}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_second_batch_leaves_the_first_batchs_notes_and_duplicates_in_a_real_browser(tmp_path, browser):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen
    from review_service.contest import assignments
    from review_service.core.config import Settings
    from review_service.server import create_app
    from tests import files as F
    from tests import jury as J
    from tests.pages import browser_sign_in
    from tests.web import running

    settings = Settings(environment="test", data_dir=tmp_path / "var", ocr="off", render_originals="off",
                        generator_backend="none", embedder="all-minilm-l6-v2", scoring_deadline=J.FUTURE,
                        blind_review=True)
    db = open_database(settings)
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, texts in ((first, TEXTS), (second, NEW)):
        folder.mkdir()
        for name, text in texts.items():
            F.make_text(folder / name, text)
    run_screen(first, settings, ScreenOptions(progress=False, stages=("embed", "duplicates", "notes")))
    by_name = {r["file_name"]: r["entry_id"] for r in db.submissions()}
    original = by_name["ЖИ байқауы_Жолдасбекова.txt"]
    assert drafts.entry_note(db, original) is not None
    assert any(original in (f["a"], f["b"]) for f in flag_review.duplicate_flags(db))
    run_screen(second, settings, ScreenOptions(progress=False, stages=("embed", "duplicates", "notes")))
    assert len(db.submissions()) == 4

    organizer = J.add(db, "organizer", "organizer")
    J.add(db, "ja", "juror", "ja")
    payload = assignments.draft_from_suggestion(J.suggestion(list(by_name.values()), ["ja"], k=1))
    J.publish(db, organizer, copy.deepcopy(payload))
    code = J.entry_code(original)
    with running(create_app(settings)) as base:
        for login, path in (("organizer", f"/org/entries/{original}"), ("ja", f"/my/{code}")):
            page = browser.new_page()
            browser_sign_in(page, base, login, f"pw-{login}-123", "kk")
            page.goto(f"{base}{path}?lang=kk")
            note = page.locator("section.note").inner_text()
            assert "Бұл жұмысқа ЖИ жазба нобайы әлі жоқ" not in note, f"{login}: the note vanished"
            assert page.locator("section.note ol.sentences li").count() > 0, f"{login}: no note sentences"
            assert page.locator("#dup-title").count() == 1, f"{login}: the duplicate evidence vanished"
            if login == "ja":  # blind review: the other side is named by its code, never by its file
                assert "Жолдасбекова" not in page.content()
            page.close()
    db.close()
