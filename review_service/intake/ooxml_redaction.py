"""A DOCX or PPTX with the applicant's personal values taken out of its XML, to render the blind rendition from
(:mod:`review_service.web.blind_files`): its text then stays text, and only what this misses is blacked out on the
rendered pages (:mod:`review_service.intake.redaction`).

- Paragraph by paragraph (``w:p``, ``a:p``), the text of its runs (``w:t``, ``a:t``) is joined, searched with the
  :class:`~review_service.core.personal.Matcher` and each span replaced by :data:`MARKER` — so a surname Word split
  over two runs is found too.
- Every other text and attribute value of every XML part (headers, footers, notes, comments, charts, alt text,
  field codes, ``mailto:`` links in the relationships) is searched the same way.
- The document properties that name people (author, last modified by, company, manager) are emptied; the
  thumbnail is dropped.
- Pictures are copied as they are: a name in a picture is not found here.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from review_service.core.errors import ReviewError
from review_service.core.personal import Matcher
from review_service.intake.redaction import MARKER

MAX_PART_BYTES = 64 << 20
EMPTIED = frozenset({"creator", "lastModifiedBy", "Company", "Manager"})
DROPPED_PREFIXES = ("docProps/thumbnail",)


class OoxmlRedactionFailed(ReviewError):
    code = "blind_copy_failed"
    http_status = 404


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _redact_paragraph(runs: list, matcher: Matcher) -> int:
    """Replace the spans found in the joined text of ``runs`` (text elements of one paragraph)."""
    texts = [r.text or "" for r in runs]
    spans = matcher.spans("".join(texts))
    if not spans:
        return 0
    at = 0
    for run, text in zip(runs, texts, strict=True):
        out = []
        for i, ch in enumerate(text, start=at):
            inside = next((s for s in spans if s.start <= i < s.end), None)
            if inside is None:
                out.append(ch)
            elif i == inside.start:
                out.append(MARKER)
        at += len(text)
        run.text = "".join(out)
        run.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return len(spans)


def redact_part(data: bytes, matcher: Matcher) -> tuple[bytes, int]:
    """One XML part with the personal values taken out; and how many spans were."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    tree = etree.parse(io.BytesIO(data), parser)
    root = tree.getroot()
    count = 0
    groups: dict[object, list] = {}
    for el in root.iter():
        if _local(el.tag) != "t":
            continue
        parent = el.getparent()
        while parent is not None and _local(parent.tag) != "p":
            parent = parent.getparent()
        groups.setdefault(parent if parent is not None else el, []).append(el)
    handled: set[int] = set()
    for runs in groups.values():
        count += _redact_paragraph(runs, matcher)
        handled.update(id(r) for r in runs)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if _local(el.tag) in EMPTIED and el.text:
            el.text, count = "", count + 1
        elif el.text and id(el) not in handled:
            el.text, n = matcher.redact(el.text, MARKER)
            count += n
        if el.tail and el.tail.strip():
            el.tail, n = matcher.redact(el.tail, MARKER)
            count += n
        for name, value in el.attrib.items():
            new, n = matcher.redact(value, MARKER)
            if n:
                el.set(name, new)
                count += n
    out = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)
    return out, count


def redact_package(src: Path, dest: Path, matcher: Matcher) -> int:
    """``src`` (DOCX/PPTX) → ``dest`` with every XML part redacted; the number of spans taken out."""
    count = 0
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename.startswith(DROPPED_PREFIXES):
                    continue
                if info.file_size > MAX_PART_BYTES:
                    raise OoxmlRedactionFailed(f"{info.filename} is too large to check")
                data = zin.read(info)
                if info.filename.endswith((".xml", ".rels")):
                    data, n = redact_part(data, matcher)
                    count += n
                zout.writestr(info, data)
    except OoxmlRedactionFailed:
        raise
    except Exception as exc:  # a package that cannot be rewritten is not rendered for a juror
        raise OoxmlRedactionFailed(f"the file could not be redacted ({type(exc).__name__})") from exc
    return count
