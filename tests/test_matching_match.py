"""End to end: affinity with the real EmbeddingGemma, match() and the two CLI commands."""
from __future__ import annotations

import json

import numpy as np
import pytest

from review_service.commands.cli import main
from review_service.core.errors import InfeasibleAssignment
from review_service.stages.matching import compute_affinity, match
from review_service.stages.matching.profiles import juror_from_row

JURORS = [
    {"id": "cat", "name": "Айгерим Сарсенова", "organization": "ЕНУ", "region": "Astana", "languages": ["kk", "ru"],
     "expertise": "Каталогизация, метаданные, автоматическое предметное индексирование библиотечных фондов.",
     "works": [{"id": "w1", "title": "Машинное обучение для предметной каталогизации",
                "text": "Мы применили нейронные сети для присвоения рубрик ГРНТИ новым поступлениям."}]},
    {"id": "kids", "name": "Dana Omarova", "organization": "Pavlodar Regional Library", "region": "Pavlodar",
     "languages": ["kk"], "expertise": "Балалар оқуы, мектеп кітапханалары, оқуды насихаттау бағдарламалары.",
     "works": [{"id": "w2", "title": "Балаларға арналған оқу марафоны",
                "text": "Облыстық кітапхана мектеп оқушыларына арналған жазғы оқу марафонын өткізді."}]},
    {"id": "speech", "name": "John Smith", "organization": "Nazarbayev University", "region": "Astana",
     "languages": ["en", "ru"], "expertise": "Speech recognition and digitisation of audio archives.",
     "works": [{"id": "w3", "title": "Transcribing oral history collections",
                "text": "We transcribed 2,000 hours of oral history interviews with Whisper."}]},
    {"id": "gen", "name": "Марат Ахметов", "organization": "КазНУ", "region": "Almaty",
     "expertise": "Чат-боты и виртуальные справочные службы библиотек."},
]
ENTRIES = [
    {"id": "e_cat", "lang": "ru", "title": "ИИ-каталогизатор",
     "text": "Проект: нейросеть предлагает каталогизатору рубрики и ключевые слова для новых книг.",
     "organization": "Евразийский национальный университет имени Л.Н. Гумилева"},
    {"id": "e_kids", "title": "Оқу марафоны",
     "text": "Жоба мектеп оқушыларына арналған оқу марафонын жасанды интеллект арқылы жекелендіреді."},
    {"id": "e_audio", "lang": "ru", "title": "Оцифровка аудиоархива",
     "text": "Распознавание речи для расшифровки устной истории из фондов библиотеки."},
]


@pytest.fixture(scope="module")
def jurors():
    return [juror_from_row(r) for r in JURORS]


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    from review_service.core.exchange import read_corpus

    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in ENTRIES), encoding="utf-8")
    return read_corpus(path)


@pytest.fixture(scope="module")
def aff(encoder, jurors, entries):
    return compute_affinity(jurors, entries, encoder)


def test_affinity_ranks_the_right_expert_and_explains(aff):
    best = {e: aff.juror_ids[int(np.argmax(aff.scores[:, b]))] for b, e in enumerate(aff.entry_ids)}
    assert best == {"e_cat": "cat", "e_kids": "kids", "e_audio": "speech"}
    ex = aff.explain(aff.juror_ids.index("kids"), aff.entry_ids.index("e_kids"))
    assert ex.item_id in ("w2", "expertise")
    assert "марафон" in ex.entry_passage
    assert any(t.startswith(("марафон", "оқушы")) for t in ex.shared_terms)


def test_match_respects_language_and_conflicts_and_is_a_draft(encoder, jurors, entries, aff):
    res = match(jurors, entries, k=2, affinity=aff, max_load=2)
    out = res.as_dict()
    assert out["status"] == "draft" and out["provenance"]["model"] == encoder.model_id
    got = {e: [r["juror"] for r in v["jurors"]] for e, v in out["entries"].items()}
    assert all(len(v) == 2 for v in got.values())
    assert "cat" not in got["e_cat"]  # ЕНУ = Евразийский национальный университет: conflict of interest
    assert "speech" not in got["e_kids"]  # does not read Kazakh
    assert "kids" not in got["e_cat"] and "kids" not in got["e_audio"]  # reads Kazakh only
    assert out["entries"]["e_kids"]["language"] == "kk"
    assert {"juror": "cat", "entry": "e_cat", "kind": "organization"}.items() <= out["conflicts"][0].items()
    assert sum(v["load"] for v in out["jurors"].values()) == 6
    row = out["entries"]["e_audio"]["jurors"][0]
    assert row["juror"] == "speech" and row["explanation"]["profile_item"] in ("w3", "expertise")


def test_infeasible_language_and_conflict_shortage_is_explained(jurors, entries, aff):
    with pytest.raises(InfeasibleAssignment, match=r"e_cat \(2 of 4 allowed; blocked: 1 by language; "
                                                   r"1 by conflict of interest\)"):
        match(jurors, entries, k=3, affinity=aff, max_load=3)


def test_cli_affinity_and_match(tmp_path, encoder, monkeypatch, capsys):
    jpath, cpath = tmp_path / "jurors.jsonl", tmp_path / "corpus.jsonl"
    jpath.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in JURORS), encoding="utf-8")
    cpath.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in ENTRIES), encoding="utf-8")
    aff_path, out_path = tmp_path / "aff.json", tmp_path / "assign.json"
    assert main(["affinity", "--jurors", str(jpath), "--entries", str(cpath), "--out", str(aff_path)]) == 0
    aff = json.loads(aff_path.read_text())
    assert set(aff) == {r["id"] for r in JURORS}
    assert all(set(row) == {e["id"] for e in ENTRIES} and all(isinstance(v, float) for v in row.values())
               for row in aff.values())
    # re-solve from the affinity file with a pin and a forbidden pair
    code = main(["match", "--jurors", str(jpath), "--entries", str(cpath), "--k", "2", "--max-load", "3",
                 "--affinity", str(aff_path), "--pin", "gen:e_kids", "--forbid", "speech:e_audio",
                 "--mode", "fair", "--out", str(out_path)])
    assert code == 0
    out = json.loads(out_path.read_text())
    assert "gen" in [r["juror"] for r in out["entries"]["e_kids"]["jurors"]]
    assert "speech" not in [r["juror"] for r in out["entries"]["e_audio"]["jurors"]]
    assert out["solver"]["mode"] == "fair" and out["pinned"] == ["gen:e_kids"]
    code = main(["match", "--jurors", str(jpath), "--entries", str(cpath), "--k", "2", "--max-load", "1",
                 "--affinity", str(aff_path), "--out", str(out_path)])
    assert code == 4
    assert "missing 2 slots" in capsys.readouterr().err
    # the same pin with max load 2: 'gen' is the only free juror left for two other entries as well
    code = main(["match", "--jurors", str(jpath), "--entries", str(cpath), "--k", "2", "--max-load", "2",
                 "--affinity", str(aff_path), "--pin", "gen:e_kids", "--forbid", "speech:e_audio",
                 "--out", str(out_path)])
    assert code == 4
    err = capsys.readouterr().err
    assert "besides 1 pinned pair(s)" in err and "missing 1 slots" in err and "gen" in err
