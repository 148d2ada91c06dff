"""Pages that fit their task (issue 22, item 5): the current page marked in the menu; score form errors beside
their fields, focused, with the form locked before anyone types once the deadline passed or the review is
submitted; the themes page saying why there is no map; the batch page naming unreadable files and dropping the
stop button once done; an overridden pre-check clearing the attention it raised; the duplicate queue marking
shared words, naming both files and hiding reviewed pairs; the assignment as a compact table of names, edited in
place (in Chromium: the scroll position is kept) — measured on the sample (tests/assignment_world.py)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from review_service.contest import flag_review, scoring
from review_service.contest.permissions import entry_code
from review_service.core import i18n
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.job_store import JobStore
from tests import jury as J
from tests.assignment_world import sample_assignment
from tests.pages import client_sign_in, serious_violations, shot
from tests.web import running

PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    db = open_database(settings)
    yield {**J.build_world(db, settings, tmp_path), "db": db}
    db.close()


def _client(settings) -> TestClient:
    return TestClient(create_app(settings, search_engine=J.FakeSearch()))


def _current(html: str) -> list[str]:
    """The links the main menu marks as the current page."""
    menu = html[html.index('class="menu"'):html.index("</nav>", html.index('class="menu"'))]
    return re.findall(r'<a href="([^"]+)" aria-current="page"', menu)


def test_the_menu_marks_the_current_page(settings, world):
    with _client(settings) as client:
        client_sign_in(client, "organizer")
        assert _current(client.get("/org").text) == ["/org"]
        assert _current(client.get("/org/duplicates").text) == ["/org/duplicates"]
        assert _current(client.get(f"/org/entries/{world['E']}").text) == ["/org/entries"]  # an entry: its list
        assert _current(client.get("/org/search?q=x").text) == ["/org/search"]
        assert _current(client.get("/account/password").text) == []
        assert 'href="/account/password" aria-current="page"' in client.get("/account/password").text
        client.cookies.clear()
        client_sign_in(client, "ja")
        assert _current(client.get(f"/my/{entry_code(world['E'])}").text) == ["/my"]


def _field(html: str, element_id: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, element_id
    return found[0]


def test_score_form_errors_sit_beside_their_fields_and_the_first_gets_the_focus(settings, world):
    code = entry_code(world["E"])
    with _client(settings) as client:
        token = client_sign_in(client, "ja")
        r = client.post(f"/my/{code}/review?lang=ru", data={"csrf_token": token, "action": "submit",
                                                            "score-innovation": "11", "score-feasibility": "3"})
        assert r.status_code == 422
        html = r.text
        innovation, feasibility = _field(html, "score-innovation"), _field(html, "score-feasibility")
        comment, untouched = _field(html, "comment-feasibility"), _field(html, "comment-innovation")
        assert 'aria-invalid="true"' in innovation and 'aria-describedby="score-innovation-error"' in innovation
        assert "autofocus" in innovation  # the first invalid field
        assert 'aria-invalid="true"' in comment and "autofocus" not in comment  # a required comment is missing
        assert 'aria-describedby="comment-feasibility-error"' in comment
        assert "aria-invalid" not in feasibility and "aria-invalid" not in untouched
        message = i18n.gettext("ru", "%(name)s: a score from %(min)s to %(max)s in steps of %(step)s.") % {
            "name": "Новизна", "min": "0", "max": "10", "step": "1"}
        beside = re.search(r'<p class="error field-error" id="score-innovation-error">([^<]+)</p>', html)
        assert beside and beside[1] == message.replace("'", "&#39;")
        form = html[html.index(f'action="/my/{code}/review"'):]
        summary = form.index('id="rubric-errors"')
        assert summary < form.index("<fieldset") and 'href="#score-innovation"' in form[summary:]
        assert 'href="#comment-feasibility"' in form[summary:]
        assert html.count("autofocus") == 1
        fine = client.get(f"/my/{code}").text  # nothing typed: no field marked
        assert "aria-invalid" not in fine and "autofocus" not in fine and "disabled" not in _field(fine,
                                                                                                  "score-innovation")


def test_a_passed_deadline_or_a_submitted_review_locks_the_form_before_anyone_types(settings, world):
    code = entry_code(world["E"])
    late = settings.model_copy(update={"scoring_deadline": PAST})
    with _client(late) as client:
        client_sign_in(client, "ja")
        html = client.get(f"/my/{code}?lang=kk").text
        assert i18n.gettext("kk", "The scoring deadline has passed: the scores can no longer be changed. Ask an "
                                  "organizer if something is missing.") in html
        assert all("disabled" in _field(html, f) for f in ("score-innovation", "comment-innovation",
                                                           "score-feasibility", "comment-feasibility"))
        assert 'value="submit"' not in html and 'value="save"' not in html
        assert i18n.gettext("kk", "The scoring deadline has passed: the scores can no longer be changed. Ask an "
                                  "organizer if something is missing.") in client.get("/my?lang=kk").text
    scoring.save_review(world["db"], world["E"], {"innovation": {"value": 7},
                                                  "feasibility": {"value": 3.5, "comment": "fine"}},
                        world["jurors"]["ja"], deadline=J.FUTURE)
    scoring.submit_review(world["db"], world["E"], world["jurors"]["ja"], deadline=J.FUTURE)
    with _client(settings) as client:
        client_sign_in(client, "ja")
        html = client.get(f"/my/{code}?lang=ru").text
        assert i18n.gettext("ru", "This review is submitted: the scores are locked. An organizer can reopen "
                                  "it.") in html
        assert "disabled" in _field(html, "score-innovation") and 'value="7.0"' in _field(html, "score-innovation")
        assert 'value="submit"' not in html
        open_one = client.get(f"/my/{entry_code(world['F'])}").text  # ja's other entry is still open
        assert "disabled" not in _field(open_one, "score-innovation") and 'value="submit"' in open_one


def test_the_themes_page_says_why_there_is_no_map(settings, world):
    from review_service.web.org_themes import NO_MAP

    db = world["db"]
    with _client(settings) as client:
        client_sign_in(client, "organizer")
        r = client.get("/org/themes/map.png", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/org/themes#map"
        assert 'id="map"' in client.get("/org/themes").text
        rows = [{"id": world["E"], "theme": 0, "label": "чат-бот", "confidence": 0.8}]
        db.save_ai_result("themes", rows, {"model": "test", "input_hash": "h", "map": None})
        html = client.get("/org/themes?lang=ru").text
        assert i18n.gettext("ru", NO_MAP["not_drawn"]) in html and "<img" not in html
        db.save_ai_result("themes", rows, {"model": "test", "input_hash": "h", "map": "themes.png"})
        html = client.get("/org/themes?lang=kk").text  # no job made this batch: the map is elsewhere
        assert i18n.gettext("kk", NO_MAP["not_here"]) in html and "<img" not in html
        assert client.get("/org/themes/map.png", follow_redirects=False).status_code == 303


def test_the_batch_page_names_unreadable_files_and_offers_stop_only_while_running(settings, world):
    from review_service.web.org_batches import FILE_PROBLEMS

    store = JobStore(world["db"])
    job = store.create("upload", {}, created_by="organizer", state="running", worker="w1")
    store.set_errors(job["id"], [{"file_name": "ЖИ байқауы_Бос.pdf", "code": "empty", "message": "the file is empty"},
                                 {"file_name": "", "code": "zip_bomb", "message": ""}])
    with _client(settings) as client:
        client_sign_in(client, "organizer")
        running_page = client.get(f"/org/batches/{job['id']}?lang=ru").text
        assert 'id="job-stop"' in running_page
        assert (f'<li data-code="empty"><strong>ЖИ байқауы_Бос.pdf</strong>: '
                f'{i18n.gettext("ru", FILE_PROBLEMS["empty"])}</li>') in running_page
        assert f'<strong>{i18n.gettext("ru", "a file without a name")}</strong>' in running_page
        assert "<strong></strong>" not in running_page and "<li>: " not in running_page
        assert store.finish(job["id"], "w1", "done")
        done = client.get(f"/org/batches/{job['id']}?lang=ru").text
        assert 'id="job-stop"' not in done and "/cancel" not in done and "ЖИ байқауы_Бос.pdf" in done


def test_an_overridden_pre_check_clears_the_attention_it_raised(settings, world):
    db, e, f = world["db"], world["E"], world["F"]
    assert {r["entry_id"]: r["status"] for r in db.submissions()}[e] == "needs_attention"  # a topic warning
    with _client(settings) as client:
        token = client_sign_in(client, "organizer")
        label = i18n.gettext("en", "needs_attention")
        before = client.get("/org?lang=en").text
        for entry, verdict in ((e, "override"), (f, "uphold")):
            r = client.post(f"/org/entries/{entry}/checks/topic", data={"csrf_token": token, "verdict": verdict,
                                                                        "comment": "read it"},
                            follow_redirects=False)
            assert r.status_code == 303
        listing = client.get("/org/entries?lang=en").text
        rows = {m[0]: m[1] for m in re.findall(r'href="/org/entries/([0-9a-f]+)">[^<]*</a></td>\s*<td>([^<]+)</td>',
                                               listing)}
        assert rows[e] == i18n.gettext("en", "ok") and rows[f] == label and rows[world["G"]] == label
        assert f'{i18n.gettext("en", "Status")}: {i18n.gettext("en", "ok")}' in client.get(f"/org/entries/{e}").text
        after = client.get("/org?lang=en").text
    assert "3 need attention" in before and "2 need attention" in after  # the dashboard follows too
    record = next(r for r in db.submissions() if r["entry_id"] == e)
    verdicts = flag_review.latest_verdicts(db, "precheck")
    assert record["status"] == "needs_attention"  # the AI's record is kept as it was; the page follows the person
    assert flag_review.shown_status(record, verdicts) == "ok"
    assert flag_review.shown_status({**record, "reasons": [{"code": "no_form"}]}, verdicts) == "needs_attention"
    assert flag_review.shown_status({**record, "format": None, "status": "failed"}, verdicts) == "failed"


def test_the_duplicate_queue_marks_shared_words_names_both_files_and_hides_reviewed_pairs(settings, world):
    from review_service.web.org_duplicates import marked_parts

    db, e, f, g = world["db"], world["E"], world["F"], world["G"]
    names = {r["entry_id"]: r["file_name"] for r in db.submissions()}
    flags = [{"a": e, "b": f, "kind": "paraphrase", "score": 0.91, "b_is_archive": False, "status": "draft",
              "evidence": [{"a_anchor": "section 1", "b_anchor": "section 2",
                            "a_text": "Кітапхана чат-боты каталог бойынша <b>жауап</b> береді.",
                            "b_text": "Чат-бот отвечает по каталогу; kitaphana каталог."}]},
             {"a": e, "b": g, "kind": "near_copy", "score": 0.8, "b_is_archive": False, "status": "draft",
              "evidence": []}]
    db.save_ai_result("duplicates", flags, {"model": "test", "input_hash": "h3"})
    assert marked_parts("один два три", "два три четыре") == [("один ", False), ("два три", True)]
    with _client(settings) as client:
        token = client_sign_in(client, "organizer")
        html = client.get("/org/duplicates?lang=ru").text
        assert "<mark>Кітапхана чат</mark>-боты" in html and "<mark>каталог</mark>" in html  # Latin ↔ Cyrillic folded
        assert "<mark>kitaphana каталог</mark>." in html and "<mark>Чат</mark>-бот" in html and "&lt;b&gt;жауап&lt;/b&gt;" in html  # escaped, not marked
        assert "<mark>береді" not in html
        pair = html[html.index('class="pair"'):]
        assert f'<span class="file">{names[e]}</span> · section 1' in pair
        assert f'<span class="file">{names[f]}</span> · section 2' in pair
        assert html.count('class="card dup"') == 2 and 'href="/org/duplicates?show=all"' in html
        r = client.post("/org/duplicates", data={"csrf_token": token, "a": e, "b": f, "kind": "paraphrase",
                                                 "verdict": "dismiss", "comment": "different projects"},
                        follow_redirects=False)
        assert r.headers["location"] == "/org/duplicates?notice=reviewed"
        default = client.get("/org/duplicates?lang=ru").text
        assert default.count('class="card dup"') == 1 and f'value="{f}"' not in default
        assert i18n.gettext("ru", "To review (%(n)s)") % {"n": 1} in default
        every = client.get("/org/duplicates?show=all&lang=ru").text
        assert every.count('class="card dup"') == 2 and "different projects" in every
        assert 'name="show" value="all"' in every
        client.post("/org/duplicates", data={"csrf_token": token, "a": e, "b": g, "kind": "near_copy",
                                             "verdict": "confirm", "comment": "the same text"})
        none_left = client.get("/org/duplicates?lang=en").text
        assert "Every flagged pair is reviewed." in none_left and 'class="card dup"' not in none_left


@pytest.fixture
def sample(settings, tmp_path):
    db = open_database(settings)
    world = sample_assignment(db, settings, tmp_path / "sample")
    yield {**world, "db": db}
    db.close()


def test_the_assignment_is_a_table_of_names_and_an_edit_comes_back_to_its_row(settings, sample):
    from review_service.storage.account_store import PeopleStore

    names = {m["juror_id"]: m["name"] for m in PeopleStore(sample["db"]).jury()}
    entry = sample["entries"][5]
    with _client(settings) as client:
        token = client_sign_in(client, "organizer")
        html = client.get("/org/assignment?lang=kk").text
        assert html.count('<tr id="row-') == len(sample["entries"])
        row = html[html.index(f'<tr id="row-{entry}"'):html.index("</tr>", html.index(f'<tr id="row-{entry}"'))]
        shown = re.findall(r'<span class="juror">([^<]+)</span>', row)
        assert len(shown) == 3 and all(n in names.values() for n in shown)
        assert not any(f'<span class="juror">{j}</span>' in html for j in names)  # names, never bare ids
        assert row.count('<details class="why">') == 3  # the reason a click away
        version = int(re.search(r'name="expect_version" value="(\d+)"', html)[1])
        juror = next(j for j, n in names.items() if n == shown[0])
        r = client.post("/org/assignment/edit", data={"csrf_token": token, "op": "forbid", "juror": juror,
                                                      "entry": entry, "expect_version": version},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/org/assignment?changed={entry}#row-{entry}"
        stale = client.post("/org/assignment/edit", data={"csrf_token": token, "op": "pin", "juror": juror,
                                                          "entry": entry, "expect_version": version},
                            follow_redirects=False)
        location = stale.headers["location"]
        assert location.startswith("/org/assignment?error=stale_assignment") and location.endswith(f"#row-{entry}")
        page = client.get(location.split("#")[0] + "&lang=ru").text
        row = page[page.index(f'<tr id="row-{entry}"'):page.index("</tr>", page.index(f'<tr id="row-{entry}"'))]
        assert i18n.gettext("ru", "Someone changed the draft meanwhile; it is shown as it is now.") in row
        assert names[juror] in row and f'<span class="juror">{names[juror]}</span>' not in row  # now forbidden
        published = client.post("/org/assignment/publish", data={"csrf_token": token, "expect_version": version + 1},
                                follow_redirects=False)
        assert published.headers["location"] == "/org/assignment#draft-actions"


def test_the_assignment_page_is_short_and_edits_keep_their_place_in_a_real_browser(settings, sample, browser):
    """Chromium at 1366×900: the sample's assignment page stays under 130 px an entry (main's page: about 750,
    bench/bench_page_height.py); a forbid in a row in the middle of the page changes that row without a page
    load and at the same scroll position, with the focus in the row; axe-core finds nothing serious in kk, ru
    and en."""
    entry = sample["entries"][len(sample["entries"]) // 2]
    problems: list[str] = []
    with running(create_app(settings, search_engine=J.FakeSearch())) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{base}/login")
        page.fill("#username", "organizer")
        page.fill("#password", "pw-organizer-123")
        page.press("#password", "Enter")
        page.wait_for_load_state()
        for lang in i18n.LANGUAGES:
            page.goto(f"{base}/org/assignment?lang={lang}")
            problems += [f"{lang}: {v}" for v in serious_violations(page)]
            shot(page, f"layout-assignment-{lang}")
        height = page.evaluate("document.body.scrollHeight")
        assert height < 130 * len(sample["entries"]), height
        row = page.locator(f"#row-{entry}")
        row.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 200); window.notReloaded = true")
        y = page.evaluate("window.scrollY")
        assert y > 900
        first = row.locator(".juror").first.inner_text()
        row.locator("details.change summary").click()
        row.locator("select[name=op]").select_option("forbid")
        row.locator("select[name=juror]").select_option(label=first)
        row.get_by_role("button").click()
        page.locator(f"#row-{entry}.changed").wait_for()
        assert page.evaluate("window.notReloaded") is True  # no page load
        assert abs(page.evaluate("window.scrollY") - y) <= 2
        assert first not in [t for t in page.locator(f"#row-{entry} .juror").all_inner_texts()]
        assert page.evaluate(f"document.getElementById('row-{entry}').contains(document.activeElement)")
        problems += [f"after the edit: {v}" for v in serious_violations(page)]
        shot(page, "layout-assignment-edited")
        page.close()
    assert problems == []


def test_a_live_batch_page_names_new_unreadable_files_and_drops_its_stop_button_when_done(settings, world, browser):
    """Chromium: the page polls the batch; a file that fails meanwhile appears, named, with its reason in the
    page's language, and once the batch is done the stop button goes (no reload needed)."""
    from review_service.web.org_batches import FILE_PROBLEMS

    store = JobStore(world["db"])
    job = store.create("upload", {}, created_by="organizer", state="running", worker="w1")
    with running(create_app(settings, search_engine=J.FakeSearch())) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/login")
        page.fill("#username", "organizer")
        page.fill("#password", "pw-organizer-123")
        page.press("#password", "Enter")
        page.wait_for_load_state()
        page.goto(f"{base}/org/batches/{job['id']}?lang=kk")
        assert page.locator("#job-stop").count() == 1 and page.locator("#job-errors").is_hidden()
        page.evaluate("window.notReloaded = true")
        store.set_errors(job["id"], [{"file_name": "ЖИ байқауы_Құпия.docx", "code": "encrypted", "message": "x"}])
        item = page.locator("#job-errors li[data-code=encrypted]")
        item.wait_for(timeout=15_000)
        assert item.inner_text() == f"ЖИ байқауы_Құпия.docx: {i18n.gettext('kk', FILE_PROBLEMS['encrypted'])}"
        assert store.finish(job["id"], "w1", "done")
        page.locator("#job-done").wait_for(state="visible", timeout=15_000)
        assert page.locator("#job-stop").count() == 0 and page.evaluate("window.notReloaded") is True
        assert serious_violations(page) == []
        shot(page, "layout-batch-done-kk")
        page.close()


def test_a_refused_score_form_lands_on_its_first_invalid_field_in_a_real_browser(settings, world, browser):
    code = entry_code(world["E"])
    with running(create_app(settings, search_engine=J.FakeSearch())) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/login")
        page.fill("#username", "ja")
        page.fill("#password", "pw-ja-123")
        page.press("#password", "Enter")
        page.wait_for_load_state()
        page.goto(f"{base}/my/{code}?lang=ru")
        page.fill("#score-innovation", "7")
        page.fill("#score-feasibility", "9")
        page.get_by_role("button", name=i18n.gettext("ru", "Submit scores")).click()
        page.wait_for_load_state()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'score-feasibility'",
                               timeout=5_000)
        top = page.evaluate("window.scrollY")
        box = page.locator("#score-feasibility").bounding_box()
        assert box is not None and 0 <= box["y"] <= 800 and top > 0  # the field is on screen, not the page top
        assert page.locator("#score-feasibility-error").is_visible()
        assert page.locator("#score-innovation").input_value() == "7"  # what was typed is kept
        assert serious_violations(page) == []
        shot(page, "layout-score-errors-ru")
        page.close()
