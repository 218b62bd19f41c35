#!/usr/bin/env bash
# `make test`: install, lint, check migrations, run the whole pytest suite against PostgreSQL.
# Fails when a test fails, when a check fails, and when no test ran (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
# A throwaway key for this run: with DEBUG off the app refuses the public demo key (omnichannel/settings.py).
export SECRET_KEY="${SECRET_KEY:-test-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"

# Browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Chromium (Debian package) for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The fleet tests (tests/fleet) start their own redis-server, PostgreSQL primary and replica, even when DATABASE_URL
# names a server: Debian's packages, installed when missing without starting their services.
. scripts/debian-packages.sh
install_packages redis-server postgresql
as_postgres true  # as root: the postgres user their servers run as

echo "==> ruff (complexity and keyword-only services included)"
.venv/bin/ruff check .
echo "==> mypy (services, selectors, models)"
.venv/bin/mypy
echo "==> migrations are committed"
DATABASE_URL="${DATABASE_URL:-sqlite:///:memory:}" .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Model changes without a migration: run manage.py makemigrations"; exit 1; }

echo "==> pytest"
set +e
scripts/with-postgres.sh .venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: failing on purpose (a suite that runs nothing proves nothing)."
  exit 1
fi
exit "$status"
