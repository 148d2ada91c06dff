"""Write one entry as a real PDF, DOCX, PPTX, TXT or MD file, reproducibly (fixed dates, fixed zip stamps)."""
from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0, 0)
ZIP_TIME = (2026, 11, 1, 9, 0, 0)

LABELS = {
    "kk": ("Авторы", "Назар аударғаныңызға рахмет!", "Байланыс"),
    "kk-latn": ("Avtory", "Nazar aýdarǵanyńyzǵa rahmet!", "Baılanys"),
    "ru": ("Автор", "Спасибо за внимание!", "Контакты"),
    "en": ("Author", "Thank you!", "Contact"),
    "mixed": ("Авторы / Авторы проекта", "Рахмет! / Спасибо!", "Байланыс / Контакты"),
}

Sections = list[tuple[str, list[str]]]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _zip_stable(data: bytes) -> bytes:
    """Re-pack an OOXML zip with fixed timestamps and a fixed member order, so equal input gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _core(props, title: str, author: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    props.language = {"kk": "kk-KZ", "kk-latn": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}.get(lang, "kk-KZ")


# --- PDF --------------------------------------------------------------------------------------------------
def write_pdf(path: Path, *, title: str, author: str, byline: str, lang: str, sections: Sections) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    rl_config.invariant = 1
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT_PATH))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", FONT_BOLD_PATH))
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=11, leading=15, spaceAfter=7)
    head = ParagraphStyle("head", fontName="DejaVuSans-Bold", fontSize=13, leading=17, spaceBefore=8,
                          spaceAfter=6)
    big = ParagraphStyle("big", fontName="DejaVuSans-Bold", fontSize=20, leading=26, spaceAfter=18)
    label = LABELS[lang][0]
    story = [Spacer(1, 5 * cm), Paragraph(escape(title), big),
             Paragraph(f"{escape(label)}: {escape(author)}", body), Paragraph(escape(byline), body),
             Paragraph("2026", body), PageBreak()]
    for heading, paras in sections:
        if heading:
            story.append(Paragraph(escape(heading), head))
        story.extend(Paragraph(escape(p), body) for p in paras)

    def footer(canvas, doc):  # type: ignore[no-untyped-def]
        canvas.setFont("DejaVuSans", 8)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(doc.page))

    doc = SimpleDocTemplate(str(path), pagesize=A4, title=title, author=author, invariant=1,
                            leftMargin=2.5 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm,
                            creator="LibreOffice Writer", producer="")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# --- DOCX -------------------------------------------------------------------------------------------------
def docx_bytes(*, title: str, author: str, byline: str, lang: str, sections: Sections,
               table: tuple[tuple[str, ...], ...] = ()) -> bytes:
    import docx

    d = docx.Document()
    _core(d.core_properties, title, author, lang)
    d.add_heading(title, level=0)
    d.add_paragraph(f"{LABELS[lang][0]}: {author}")
    d.add_paragraph(byline)
    table_after = min(2, len(sections) - 1)
    for i, (heading, paras) in enumerate(sections):
        if heading:
            d.add_heading(heading, level=1)
        for p in paras:
            d.add_paragraph(p)
        if table and i == table_after:
            t = d.add_table(rows=len(table), cols=len(table[0]))
            t.style = "Table Grid"
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
            d.add_paragraph("")
    buf = io.BytesIO()
    d.save(buf)
    return _zip_stable(buf.getvalue())


# --- PPTX -------------------------------------------------------------------------------------------------
def write_pptx(path: Path, *, title: str, author: str, byline: str, lang: str, sections: Sections,
               contact: str, n_slides: int | None = None) -> int:
    """Title slide, one slide per section (key sentences on the slide, full text in the notes), a last slide.

    With `n_slides`, sections are spread over more slides (one per sentence) and appendix slides are
    added until the count is reached (the planted far-too-long 3-minute presentation)."""
    from pptx import Presentation
    from pptx.util import Pt

    prs = Presentation()
    _core(prs.core_properties, title, author, lang)

    def add(slide_title: str, bullets: list[str], notes: str) -> None:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = slide_title
        frame = slide.placeholders[1].text_frame
        for k, b in enumerate(bullets):
            para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            para.text = b
            para.font.size = Pt(18)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes

    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = title
    first.placeholders[1].text = f"{author}\n{byline}"
    if n_slides is None:
        for heading, paras in sections:
            bullets = [_sentences(p)[0] for p in paras]
            add(heading, bullets, "\n\n".join(paras))
    else:
        for heading, paras in sections:
            sents = [s for p in paras for s in _sentences(p)]
            for k, s in enumerate(sents):
                add(f"{heading} ({k + 1}/{len(sents)})" if len(sents) > 1 else heading, [s], s)
        rng = random.Random(40)
        k = 1
        while len(prs.slides) < n_slides - 1:
            shelves = rng.randrange(40, 120)
            found = rng.randrange(20, 300)
            add(f"Приложение {k}: зал № {k}",
                [f"Стеллажей проверено: {shelves}", f"Книг не на своих местах: {found}",
                 f"Время сверки: {rng.randrange(2, 12)} рабочих дней"],
                f"Результаты сверки зала № {k}: проверено {shelves} стеллажей, найдено {found} книг не на "
                f"своих местах.")
            k += 1
    last = prs.slides.add_slide(prs.slide_layouts[1])
    last.shapes.title.text = LABELS[lang][1]
    last.placeholders[1].text = f"{LABELS[lang][2]}: {contact}"
    buf = io.BytesIO()
    prs.save(buf)
    path.write_bytes(_zip_stable(buf.getvalue()))
    return len(prs.slides)


# --- TXT / MD ---------------------------------------------------------------------------------------------
def text_document(*, title: str, author: str, byline: str, lang: str, sections: Sections, markdown: bool,
                  wrap: int = 0) -> str:
    lines = [f"# {title}" if markdown else title, ""]
    label = LABELS[lang][0]
    lines += [f"**{label}:** {author}  " if markdown else f"{label}: {author}", byline, ""]
    for heading, paras in sections:
        if heading:
            lines += [f"## {heading}" if markdown else heading.upper(), ""]
        for p in paras:
            lines += (_wrap(p, wrap) if wrap else [p]) + [""]
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    out, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            out.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        out.append(cur)
    return out


# --- scanned PDF (images only) ----------------------------------------------------------------------------
def write_scanned_pdf(path: Path, text: str, *, seed: int = 7) -> int:
    """Render text onto A4 'scans' (150 dpi, grey, slight tilt and speckles) and save them as an image-only PDF."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT_PATH, 27)
    width, height, margin = 1240, 1754, 120
    lines: list[str] = []
    for para in text.strip().split("\n\n"):
        words = " ".join(para.split()).split()
        cur = ""
        for w in words:
            probe = f"{cur} {w}".strip()
            if font.getlength(probe) > width - 2 * margin:
                lines.append(cur)
                cur = w
            else:
                cur = probe
        lines += [cur, ""]
    rng = random.Random(seed)
    per_page = (height - 2 * margin) // 40
    pages = []
    for start in range(0, len(lines), per_page):
        img = Image.new("L", (width, height), 246)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines[start:start + per_page]):
            draw.text((margin, margin + i * 40), line, font=font, fill=28)
        for _ in range(900):
            x, y = rng.randrange(width), rng.randrange(height)
            draw.point((x, y), fill=rng.randrange(120, 200))
        pages.append(img.rotate(0.6, resample=Image.BICUBIC, fillcolor=246))
    pages[0].save(path, "PDF", resolution=150.0, save_all=True, append_images=pages[1:],
                  title="scan", creationDate=FIXED_TIME.timetuple(), modDate=FIXED_TIME.timetuple())
    return len(pages)


def encrypt_pdf(path: Path, password: str) -> None:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(path))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    with open(path, "wb") as fh:
        writer.write(fh)
