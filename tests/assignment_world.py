"""The sample's assignment as the demo shows it: the sample entries' texts screened (with their forms), the
sample jury (names from sample_data/jurors.jsonl) and an AI suggestion of three jurors per entry, each with an
explanation as the affinity stage writes it (profile item, passages, shared terms, scores). No model is loaded:
the page's size and behaviour are what is measured (tests/test_pages_layout.py, bench/bench_page_height.py)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from review_service.contest import accounts as people
from review_service.stages.matching.profiles import read_jurors
from review_service.storage import Database
from tests import jury as J

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def sample_assignment(db: Database, settings, folder: Path, *, k: int = 3) -> dict:
    """Screened sample entries, the sample jury with accounts (``pw-{id}-123``), an organizer ``organizer`` and
    the AI suggestion (version 0 of the draft); returns the entry and juror ids."""
    texts = {}
    for line in (SAMPLE / "entry_texts.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts[Path(row["file_name"]).stem + ".txt"] = row["text"]
    forms = folder / "forms.csv"
    folder.mkdir(parents=True, exist_ok=True)
    with open(SAMPLE / "forms.csv", encoding="utf-8-sig", newline="") as f, \
            open(forms, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            name = Path(row["file_name"]).stem + ".txt"
            if name in texts:
                writer.writerow({**row, "file_name": name})
    entries = J.screen_texts(folder / "entries", settings, texts, forms=forms)
    jury = read_jurors(SAMPLE / "jurors.jsonl")
    people.register_jury(db, jury, "test")
    for juror in jury:
        people.add_user(db, login=juror.id, role="juror", password=f"pw-{juror.id}-123", actor="test",
                        juror_id=juror.id)
    J.add(db, "organizer", "organizer")
    juror_ids = [j.id for j in jury]
    suggestion = J.suggestion(entries, juror_ids, k=k)
    works = {j.id: j.works[0] if j.works else None for j in jury}
    by_id = {r["entry_id"]: r for r in db.submissions()}
    for entry, row in suggestion["entries"].items():
        text = texts.get(by_id[entry]["file_name"], "")
        for n, pick in enumerate(row["jurors"]):
            work = works.get(pick["juror"])
            pick["explanation"] = {
                "profile_item": getattr(work, "id", ""), "profile_title": getattr(work, "title", ""),
                "profile_passage": (getattr(work, "text", "") or "")[:300], "entry_passage": text[200:460],
                "entry_anchor": "section 2", "shared_terms": ["кітапхана", "цифрландыру", "каталог"][: n + 1],
                "semantic": 0.4919, "lexical": 0.0478}
    db.save_ai_result("assignment_suggestion", suggestion, {"model": "test", "input_hash": "sha256:sample"})
    return {"entries": entries, "jurors": juror_ids}
