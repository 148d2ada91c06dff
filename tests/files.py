"""Makers of REAL test files (no fixtures on disk): every function writes ``path`` and returns it.

Documents: :func:`make_pdf` (reportlab + DejaVuSans, so Kazakh/Russian text is extractable),
:func:`make_scanned_pdf` (image-only pages, Pillow), :func:`make_encrypted_pdf` (pypdf, AES-256 by default),
:func:`make_docx` (python-docx: headings, paragraphs, a table), :func:`make_pptx` (python-pptx: titles, bodies,
a table, a grouped shape, speaker notes), :func:`make_text` (any encoding, optional BOM).
Media: :func:`make_speech_wav` (espeak-ng), :func:`make_tone_wav` (numpy), :func:`make_video` (PyAV: MP4 with
an H.264 picture and an AAC copy of a WAV's sound, or no sound at all).
Bad input: :func:`make_zip_bomb_ooxml` (valid DOCX/PPTX plus a huge, highly compressible member),
:func:`make_ole` (a minimal valid OLE compound file: legacy .doc/.ppt or password-protected OOXML),
:func:`make_png`, :func:`make_exe`, :func:`truncate`.

Typical use::

    from tests.files import make_pdf
    pdf = make_pdf(tmp_path / "entry.pdf", ["Бірінші бет мәтіні", "Вторая страница"])
"""
from __future__ import annotations

import math
import random
import shutil
import struct
import subprocess
import wave
import zipfile
from collections.abc import Sequence
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

KK_TEXT = ("Кітапхана оқырмандарына арналған жасанды интеллект көмекшісі кітап іздеуге, "
           "каталогпен жұмыс істеуге және сирек қолжазбаларды цифрлауға көмектеседі.")
RU_TEXT = ("Чат-бот библиотеки на основе искусственного интеллекта помогает читателям находить книги, "
           "продлевать сроки возврата и получать рекомендации по чтению.")
EN_TEXT = ("An AI assistant for library readers recommends books, answers questions about the catalogue "
           "and helps digitise rare manuscripts with optical character recognition.")


def font_path() -> Path:
    if not DEJAVU.is_file():
        raise FileNotFoundError(f"{DEJAVU} is missing: apt-get install fonts-dejavu-core")
    return DEJAVU


# --- PDF ---------------------------------------------------------------------------------------------


def make_pdf(path: Path, pages: Sequence[str], *, title: str = "", author: str = "") -> Path:
    """A text PDF, one string per page (wrapped to the page width), in DejaVuSans."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_path())))
    c = canvas.Canvas(str(path), pagesize=A4)
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    width, height = A4
    for text in pages:
        c.setFont("DejaVuSans", 11)
        y = height - 60
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                trial = f"{line} {word}".strip()
                if pdfmetrics.stringWidth(trial, "DejaVuSans", 11) > width - 120:
                    c.drawString(60, y, line)
                    y -= 16
                    line = word
                else:
                    line = trial
            if line:
                c.drawString(60, y, line)
            y -= 24
        c.showPage()
    c.save()
    return path


def render_text_image(text: str, *, width: int = 1240, font_size: int = 36, margin: int = 60):
    """A white page image (Pillow, grayscale) with ``text`` wrapped in black DejaVuSans — a 'scan'."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), font_size)
    probe = ImageDraw.Draw(Image.new("L", (width, 10)))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if probe.textlength(trial, font=font) > width - 2 * margin:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    step = int(font_size * 1.5)
    image = Image.new("L", (width, max(2 * margin + step * len(lines), width // 2)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, fill=0, font=font)
    return image


def make_scanned_pdf(path: Path, pages: Sequence[str], *, font_size: int = 36) -> Path:
    """An image-only PDF (no text layer), one rendered page image per string, as a scanner makes."""
    images = [render_text_image(text, font_size=font_size) for text in pages]
    images[0].save(path, "PDF", resolution=150.0, save_all=True, append_images=images[1:])
    return path


def make_encrypted_pdf(path: Path, pages: Sequence[str], *, user_password: str = "secret",
                       owner_password: str = "owner", algorithm: str = "AES-256") -> Path:
    """A text PDF encrypted with pypdf. ``user_password=""`` gives a PDF that opens without a password
    (restrictions only). AES needs the ``cryptography`` package; ``RC4-128`` does not."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), pages)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm=algorithm)
    with open(path, "wb") as f:
        writer.write(f)
    plain.unlink()
    return path


def truncate(src: Path, dest: Path, fraction: float = 0.5) -> Path:
    """A copy of ``src`` cut to ``fraction`` of its bytes (a broken download)."""
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


# --- DOCX / PPTX ----------------------------------------------------------------------------------------


def make_docx(path: Path, sections: Sequence[tuple[str, Sequence[str]]], *, intro: str = "",
              table: Sequence[Sequence[str]] = (), title: str = "", author: str = "") -> Path:
    """A DOCX: optional intro paragraph (before any heading), then per section a Heading 1 and its
    paragraphs; ``table`` rows are added after the first section."""
    import docx

    document = docx.Document()
    if intro:
        document.add_paragraph(intro)
    for i, (heading, paragraphs) in enumerate(sections):
        document.add_heading(heading, level=1)
        for text in paragraphs:
            document.add_paragraph(text)
        if i == 0 and table:
            t = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    document.core_properties.title = title
    document.core_properties.author = author
    document.save(str(path))
    return path


def make_pptx(path: Path, slides: Sequence[tuple[str, str, str]], *, table_on: int | None = None,
              table: Sequence[Sequence[str]] = (), group_text: str = "", title: str = "") -> Path:
    """A PPTX: per slide (title, body, notes); optionally a table on slide ``table_on`` (1-based) and a
    grouped text box with ``group_text`` on the last slide."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    layout = prs.slide_layouts[1]  # title and content
    for n, (heading, body, notes) in enumerate(slides, start=1):
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = heading
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        if table_on == n and table:
            shape = slide.shapes.add_table(len(table), len(table[0]), Inches(1), Inches(5), Inches(8), Inches(1.5))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    shape.table.cell(r, c).text = cell
        if group_text and n == len(slides):
            group = slide.shapes.add_group_shape()
            box = group.shapes.add_textbox(Inches(1), Inches(6.5), Inches(6), Inches(0.5))
            box.text_frame.text = group_text
    prs.core_properties.title = title
    prs.save(str(path))
    return path


def make_zip_bomb_ooxml(src: Path, dest: Path, *, member_mb: int = 40) -> Path:
    """``src`` (a valid DOCX/PPTX) plus one extra member of ``member_mb`` MB of zeros, which deflates
    ~1000:1 — what a zip bomb looks like in the ZIP directory."""
    shutil.copyfile(src, dest)
    zero_mb = b"\0" * (1024 * 1024)
    with (zipfile.ZipFile(dest, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
          zf.open("customXml/item99.xml", "w", force_zip64=True) as member):
        for _ in range(member_mb):
            member.write(zero_mb)
    return dest


# --- OLE compound files ----------------------------------------------------------------------------------


def _dir_entry(name: str, kind: int, child: int = 0xFFFFFFFF, sibling_r: int = 0xFFFFFFFF,
               start: int = 0xFFFFFFFE, size: int = 0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, sibling_r, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<IQ", start, size))


def make_ole(path: Path, streams: Sequence[str]) -> Path:
    """A minimal but valid OLE2 compound file holding empty streams named ``streams``:
    ``["WordDocument"]`` → a legacy .doc, ``["PowerPoint Document"]`` → a legacy .ppt,
    ``["EncryptionInfo", "EncryptedPackage"]`` → a password-protected DOCX/PPTX."""
    names = list(streams)[:3]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0))
    header += struct.pack("<I", 0) + b"\xff\xff\xff\xff" * 108  # DIFAT: FAT in sector 0
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff\xff\xff\xff" * 126  # sector 0 FAT, 1 directory
    entries = [_dir_entry("Root Entry", 5, child=1 if names else 0xFFFFFFFF)]
    for i, name in enumerate(names, start=1):
        entries.append(_dir_entry(name, 2, sibling_r=i + 1 if i < len(names) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(512, b"\0")
    path.write_bytes(header + fat + directory)
    return path


# --- other types -----------------------------------------------------------------------------------------


def make_png(path: Path, text: str = "scan") -> Path:
    render_text_image(text, width=400, font_size=24).save(path, "PNG")
    return path


def make_exe(path: Path, size: int = 4096, seed: int = 1) -> Path:
    rng = random.Random(seed)
    path.write_bytes(b"MZ\x90\x00" + bytes(rng.getrandbits(8) for _ in range(size - 4)))
    return path


def make_random_bytes(path: Path, size: int = 4096, seed: int = 2) -> Path:
    rng = random.Random(seed)
    path.write_bytes(bytes(rng.getrandbits(8) for _ in range(size)))
    return path


def make_text(path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path:
    """``text`` in ``encoding``; ``bom=True`` prefixes the encoding's byte-order mark (UTF-8/UTF-16)."""
    data = text.encode(encoding)
    if bom:
        boms = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
        data = boms[encoding] + data
    path.write_bytes(data)
    return path


# --- audio / video -------------------------------------------------------------------------------------


def has_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def make_speech_wav(path: Path, text: str, *, voice: str = "ru", words_per_minute: int = 140) -> Path:
    """Synthesised speech (espeak-ng) as a 22 kHz mono WAV."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text],
                   check=True, capture_output=True, timeout=60)
    return path


def make_tone_wav(path: Path, seconds: float = 2.0, *, freq: float = 440.0, rate: int = 16000,
                  silent: bool = False) -> Path:
    """A sine tone (or silence) as a 16-bit mono WAV: sound with no speech."""
    n = int(seconds * rate)
    amp = 0 if silent else 8000
    frames = b"".join(struct.pack("<h", int(amp * math.sin(2 * math.pi * freq * i / rate))) for i in range(n))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def make_video(path: Path, *, audio_wav: Path | None = None, seconds: float | None = None, fps: int = 10,
               size: tuple[int, int] = (160, 120)) -> Path:
    """An MP4 (H.264 picture; AAC sound copied from ``audio_wav`` when given). Length: the WAV's, or
    ``seconds`` for a silent video."""
    import av
    import numpy as np

    samples = None
    rate = 16000
    if audio_wav is not None:
        with wave.open(str(audio_wav), "rb") as w:
            rate = w.getframerate()
            raw = w.readframes(w.getnframes())
            channels = w.getnchannels()
        samples = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)[:, 0].copy()
        seconds = len(samples) / rate
    seconds = seconds or 2.0
    with av.open(str(path), "w") as out:
        vstream = out.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=fps)
        vstream.width, vstream.height = size
        vstream.pix_fmt = "yuv420p"
        astream = out.add_stream("aac", rate=rate, layout="mono") if samples is not None else None
        for i in range(max(1, int(seconds * fps))):
            img = np.full((size[1], size[0], 3), (i * 7) % 255, dtype=np.uint8)
            for packet in vstream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in vstream.encode():
            out.mux(packet)
        if astream is not None and samples is not None:
            step = 1024
            for start in range(0, len(samples), step):
                piece = samples[start:start + step].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(piece, format="s16", layout="mono")
                frame.sample_rate = rate
                frame.pts = start
                for packet in astream.encode(frame):
                    out.mux(packet)
            for packet in astream.encode():
                out.mux(packet)
    return path
