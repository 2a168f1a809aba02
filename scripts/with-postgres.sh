#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server: started in a temporary folder on a free
# loopback port, with DATABASE_URL pointing at it, and stopped (and deleted) afterwards.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (run: make system-packages)"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PGDIR=$(mktemp -d)

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
cleanup() {
  as_postgres "$PGBIN/pg_ctl -D $PGDIR/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
as_postgres "$PGBIN/initdb -D $PGDIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_postgres "$PGBIN/pg_ctl -D $PGDIR/data -l $PGDIR/log -w -o '-h 127.0.0.1 -p $PORT -k $PGDIR -F' start" >/dev/null

echo "Throw-away PostgreSQL on 127.0.0.1:$PORT"
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" "$@"
