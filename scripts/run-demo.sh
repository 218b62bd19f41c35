#!/usr/bin/env bash
# `make run`: install, migrate, load the demo brand, start the web server (gunicorn) and the task worker
# (django-q2 qcluster) together, print URLs and demo logins. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PY=.venv/bin/python
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-true}"
# Links in messages written outside a request (demo data, the worker) must point at this server's port.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:$PORT}"

echo "==> database: ${DATABASE_URL:-sqlite (db.sqlite3)}"
$PY manage.py migrate --noinput
$PY manage.py seed_demo
$PY manage.py collectstatic --noinput -v 0

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "==> stopping web server and worker"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/gunicorn omnichannel.wsgi --bind "0.0.0.0:$PORT" --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --log-level warning &
pids+=($!)
$PY manage.py qcluster &
pids+=($!)

for _ in $(seq 1 60); do
  if $PY - "$PORT" <<'PYEOF' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
PYEOF
  sleep 1
done

base="http://localhost:$PORT"
cat <<MSG

==========================================================================
 Omnichannel OMS demo is running
   Store dashboard : $base/dashboard/   (e.g. $base/dashboard/MI01/reservations/ as mi01.associate)
   Head-office admin: $base/admin/
   API docs        : $base/api/v1/docs/
   OpenAPI schema  : $base/api/v1/schema/
   Health          : $base/healthz
MSG
$PY manage.py seed_demo --logins
echo "=========================================================================="
echo " Ctrl-C stops the web server and the worker."
wait -n "${pids[@]}"
