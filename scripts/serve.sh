#!/usr/bin/env bash
# Start the web server (gunicorn) and the task worker (qcluster) on a prepared database, print where to go,
# and stop both within 10 seconds on Ctrl-C or SIGTERM. HOST (default 127.0.0.1: the demo's published
# passwords never face a network) and PORT (default 8000). Their logs (requests, the worker's sent emails and
# SMS) go to LOG_DIR (default var/log), so the terminal ends with the URLs and logins, once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
LOG_DIR="${LOG_DIR:-var/log}"
mkdir -p "$LOG_DIR"

pids=()
stop() {
  # Once stopping, further signals are ignored (not reset to their default): a supervisor or `timeout` signals the
  # whole process group and make forwards it again, and a second TERM must not kill this script mid-stop, leaving
  # the web server and the worker running.
  trap '' INT TERM
  trap - EXIT
  echo; echo "==> stopping web server and worker"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # Up to 8 s for a clean stop; whatever is left then (a worker finishing a task) is killed with its children.
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "==> stopped"
}
trap stop INT TERM EXIT

# Each in a process group of its own: the stop above reaches their children, and a Ctrl-C reaches only this
# script, which stops them in order instead of every process at once.
setsid .venv/bin/gunicorn omnichannel.wsgi --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-3}" \
  --graceful-timeout 5 --access-logfile - --log-level warning >>"$LOG_DIR/web.log" 2>&1 &
pids+=($!)
start_worker() {
  setsid $PY manage.py qcluster >>"$LOG_DIR/worker.log" 2>&1 &
  worker=$!
}
start_worker
pids+=($worker)
web=${pids[0]}

for _ in $(seq 1 60); do
  if $PY - "$PORT" <<'PYEOF' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
PYEOF
  sleep 1
done

shown_host="$HOST"
if [ "$HOST" = 127.0.0.1 ] || [ "$HOST" = 0.0.0.0 ]; then shown_host=localhost; fi
base="http://$shown_host:$PORT"
cat <<MSG

==========================================================================
 Omnichannel OMS demo is running
   Store dashboard : $base/dashboard/   (e.g. $base/dashboard/MI01/reservations/ as mi01.associate)
   Head-office admin: $base/admin/
   API docs        : $base/api/v1/docs/
   OpenAPI schema  : $base/api/v1/schema/
   Health          : $base/healthz
   Logs            : $LOG_DIR/web.log, $LOG_DIR/worker.log (the emails and SMS the demo sends)
MSG
$PY manage.py seed_demo --logins
echo "=========================================================================="
echo " Ctrl-C stops the web server and the worker."
# A worker that dies (killed, out of memory) is started again and the web server keeps serving; the web server
# dying ends the demo (the stop above takes the worker with it).
while true; do
  finished=""
  wait -n -p finished "${pids[@]}" || true
  if [ "$finished" = "$worker" ]; then
    echo "==> the task worker stopped: starting it again" >>"$LOG_DIR/worker.log"
    start_worker
    pids=("$web" "$worker")
    continue
  fi
  break
done
