"""Check that the virtualenv holds exactly the packages and versions of requirements.lock.

    .venv/bin/python scripts/check_env.py [LOCK]

Exit 0 and one line when they agree; exit 1 listing every missing, extra or different package otherwise.
pip, the installer's own seed packages and the project itself are not part of the lock.
"""
from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

SEED = {"pip", "wheel"}
PROJECT = "review-service"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", line)
        if found:
            pins[canonical(found.group(1))] = found.group(3)
    return pins


def installed() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()
            if canonical(d.metadata["Name"]) not in SEED | {PROJECT}}


def differences(lock: dict[str, str], env: dict[str, str]) -> list[str]:
    out = [f"missing: {n}=={v}" for n, v in sorted(lock.items()) if n not in env]
    out += [f"extra: {n}=={v} (not in the lock)" for n, v in sorted(env.items()) if n not in lock]
    out += [f"different: {n} is {env[n]}, the lock says {v}" for n, v in sorted(lock.items())
            if n in env and env[n] != v]
    return out


def main(argv: list[str]) -> int:
    lock_path = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "requirements.lock"
    lock = locked(lock_path)
    problems = differences(lock, installed())
    if problems:
        print(f"the environment differs from {lock_path.name}:", *problems, sep="\n  ")
        print("fix: bash scripts/setup.sh (it installs exactly the lock)")
        return 1
    print(f"environment equals {lock_path.name}: {len(lock)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
