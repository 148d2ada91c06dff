#!/usr/bin/env bash
# The lock: every Python package at an exact version with its hashes (requirements.lock), resolved by uv from
# pyproject.toml (dependencies + the dev extra) under constraints.txt (torch: the local CPU build).
#   bash scripts/lock.sh            refresh after editing pyproject.toml (keeps other pins where it can)
#   bash scripts/lock.sh --upgrade  move every package to its newest allowed version
#   bash scripts/lock.sh --check    exit 1 when pyproject.toml and the lock disagree (changes nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-.venv/bin/uv}
[ -x "$UV" ] || UV=$(command -v uv) || { echo "lock: uv not found; run bash scripts/setup.sh" >&2; exit 2; }
compile() {
  "$UV" pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
    --find-links "${PIP_FIND_LINKS:-/opt/wheels}" -c constraints.txt --no-header --quiet "$@"
}
if [ "${1:-}" = "--check" ]; then
  fresh=$(mktemp)
  body=$(mktemp)
  trap 'rm -f "$fresh" "$body"' EXIT
  sed '/^#/d' requirements.lock > "$fresh"     # the current pins are the resolver's preferences
  cp "$fresh" "$body"
  compile -o "$fresh"
  if ! diff -u "$body" <(sed '/^#/d' "$fresh") > /dev/null; then
    echo "requirements.lock does not match pyproject.toml:" >&2
    diff -u "$body" <(sed '/^#/d' "$fresh") | grep -E '^[+-][a-z]' >&2 || true
    echo "fix: bash scripts/lock.sh (then commit requirements.lock)" >&2
    exit 1
  fi
  echo "requirements.lock matches pyproject.toml"
  exit 0
fi
compile -o requirements.lock "$@"          # the current pins are kept where pyproject still allows them
{
  echo "# The lock: made by \`bash scripts/lock.sh\` (uv pip compile) from pyproject.toml and constraints.txt."
  echo "# Do not edit by hand. scripts/setup.sh installs exactly this, hashes required."
  sed '/^#/d' requirements.lock
} > requirements.lock.new
mv requirements.lock.new requirements.lock
echo "requirements.lock: $(grep -c '^[a-z]' requirements.lock) packages pinned"
