#!/usr/bin/env bash
# `make run`: install, migrate, load the demo brand, then scripts/serve.sh starts the web server (gunicorn) and
# the task worker (django-q2 qcluster) together and prints URLs and demo logins. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PY=.venv/bin/python
export PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-true}"
# Links in messages written outside a request (demo data, the worker) must point at this server's port.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:$PORT}"
# One cache for the web workers and the task worker (rate limits, API key revocation, login lockout).
export CACHE_URL="${CACHE_URL:-filecache://$PWD/var/cache}"

echo "==> database: ${DATABASE_URL:-sqlite (db.sqlite3)}"
$PY manage.py migrate --noinput
$PY manage.py seed_demo --no-logins
$PY manage.py collectstatic --noinput -v 0
exec scripts/serve.sh
