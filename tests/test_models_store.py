"""Model registry: offline loading refuses a missing model or a hash mismatch with a message naming the fix."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from models import REGISTRY, get_spec, resolve
from models.store import sha256_file
from review_service.commands.cli import main
from review_service.core.errors import ConfigError, ModelIntegrityError, ModelNotInstalled


def test_registry_entries_are_complete():
    for spec in REGISTRY.values():
        assert len(spec.sha256) == 64 and spec.parts and spec.licence and spec.purpose
    assert get_spec("embeddinggemma-300m").dimension == 768
    with pytest.raises(ConfigError, match="known models"):
        get_spec("gpt-5")


def test_missing_model_names_the_install_command(tmp_path):
    with pytest.raises(ModelNotInstalled) as exc:
        resolve("all-minilm-l6-v2", tmp_path)
    assert "review-service models install all-minilm-l6-v2" in exc.value.hint


def test_hash_mismatch_is_refused(tmp_path, settings):
    real = resolve("all-minilm-l6-v2", settings.models_dir)
    copy = tmp_path / "all-minilm-l6-v2"
    shutil.copytree(real, copy)
    with open(copy / "model.safetensors", "r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelIntegrityError) as exc:
        resolve("all-minilm-l6-v2", tmp_path)
    assert "--force" in exc.value.hint
    assert sha256_file(real / "model.safetensors") == get_spec("all-minilm-l6-v2").sha256


def test_models_cli_list_and_verify(capsys):
    assert main(["models", "list"]) == 0
    assert "embeddinggemma-300m" in capsys.readouterr().out


def test_missing_model_exit_code_from_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVIEW_MODELS_DIR", str(tmp_path))
    from review_service.core.config import get_settings

    get_settings.cache_clear()
    try:
        corpus = tmp_path / "c.jsonl"
        corpus.write_text('{"id": "a", "text": "Библиотека и искусственный интеллект."}\n')
        code = main(["themes", str(corpus), "--out", str(tmp_path / "t.jsonl")])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert code == 3 and "review-service models install embeddinggemma-300m" in err


def test_tiny_encoder_is_normalised(tiny_encoder):
    v = tiny_encoder.encode(["a library chatbot", "cataloguing with machine learning"])
    assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
