#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at PostgreSQL. When DATABASE_URL is already set, use it as is.
# Otherwise start a throwaway cluster (initdb + pg_ctl in a temporary folder, on a free port), run the
# command, then stop and remove the cluster. Installs Debian's postgresql package when the binaries are
# missing, without starting Debian's own cluster. As root, the server runs as the `postgres` user
# (PostgreSQL refuses to run as root).
# PG_OPTIONS adds server settings, e.g. PG_OPTIONS="-c shared_buffers=1GB" for benchmarks.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

. "$(dirname "$0")/debian-packages.sh"  # install_packages, as_postgres, pg_bin_dir, free_port

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"; return
  fi
  pg_bin_dir
}

PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  install_packages postgresql
  PG_BIN="$(find_pg_bin)"
fi

PGTMP="$(mktemp -d /tmp/oms-pg.XXXXXX)"
as_postgres true  # as root: the postgres user exists from here on
[ "$(id -u)" != 0 ] || chown postgres "$PGTMP"
PORT="$(free_port)"

cleanup() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT INT TERM

as_postgres "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log"; exit 1; }
# Durability off: a throwaway test cluster. Enough connections for the concurrency tests' threads.
as_postgres "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 start \
  -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_OPTIONS:-}" \
  >/dev/null || { cat "$PGTMP/server.log"; exit 1; }
echo "==> throwaway PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/oms"
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres oms
set +e
"$@"
status=$?
set -e
exit $status
