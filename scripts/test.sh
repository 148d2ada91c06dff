#!/usr/bin/env bash
# Set up (idempotent), check the lock, ruff and mypy (0 errors each), then run the default suite and after it the
# slow one (what CI runs: .ci/run). With arguments, only `pytest ARGS` runs after the set-up (e.g. -k intake,
# -m slow, tests/test_api.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
bash scripts/lock.sh --check
if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
started=$SECONDS
.venv/bin/ruff check .
.venv/bin/mypy
echo "ruff and mypy: $((SECONDS - started)) s"
started=$SECONDS
.venv/bin/python -m pytest -m "not slow"
echo "default suite: $((SECONDS - started)) s"
started=$SECONDS
.venv/bin/python -m pytest -m slow
echo "slow suite: $((SECONDS - started)) s"
