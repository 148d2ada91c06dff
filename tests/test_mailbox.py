"""Mailbox intake (docs/mailbox.md): real mailboxes built with ``email`` and ``mailbox`` (tests/mailboxes.py) →
the folder of entries and ``mailbox.json``; ``screen --mailbox`` gives the same entries as the folder an
organizer makes by hand, with the letters' dates in the deadline check."""
from __future__ import annotations

import hashlib
import json
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.utils import parsedate_to_datetime

import pytest

from review_service.batches.batch import STAGES
from review_service.intake.mailbox import read_letter
from review_service.intake.mailbox.matching import match_letter, word_is_surname
from review_service.intake.mailbox.names import decode_name, safe_name
from review_service.intake.mailbox.texts import REASONS, describe
from review_service.stages.eligibility import ASTANA
from tests import jury as J
from tests import mailboxes as M

SKIP_ALL = [arg for stage in STAGES for arg in ("--skip", stage)]  # intake and the pre-checks only: cheap


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def imported(settings, tmp_path, monkeypatch):
    box = M.write_mbox(tmp_path / "konkurs.mbox", M.season())
    forms = M.write_forms(tmp_path / "forms.csv")
    out = tmp_path / "entries"
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(box), "--out", str(out), "--forms", str(forms)]) == 0
    data = json.loads((out / "mailbox.json").read_text(encoding="utf-8"))
    return out, data, {letter["message_id"]: letter for letter in data["letters"]}


def _only(letter: dict) -> dict:
    assert len(letter["attachments"]) == 1, letter["attachments"]
    return letter["attachments"][0]


def test_every_letter_and_every_attachment_has_a_record_with_status_and_reason(imported):
    out, data, letters = imported
    assert data["schema"] == "review-service/mailbox" and len(data["letters"]) == len(M.season()) == 11
    for letter in data["letters"]:
        assert letter["status"] in REASONS and letter["reason"] == letter["status"]
        assert {"message_id", "from", "date", "subject", "attachments", "form_row"} <= letter.keys()
        for a in letter["attachments"]:
            assert {"name", "sha256", "status", "reason"} <= a.keys()
            assert a["status"] in ("saved", "duplicate", "superseded", "unpacked", "link_only", "refused", "skipped")
            assert a["reason"] in REASONS, a
            assert describe(a["reason"], a["params"], "kk") != describe(a["reason"], a["params"], "en")
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and ".mailbox" not in p.parts)
    assert written == sorted([*M.HAND_MADE, "mailbox.json"])
    for name, content in M.HAND_MADE.items():
        assert (out / name).read_bytes() == content
    assert letters["l11@ex.org"]["status"] == "no_attachment" and letters["l11@ex.org"]["attachments"] == []


def test_kazakh_names_in_four_charsets_and_rfc2047_are_decoded(imported):
    _, _, letters = imported
    assert _only(letters["l1@ex.org"])["name"] == "ЖИ байқауы_Ахметова.txt"    # RFC 2231, utf-8
    assert _only(letters["l2@ex.org"])["name"] == "ЖИ байкауы_Сейітова.txt"    # RFC 2231, windows-1251
    assert _only(letters["l3@ex.org"])["name"] == "ЖИ байкауы_Оспанов.txt"     # RFC 2231, koi8-r
    assert _only(letters["l5@ex.org"])["name"] == "ЖИ байқауы_Жұмабаева.txt"   # RFC 2231, kz1048, forwarded
    assert _only(letters["l8@ex.org"])["name"] == "ЖИ байқауы_Иванова.txt"
    assert _only(letters["l6@ex.org"])["name"] == "ЖИ байқауы_Иванова.txt"     # RFC 2047 inside quotes
    assert letters["l1@ex.org"]["subject"] == "Байқауға жоба"


def test_zip_of_two_files_is_unpacked_and_the_zip_bomb_is_not(imported):
    out, _, letters = imported
    zipped = letters["l4@ex.org"]["attachments"]
    assert [(a["name"], a["status"], a["in_archive"]) for a in zipped] == [
        ("жоба.zip", "unpacked", None), ("проект.txt", "saved", "жоба.zip"), ("қосымша.txt", "saved", "жоба.zip")]
    assert zipped[0]["params"] == {"files": 2}
    assert zipped[1]["sha256"] == _sha(M.ZIP_A)  # the cp866 member name (no UTF-8 flag) decoded
    bomb = _only(letters["l10@ex.org"])
    assert (bomb["status"], bomb["reason"]) == ("refused", "zip_bomb") and bomb["params"]["ratio"] > 200
    assert letters["l10@ex.org"]["status"] == "nothing_readable"
    assert (out / bomb["kept_as"]).stat().st_size < 1024 * 1024  # kept as sent (packed), never unpacked
    assert not any("Бомба" in p.name for p in out.rglob("*"))


def test_forward_resend_correction_link_and_late_letter(imported):
    out, _, letters = imported
    forwarded = letters["l5@ex.org"]
    assert forwarded["forwarded_from"] == ["zh.zhumabaeva@example.org"] and _only(forwarded)["via"] == "forwarded"
    assert forwarded["form_row"]["file_name"] == "ЖИ байқауы_Жұмабаева.txt" and forwarded["form_row"]["by"] == "email"
    first, again, corrected = (_only(letters[f"l{n}@ex.org"]) for n in (6, 7, 8))
    assert (again["status"], again["reason"], again["sha256"]) == ("duplicate", "same_file_resent", first["sha256"])
    assert (first["status"], first["reason"]) == ("superseded", "corrected_resend")
    assert first["superseded_by"]["sha256"] == corrected["sha256"] == _sha(M.IVANOVA_2)
    assert corrected["supersedes"] == [{"letter": letters["l6@ex.org"]["letter"], "name": first["name"],
                                        "sha256": _sha(M.IVANOVA_1)}]
    assert (out / first["kept_as"]).read_bytes() == M.IVANOVA_1  # both kept; only the correction is an entry
    link = _only(letters["l9@ex.org"])
    assert (link["status"], link["reason"], link["params"]["service"]) == ("link_only", "cloud_link", "google_drive")
    assert link["sha256"] is None and letters["l9@ex.org"]["status"] == "link_only"
    late = letters["l3@ex.org"]
    assert late["date"] == "2026-11-16T10:00:00+05:00" and late["date_source"] == "received"
    assert late["after_deadline"] is True and letters["l1@ex.org"]["after_deadline"] is False


def test_form_rows_matched_by_email_file_name_and_body_with_evidence(imported):
    _, data, letters = imported
    by = {mid: (r["form_row"] or {}).get("by") for mid, r in letters.items()}
    assert by["l1@ex.org"] == by["l8@ex.org"] == "email"
    assert by["l2@ex.org"] == "file_name"     # unknown sender; «ЖИ байкауы_Сейітова»
    assert by["l4@ex.org"] == "body"          # "Серікбаевтың жобасын" in the body, a ZIP without surnames
    assert letters["l4@ex.org"]["form_row"]["file_name"] == "Серікбаев.txt"
    assert "Серікбаевтың" in letters["l4@ex.org"]["form_row"]["evidence"][0]["text"]
    assert all(r["form_row"] is None or r["form_row"]["confirmed"] is False for r in data["letters"])
    ospanov = letters["l3@ex.org"]
    assert ospanov["form_row"] is None and _only(ospanov)["reason"] == "no_form_row"  # listed, not dropped
    assert data["summary"]["without_form_row"] == 4  # Оспанов, the link, the bomb, the question


def test_acknowledgement_drafts_in_kazakh_and_russian(imported):
    out, _, letters = imported
    ack = letters["l1@ex.org"]["acknowledgement"]
    assert ack["kk"].startswith("Құрметті Айгерім Ахметова!") and "«ЖИ байқауы_Ахметова.txt»" in ack["kk"]
    assert ack["ru"].startswith("Уважаемый(ая) Айгерім Ахметова!") and "Мы получили" in ack["ru"]
    assert "мерзімі өткеннен кейін" in letters["l3@ex.org"]["acknowledgement"]["kk"]
    assert "drive.google.com" in letters["l9@ex.org"]["acknowledgement"]["ru"]
    assert "Файла проекта в нём мы не нашли" in letters["l11@ex.org"]["acknowledgement"]["ru"]
    n = letters["l1@ex.org"]["letter"]
    assert (out / ".mailbox" / "acknowledgements" / f"letter-{n:03d}.kk.txt").read_text(encoding="utf-8") == ack["kk"]


def test_mbox_eml_folder_and_maildir_give_the_same_records(tmp_path, settings):
    from review_service.commands.mailbox_command import import_mailbox

    letters = M.season()[:6]
    boxes = [M.write_mbox(tmp_path / "a.mbox", letters), M.write_eml_folder(tmp_path / "eml", letters),
             M.write_maildir(tmp_path / "maildir", letters)]
    seen = []
    for n, box in enumerate(boxes):
        data = import_mailbox(box, tmp_path / f"out{n}", settings)
        seen.append(sorted((r["message_id"], r["date"], tuple((a["name"], a["sha256"], a["status"])
                                                              for a in r["attachments"])) for r in data["letters"]))
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) == 6


def test_screen_mailbox_gives_the_entries_of_the_hand_made_folder(settings, tmp_path, monkeypatch, capsys):
    forms = M.write_forms(tmp_path / "forms.csv")
    box = M.write_mbox(tmp_path / "konkurs.mbox", M.season())
    hand = M.write_hand_made(tmp_path / "hand")
    assert J.run_cli(settings, monkeypatch, ["screen", str(hand), "--forms", str(forms), "--out",
                                             str(tmp_path / "r1"), "--no-progress", *SKIP_ALL]) == 1
    assert J.run_cli(settings, monkeypatch, ["screen", "--mailbox", str(box), "--forms", str(forms), "--out",
                                             str(tmp_path / "r2"), "--no-progress", *SKIP_ALL]) == 1
    by_hand, by_mail = (json.loads((tmp_path / r / "screening.json").read_text(encoding="utf-8"))["files"]
                        for r in ("r1", "r2"))
    assert sorted((f["file_name"], f["sha256"]) for f in by_mail) == sorted(
        (f["file_name"], f["sha256"]) for f in by_hand) == sorted((n, _sha(d)) for n, d in M.HAND_MADE.items())
    mail = {f["file_name"]: f for f in by_mail}
    deadline = {name: {c["name"]: c for c in f["checks"]}["deadline"] for name, f in mail.items()}
    assert deadline["ЖИ байкауы_Оспанов.txt"]["outcome"] == "fail"  # received on the 16th by the server
    assert "2026-11-16T10:00:00+05:00 (letter" in deadline["ЖИ байкауы_Оспанов.txt"]["evidence"]
    assert deadline["ЖИ байқауы_Ахметова.txt"]["outcome"] == "pass"
    assert deadline["ЖИ байқауы_Жұмабаева.txt"]["outcome"] == "pass"  # the form had no date; the letter has
    assert mail["проект.txt"]["form"]["surname"] == "Серікбаев"  # the letter's match, not the file name
    assert mail["ЖИ байкауы_Оспанов.txt"]["form"] is None
    by_hand_names = {f["file_name"]: f for f in by_hand}
    assert by_hand_names["проект.txt"]["form"] is None
    report = json.loads((tmp_path / "r2" / "screening.json").read_text(encoding="utf-8"))
    assert report["summary"]["forms_without_file"] == []  # every form row has its letter's file
    assert (tmp_path / "r2" / "mailbox" / "mailbox.json").is_file()


def test_screen_reads_a_hand_corrected_form_row(settings, tmp_path, monkeypatch):
    box = M.write_mbox(tmp_path / "k.mbox", M.season()[:1])
    forms = M.write_forms(tmp_path / "forms.csv")
    out = tmp_path / "entries"
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(box), "--out", str(out), "--forms", str(forms)]) == 0
    data = json.loads((out / "mailbox.json").read_text(encoding="utf-8"))
    data["letters"][0]["form_row"] = {"file_name": "ЖИ байқауы_Иванова.txt", "confirmed": True}  # a person's fix
    (out / "mailbox.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    J.run_cli(settings, monkeypatch, ["screen", str(out), "--forms", str(forms), "--out", str(tmp_path / "r"),
                                      "--no-progress", *SKIP_ALL])
    files = json.loads((tmp_path / "r" / "screening.json").read_text(encoding="utf-8"))["files"]
    assert [(f["file_name"], f["form"]["surname"]) for f in files] == [("ЖИ байқауы_Ахметова.txt", "Иванова")]


def test_a_foreign_folder_is_never_overwritten_and_a_bad_mailbox_is_a_clear_error(settings, tmp_path, monkeypatch,
                                                                                capsys):
    box = M.write_mbox(tmp_path / "k.mbox", M.season()[:1])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("мои заметки", encoding="utf-8")
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(box), "--out", str(mine)]) == 2
    assert "not written by `review-service mailbox`" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "мои заметки"
    (tmp_path / "x.txt").write_text("not mail", encoding="utf-8")
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(tmp_path / "x.txt"), "--out", str(tmp_path / "o")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "no .eml files" in capsys.readouterr().err
    assert J.run_cli(settings, monkeypatch, ["screen", "--out", str(tmp_path / "r")]) == 2  # neither DIR nor --mailbox
    out = tmp_path / "again"  # run twice into the same folder: replaced as a whole, same records
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(box), "--out", str(out)]) == 0
    assert J.run_cli(settings, monkeypatch, ["mailbox", str(box), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".mailbox", "mailbox.json", "ЖИ байқауы_Ахметова.txt"]


def test_hostile_letters_are_listed_not_dropped(settings, tmp_path, monkeypatch):
    assert read_letter(b"\x00\xff garbage \x00", "mbox#1", ASTANA).problem == "unreadable"
    from review_service.commands.mailbox_command import import_mailbox
    from review_service.intake.mailbox import sources

    monkeypatch.setattr(sources, "MAX_LETTER_MB", 0.001)  # every letter "too large": listed with the limit
    data = import_mailbox(M.write_eml_folder(tmp_path / "eml", M.season()[:2]), tmp_path / "out", settings)
    assert [(r["status"], r["params"]) for r in data["letters"]] == [("letter_too_large", {"limit_mb": 200.0})] * 2
    msg = MIMEMultipart()
    msg["From"] = "a@example.org"
    msg["Subject"] = "x"
    part = MIMEApplication(b"%PDF-1.4 fake", Name=None)
    del part["Content-Type"]
    part["Content-Type"] = "application/pdf"
    msg.attach(part)  # no name at all: named by its content
    evil = MIMEApplication(b"data")
    evil.add_header("Content-Disposition", "attachment", filename="../../etc/.passwd")
    msg.attach(evil)
    letter = read_letter(msg.as_bytes(), "x.eml", ASTANA)
    assert [p.name for p in letter.parts] == ["attachment-1.pdf", "passwd"]
    assert letter.date is None and letter.date_source == "none"


@pytest.mark.parametrize(("raw", "name"), [
    (Header("ЖИ байқауы_Әлиева.pdf", "utf-8").encode(), "ЖИ байқауы_Әлиева.pdf"),
    (Header("ЖИ байкауы_Ким.pdf", "koi8-r").encode(), "ЖИ байкауы_Ким.pdf"),
    ("ЖИ байқауы_Нұр.pdf".encode().decode("utf-8", "surrogateescape"), "ЖИ байқауы_Нұр.pdf"),
    ("ЖИ байкауы_Ли.pdf".encode("cp1251").decode("ascii", "surrogateescape"), "ЖИ байкауы_Ли.pdf"),
])
def test_names_decode_from_encoded_words_and_raw_bytes(raw, name):
    assert decode_name(raw) == name


def test_safe_names():
    assert safe_name("a/b\\..\\.hidden.pdf") == "hidden.pdf"
    assert safe_name("") == "attachment" and safe_name("x\x00y:z.pdf") == "x_y_z.pdf"
    assert len(safe_name("ж" * 400 + ".docx")) == 150 and safe_name("ж" * 400 + ".docx").endswith(".docx")


@pytest.mark.parametrize(("word", "surname", "same"), [
    ("Ахметовой", "Ахметова", True), ("Akhmetova", "Ахметова", True), ("Ахметованың", "Ахметова", True),
    ("Серікбаевқа", "Серікбаев", True), ("Serikbayev", "Серікбаев", True), ("Серикбаевым", "Серікбаев", True),
    ("Ковальской", "Ковальская", True), ("Ахмет", "Ахметова", False), ("Ким", "Кимов", False),
    ("Ахметовадан-басқаларыныңкі", "Ахметова", False),
])
def test_surname_case_forms_and_scripts(word, surname, same):
    assert word_is_surname(word, surname) is same


def test_two_rows_with_one_surname_are_candidates_not_a_match():
    forms = {"a": {"file_name": "a", "surname": "Ким", "contact": "a@x.org"},
             "b": {"file_name": "b", "surname": "Ким", "contact": "b@x.org"}}
    found = match_letter(["c@x.org"], ["ЖИ байқауы_Ким.pdf"], "", forms)
    assert found.key is None and found.by == "ambiguous" and set(found.candidates) == {"a", "b"}
    assert match_letter(["B@X.org"], [], "", forms).key == "b"


def test_reading_the_same_mailbox_again_keeps_the_screen_inputs_the_same(settings, tmp_path):
    """Same files, same modification times (the letters' dates): an interrupted `screen --mailbox` resumes."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.job_runner import _fingerprint
    from review_service.commands.mailbox_command import import_mailbox

    box = M.write_mbox(tmp_path / "k.mbox", M.season()[:4])
    out = tmp_path / "entries"
    import_mailbox(box, out, settings)
    first = _fingerprint(out, ScreenOptions())
    import_mailbox(box, out, settings)
    assert _fingerprint(out, ScreenOptions()) == first
    assert (out / "ЖИ байқауы_Ахметова.txt").stat().st_mtime == parsedate_to_datetime(M.season()[0].date).timestamp()


def test_the_same_file_from_two_senders_is_two_entries(settings, tmp_path):
    from review_service.commands.mailbox_command import import_mailbox

    same = [("ЖИ байқауы_Жоба.txt", M.AKHMETOVA, "utf-8")]
    letters = [M.Letter("a@example.org", "Tue, 10 Nov 2026 12:00:00 +0500", "1", files=same, message_id="<a@x>"),
               M.Letter("b@example.org", "Tue, 10 Nov 2026 13:00:00 +0500", "2", files=same, message_id="<b@x>")]
    data = import_mailbox(M.write_mbox(tmp_path / "k.mbox", letters), tmp_path / "out", settings)
    paths = [a["path"] for r in data["letters"] for a in r["attachments"]]
    assert paths == ["letter-001/ЖИ байқауы_Жоба.txt", "letter-002/ЖИ байқауы_Жоба.txt"]  # names clash: a folder each


def test_cloud_links_in_an_html_letter_are_found_by_their_address():
    from email.mime.text import MIMEText

    msg = MIMEMultipart("alternative")
    msg["From"] = "a@example.org"
    msg.attach(MIMEText('<p>Жобам: <a href="https://disk.yandex.ru/d/AbC123">мына жерде</a> және '
                        '<a href="https://cloud.mail.ru/public/x/y">мұнда</a>, '
                        '<a href="https://example.org/page">басқа сайт</a></p>', "html", "utf-8"))
    letter = read_letter(msg.as_bytes(), "x.eml", ASTANA)
    assert [(link.service, link.url) for link in letter.links] == [
        ("yandex_disk", "https://disk.yandex.ru/d/AbC123"), ("mailru_cloud", "https://cloud.mail.ru/public/x/y")]
    assert "мына жерде" in letter.body and "<a" not in letter.body
