"""Pure parts of affinity and profiles: aggregation, shared terms, JURORS parsing."""
from __future__ import annotations

import json

import numpy as np
import pytest

from review_service.core.errors import InputError
from review_service.stages.matching.affinity import (
    _group_reduce,
    affinity_from_mapping,
    shared_terms,
    top_mean,
)
from review_service.stages.matching.profiles import juror_from_row, read_jurors


def test_group_reduce_takes_the_max_per_owner():
    v = np.array([[1, 5], [3, 2], [0, 9]], dtype=np.float32)
    assert _group_reduce(v, np.array([0, 0, 1]), 2, 0).tolist() == [[3, 5], [0, 9]]
    w = np.array([[1, 5, 2], [3, 2, 8]], dtype=np.float32)
    assert _group_reduce(w, np.array([0, 1, 1]), 2, 1).tolist() == [[1, 5], [3, 8]]


def test_top_mean_per_juror():
    scores = np.array([[0.9], [0.1], [0.5], [0.7]], dtype=np.float32)
    owner = np.array([0, 0, 0, 1])
    out = top_mean(scores, owner, 3, top=2)
    assert out[0, 0] == pytest.approx(0.7)  # mean of 0.9 and 0.5
    assert out[1, 0] == pytest.approx(0.7)  # one item only
    assert out[2, 0] == 0.0  # no items


def test_shared_terms_across_inflections_and_scripts():
    terms = shared_terms("Kitaphana oqyrmandaryna arnalǵan chat-bot", "Кітапханадағы чат-бот оқырмандарға жауап береді")
    assert any(t.startswith("кітапхана") for t in terms)
    assert set(shared_terms("speech archives", "Recognising speech in the archive")) == {"speech", "archive"}


def test_juror_rows_and_errors(tmp_path):
    j = juror_from_row({"id": 7, "languages": "KZ, ru", "works": ["plain text work"], "max_load": "4"})
    assert j.id == "7" and j.languages == ("kk", "ru") and j.max_load == 4 and j.works[0].text == "plain text work"
    with pytest.raises(InputError, match="max_load"):
        juror_from_row({"id": "x", "max_load": "many"})
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"id": "a"}) + "\n" + json.dumps({"id": "a"}) + "\n")
    with pytest.raises(InputError, match="appears twice"):
        read_jurors(path)


def test_affinity_file_round_trip_and_missing_scores():
    aff = affinity_from_mapping({"a": {"e1": 0.5, "e2": 0.1}}, ["a"], ["e1", "e2"])
    assert aff.as_mapping() == {"a": {"e1": 0.5, "e2": 0.1}}
    with pytest.raises(InputError, match="no score"):
        affinity_from_mapping({"a": {"e1": 0.5}}, ["a"], ["e1", "e2"])
