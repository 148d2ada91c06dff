"""Conflicts of interest on the bundled sample: the planted ones are found, the same-town non-conflicts are not.

Compound names ("Eurasian National University, Scientific Library" vs "Л.Н. Гумилев атындағы Еуразия ұлттық
университеті"), abbreviations with a dedication ("КРУ им. А. Байтурсынулы") and kk/ru library names are involved.
"""
from __future__ import annotations

import json
from pathlib import Path

from review_service.core.domain import Document
from review_service.intake.receive import read_forms
from review_service.stages.matching import find_conflicts, read_jurors

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_planted_conflicts_found_and_non_conflicts_not():
    forms = read_forms(SAMPLE / "forms.csv")
    jurors = read_jurors(SAMPLE / "jurors.jsonl")
    entries = [Document(id=f["file_name"], text="x", meta={"library": f["library"], "organization": f["library"],
                                                            "authors": f"{f['name']} {f['surname']}"})
               for f in forms.values()]
    found = {(c.juror, c.entry) for c in find_conflicts(jurors, entries)}
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    assert found == {(c["juror"], c["entry_file"]) for c in expected["conflicts"]}
    assert not found & {(c["juror"], c["entry_file"]) for c in expected["non_conflicts"]}
