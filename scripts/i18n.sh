#!/usr/bin/env bash
# Interface message catalogs (kk, ru, en) with Babel:
#   bash scripts/i18n.sh extract   # templates + code → review_service/locales/messages.pot, merged into each .po
# Then translate the new entries in review_service/locales/<lang>/LC_MESSAGES/messages.po; the tests fail while a
# message has no translation in any language (tests/test_i18n.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=.venv/bin/pybabel
LOCALES=review_service/locales
case "${1:-}" in
  extract)
    "$BABEL" extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
      --project review-service -o "$LOCALES/messages.pot" review_service
    for lang in kk ru en; do
      if [ -f "$LOCALES/$lang/LC_MESSAGES/messages.po" ]; then
        "$BABEL" update -i "$LOCALES/messages.pot" -d "$LOCALES" -l "$lang" --no-fuzzy-matching --ignore-obsolete
      else
        "$BABEL" init -i "$LOCALES/messages.pot" -d "$LOCALES" -l "$lang"
      fi
    done
    ;;
  *) echo "usage: bash scripts/i18n.sh extract" >&2; exit 2 ;;
esac
