"""Blind copies (review_service/intake/redaction.py): seconds to make the blind copy a juror is served, the first
time (later views read the kept copy) — a generated 20-page text PDF naming the applicant on 5 pages, and, with
LibreOffice, the PPTX and DOCX of tests/test_blind_originals.py redacted in their XML and rendered again.

    .venv/bin/python bench/bench_blind_copy.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.core.config import Settings
from review_service.core.personal import Matcher
from review_service.intake import ooxml_redaction, redaction, renditions
from tests import files as F
from tests import test_blind_originals as T


def main() -> int:
    matcher = Matcher.build(names=[T.SURNAME, T.NAME], places=[T.LIBRARY, T.REGION], contacts=[T.EMAIL, T.PHONE])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages = [(F.RU_TEXT + " " + F.KK_TEXT + " ") * 4 for _ in range(20)]
        for n in (0, 4, 9, 14, 19):
            pages[n] += f" Автор: {T.SURNAME} {T.NAME}, {T.EMAIL}, {T.PHONE}."
        pdf = F.make_pdf(work / "long.pdf", pages)
        for run in ("first in the process (imports included)", "warm"):
            started = time.perf_counter()
            _, report = redaction.redact(pdf.read_bytes(), matcher, {})
            print(f"PDF, 20 pages, {report.spans} spans on {len(report.redacted)} pages, {run}: "
                  f"{time.perf_counter() - started:.2f} s")
        if renditions.soffice() is None:
            print("soffice not found: the DOCX/PPTX figures need LibreOffice")
            return 0
        settings = Settings(environment="test", data_dir=work / "var")
        for make, fmt in ((T.make_pptx, "pptx"), (T.make_docx, "docx")):
            src = make(work / f"src.{fmt}")
            started = time.perf_counter()
            ooxml_redaction.redact_package(src, work / f"blind.{fmt}", matcher)
            xml = time.perf_counter() - started
            made = renditions.render_to(work / f"blind.{fmt}", fmt, work, settings)
            rendered = time.perf_counter() - started
            assert made is not None
            _, report = redaction.redact(made.read_bytes(), matcher, {})
            print(f"{fmt.upper()}: XML {xml:.2f} s, + LibreOffice {rendered - xml:.2f} s, + check "
                  f"{time.perf_counter() - started - rendered:.2f} s ({report.pages} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
