"""The lock: the virtualenv equals requirements.lock, and the check notices when pyproject.toml and the lock part."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _check_env():
    spec = importlib.util.spec_from_file_location("check_env", ROOT / "scripts" / "check_env.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_virtualenv_equals_the_lock():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_env.py")], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "environment equals requirements.lock" in result.stdout


def test_differences_name_missing_extra_and_different_packages():
    check = _check_env()
    lock = check.locked(ROOT / "requirements.lock")
    assert lock["torch"].endswith("+cpu") and "sqlalchemy" in lock and "alembic" in lock
    env = dict(lock)
    env.pop("numpy")
    env["requests"] = "0.1"
    env["left-pad"] = "1.0"
    found = check.differences(lock, env)
    assert f"missing: numpy=={lock['numpy']}" in found
    assert "extra: left-pad==1.0 (not in the lock)" in found
    assert any(line.startswith("different: requests is 0.1") for line in found)


def test_lock_check_fails_when_pyproject_gains_a_dependency(tmp_path):
    for name in ("pyproject.toml", "constraints.txt", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "lock.sh", tmp_path / "scripts" / "lock.sh")
    env = {**os.environ, "UV": str(Path(sys.executable).parent / "uv")}
    ok = subprocess.run(["bash", "scripts/lock.sh", "--check"], cwd=tmp_path, env=env, capture_output=True,
                        text=True, check=False, timeout=120)
    assert ok.returncode == 0, ok.stderr
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(text.replace('"pydantic>=2.6",', '"pydantic>=2.6",\n    "six>=1.16",'),
                                             encoding="utf-8")
    changed = subprocess.run(["bash", "scripts/lock.sh", "--check"], cwd=tmp_path, env=env, capture_output=True,
                             text=True, check=False, timeout=120)
    assert changed.returncode == 1
    assert "+six==" in changed.stderr and "bash scripts/lock.sh" in changed.stderr
