#!/usr/bin/env bash
# A throw-away local PostgreSQL server for trying the service on PostgreSQL (not for production):
#   bash scripts/dev_postgres.sh start   # prints the REVIEW_DATABASE_URL to export
#   bash scripts/dev_postgres.sh stop
# Data under var/postgres, port 55432 (PGPORT overrides), trust authentication on 127.0.0.1 only.
# Needs Debian's postgresql (bash scripts/setup.sh installs it as root); run as root, the server runs as `postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PGPORT:-55432}
DIR=$(pwd)/var/postgres
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "dev_postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
URL="postgresql+psycopg://review@127.0.0.1:$PORT/review"
case "${1:-}" in
  start)
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_pg "$BIN/initdb" -D "$DIR/data" -U review --auth=trust -E UTF8 --locale=C > /dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status > /dev/null 2>&1; then
      as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start > /dev/null
    fi
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U review -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'review'" | grep -q 1 \
      || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U review review
    echo "PostgreSQL is running; use it with:"
    echo "  export REVIEW_DATABASE_URL=$URL"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop
    ;;
  *)
    echo "usage: bash scripts/dev_postgres.sh start|stop" >&2; exit 2 ;;
esac
