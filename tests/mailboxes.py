"""Real mailboxes for the mailbox-intake tests, built with Python's ``email`` and ``mailbox`` modules: one
contest season's letters (Kazakh file names in four charsets, a ZIP of two files, a forward, resends, a cloud
link, a late letter, a zip bomb, a letter with nothing attached) as an .mbox, a folder of .eml and a Maildir,
with the forms CSV they match and the folder an organizer would have made by hand."""
from __future__ import annotations

import io
import mailbox
import zipfile
from dataclasses import dataclass, field
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from pathlib import Path

MB = 1024 * 1024
FORMS = """file_name,surname,name,age,library,library_type,region,contact,participation,team_members,project_title,received_at
ЖИ байқауы_Ахметова.txt,Ахметова,Айгерім,28,Көкшетау қалалық кітапханасы,public_mcib,Ақмола облысы,"aigerim.akhmetova@example.org, +7 716 200 11 09",individual,,Чат-бот,2026-10-05T10:15:00+05:00
ЖИ байкауы_Сейітова.txt,Сейітова,Динара,30,Орал қалалық кітапханасы,public_mcib,БҚО,d.seitova@example.org,individual,,Каталог,
Серікбаев.txt,Серікбаев,Нұрлан,32,ҚазҰУ кітапханасы,university,Алматы қ.,"n.serikbayev@example.org",individual,,Цифрлау,
ЖИ байқауы_Жұмабаева.txt,Жұмабаева,Жанар,27,Колледж кітапханасы,college,Астана қ.,zh.zhumabaeva@example.org,individual,,Подкаст,
ЖИ байқауы_Иванова.txt,Иванова,Мария,25,Павлодар облыстық кітапханасы,public_mcib,Павлодар облысы,m.ivanova@example.org,individual,,Виртуальная выставка,
"""


def text(body: str) -> bytes:
    return (body + "\n" + "Жоба туралы мәтін. Проект о ИИ в библиотеке.\n" * 3).encode("utf-8")


@dataclass
class Letter:
    sender: str
    date: str
    subject: str
    body: str = ""
    files: list[tuple[str, bytes, str]] = field(default_factory=list)  # (name, data, how the name is encoded)
    received: str = ""
    forward_of: Letter | None = None
    message_id: str = ""


def _attachment(name: str, data: bytes, how: str) -> MIMEApplication:
    part = MIMEApplication(data, Name=None)
    del part["Content-Type"]
    part["Content-Type"] = "application/octet-stream"
    if how == "rfc2047":  # Outlook's way: encoded words inside the quoted parameter (not standard, very common)
        part["Content-Disposition"] = f'attachment; filename="{Header(name, "utf-8").encode()}"'
    else:  # RFC 2231 in the named charset
        part.add_header("Content-Disposition", "attachment", filename=(how, "", name))
    return part


def message(letter: Letter) -> MIMEMultipart:
    msg = MIMEMultipart()
    msg["From"] = formataddr((letter.sender.split("@")[0], letter.sender))
    msg["To"] = "konkurs@library.kz"
    msg["Subject"] = Header(letter.subject, "utf-8")
    msg["Date"] = letter.date
    msg["Message-ID"] = letter.message_id or f"<{abs(hash((letter.sender, letter.date, letter.subject)))}@ex.org>"
    if letter.received:
        msg["Received"] = f"from mx.example.org by mail.library.kz; {letter.received}"
    msg.attach(MIMEText(letter.body or "Сәлеметсіз бе!", "plain", "utf-8"))
    for name, data, how in letter.files:
        msg.attach(_attachment(name, data, how))
    if letter.forward_of is not None:
        msg.attach(MIMEMessage(message(letter.forward_of)))
    return msg


def zip_of(members: list[tuple[str, bytes]], *, cp866: bool = False) -> bytes:
    """A ZIP; with ``cp866`` the first member's name is stored as Windows archivers in Kazakhstan do (cp866
    bytes, no UTF-8 flag)."""
    buf = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, (name, data) in enumerate(members):
            if cp866 and n == 0:
                raw = name.encode("cp866")
                fake = ("A" * (len(raw) - 4) + ".txt") if name.endswith(".txt") else "A" * len(raw)
                placeholders[fake.encode()] = raw
                name = fake
            zf.writestr(name, data)
    out = buf.getvalue()
    for fake_bytes, raw in placeholders.items():
        out = out.replace(fake_bytes, raw)
    return out


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("ЖИ байқауы_Бомба.txt", b"\0" * (24 * MB))
    return buf.getvalue()


# The season's letters and what each file's name is in the folder an organizer would make by hand.
AKHMETOVA = text("Ахметова")
SEITOVA = text("Сейітова")
OSPANOV = text("Оспанов")
ZIP_A, ZIP_B = text("zip бірінші"), text("zip второй")
ZHUMABAEVA = text("Жұмабаева")
IVANOVA_1, IVANOVA_2 = text("Иванова, первая версия"), text("Иванова, исправленная версия")


def season() -> list[Letter]:
    return [
        Letter("aigerim.akhmetova@example.org", "Tue, 10 Nov 2026 12:00:00 +0500", "Байқауға жоба",
               files=[("ЖИ байқауы_Ахметова.txt", AKHMETOVA, "utf-8")], message_id="<l1@ex.org>"),
        Letter("dinara.s@mail.example", "Wed, 11 Nov 2026 09:30:00 +0500", "Проект на конкурс",
               files=[("ЖИ байкауы_Сейітова.txt", SEITOVA, "windows-1251")], message_id="<l2@ex.org>"),
        # the sender's clock says 23:00 on the 15th; the organizer's server received it on the 16th
        Letter("ospanov@yandex.example", "Sun, 15 Nov 2026 23:00:00 +0500", "Жоба",
               files=[("ЖИ байкауы_Оспанов.txt", OSPANOV, "koi8-r")],
               received="Mon, 16 Nov 2026 10:00:00 +0500", message_id="<l3@ex.org>"),
        Letter("library.almaty@example.org", "Thu, 12 Nov 2026 15:00:00 +0500", "Жоба (архив)",
               body="Сәлеметсіз бе! Серікбаевтың жобасын жіберемін, архивте екі файл.",
               files=[("жоба.zip", zip_of([("проект.txt", ZIP_A), ("қосымша.txt", ZIP_B)], cp866=True), "utf-8")],
               message_id="<l4@ex.org>"),
        Letter("director@college.example", "Fri, 13 Nov 2026 11:00:00 +0500", "Fwd: жоба",
               body="Пересылаю письмо нашей сотрудницы.", message_id="<l5@ex.org>",
               forward_of=Letter("zh.zhumabaeva@example.org", "Thu, 12 Nov 2026 18:00:00 +0500", "жоба",
                                 files=[("ЖИ байқауы_Жұмабаева.txt", ZHUMABAEVA, "kz1048")],
                                 message_id="<l5-inner@ex.org>")),
        Letter("m.ivanova@example.org", "Sun, 01 Nov 2026 10:00:00 +0500", "Проект",
               files=[("ЖИ байқауы_Иванова.txt", IVANOVA_1, "rfc2047")], message_id="<l6@ex.org>"),
        Letter("m.ivanova@example.org", "Mon, 02 Nov 2026 10:00:00 +0500", "Проект (ещё раз)",
               files=[("ЖИ байқауы_Иванова.txt", IVANOVA_1, "rfc2047")], message_id="<l7@ex.org>"),
        Letter("m.ivanova@example.org", "Thu, 05 Nov 2026 10:00:00 +0500", "Проект, исправленный",
               files=[("ЖИ байқауы_Иванова.txt", IVANOVA_2, "utf-8")], message_id="<l8@ex.org>"),
        Letter("cloud.user@example.org", "Sat, 14 Nov 2026 20:00:00 +0500", "Жоба сілтемесі",
               body="Жобам мына жерде: https://drive.google.com/file/d/1AbC/view?usp=sharing", message_id="<l9@ex.org>"),
        Letter("bomber@example.org", "Sat, 14 Nov 2026 21:00:00 +0500", "zip",
               files=[("bomb.zip", zip_bomb(), "utf-8")], message_id="<l10@ex.org>"),
        Letter("question@example.org", "Sat, 14 Nov 2026 22:00:00 +0500", "Сұрақ",
               body="Қатысуға бола ма?", message_id="<l11@ex.org>"),
    ]


HAND_MADE = {  # the entries an organizer would have saved by hand: name → content
    "ЖИ байқауы_Ахметова.txt": AKHMETOVA, "ЖИ байкауы_Сейітова.txt": SEITOVA, "ЖИ байкауы_Оспанов.txt": OSPANOV,
    "проект.txt": ZIP_A, "қосымша.txt": ZIP_B, "ЖИ байқауы_Жұмабаева.txt": ZHUMABAEVA,
    "ЖИ байқауы_Иванова.txt": IVANOVA_2,
}


def write_mbox(path: Path, letters: list[Letter]) -> Path:
    box = mailbox.mbox(path)
    for letter in letters:
        box.add(message(letter))
    box.flush()
    box.close()
    return path


def write_eml_folder(path: Path, letters: list[Letter]) -> Path:
    path.mkdir(parents=True)
    for n, letter in enumerate(letters, start=1):
        (path / f"{n:02d}.eml").write_bytes(message(letter).as_bytes())
    return path


def write_maildir(path: Path, letters: list[Letter]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for letter in letters:
        box.add(message(letter))
    box.close()
    return path


def write_forms(path: Path) -> Path:
    path.write_text(FORMS, encoding="utf-8")
    return path


def write_hand_made(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, data in HAND_MADE.items():
        (folder / name).write_bytes(data)
    return folder
