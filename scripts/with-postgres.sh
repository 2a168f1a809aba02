#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server: started in a temporary folder on a free
# loopback port, with DATABASE_URL pointing at it, and stopped (and deleted) afterwards.
# The server itself is scripts/throwaway_postgres.py, which the outage test also uses.
set -euo pipefail
exec python3 "$(dirname "$0")/throwaway_postgres.py" "$@"
