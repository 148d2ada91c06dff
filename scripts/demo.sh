#!/usr/bin/env bash
# Set up (idempotent) and run the main job: batch pre-screening of the bundled sample entries on the embedded
# default (SQLite under ./var), writing report/screening.json and report/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# past projects into the archive tables (once: run again, nothing is added): duplicates and search read them
.venv/bin/review-service editions import sample_data/archive.jsonl --edition 2.0 --year 2025
set +e
.venv/bin/review-service screen sample_data/entries --forms sample_data/forms.csv \
  --jurors sample_data/jurors.jsonl --out report "$@"
code=$?
set -e
echo "report: $(pwd)/report/report.html  (exit code $code: 0 = nothing needs attention, 1 = entries need a person's attention)"
[ "$code" -le 1 ]
