#!/usr/bin/env bash
# `make fleet`: the production shape on one machine, from Debian's packages (installed when missing, their system
# services never started): HAProxy on one port in front of two gunicorn nodes, two task workers (qcluster) sharing a
# Redis broker, a PostgreSQL primary and a streaming replica (pg_basebackup), Redis for the shared cache and the queue.
# Prints where everything is; Ctrl-C (or SIGTERM) stops it all and removes the fleet's folder.
#
#   FLEET_PORT   the load balancer's port (default 8080)    FLEET_DEMO  1: load the demo brand (default), 0: empty
#   FLEET_DIR    where the servers keep their data and logs (default: a new temporary folder)
#   WEB_CONCURRENCY  gunicorn workers per node (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-packages.sh
install_packages haproxy redis-server postgresql
scripts/bootstrap.sh
PY=.venv/bin/python
PG="$(pg_bin_dir)"
FLEET_PORT="${FLEET_PORT:-8080}"
FLEET_DEMO="${FLEET_DEMO:-1}"
DIR="${FLEET_DIR:-$(mktemp -d /tmp/oms-fleet.XXXXXX)}"
mkdir -p "$DIR/logs"
chmod 755 "$DIR"
[ "$(id -u)" != 0 ] || { id postgres >/dev/null 2>&1 || as_postgres true; chown -R postgres "$DIR"; }

PRIMARY_PORT="$(free_port)"; REPLICA_PORT="$(free_port)"; REDIS_PORT="$(free_port)"
NODE_PORTS=("$(free_port)" "$(free_port)")

pids=()
stop() {
  trap '' INT TERM
  trap - EXIT
  echo; echo "==> stopping the fleet"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  as_postgres "$PG/pg_ctl" -D "$DIR/replica" -m fast -w stop >/dev/null 2>&1 || true
  as_postgres "$PG/pg_ctl" -D "$DIR/primary" -m fast -w stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  [ -n "${FLEET_DIR:-}" ] || rm -rf "$DIR"
  echo "==> stopped"
}
trap stop INT TERM EXIT

start_postgres() {  # data folder, port; durability on, as in production (DESIGN.md section 18)
  as_postgres "$PG/pg_ctl" -D "$1" -l "$DIR/logs/$(basename "$1").log" -w -t 60 start \
    -o "-p $2 -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c wal_level=replica -c hot_standby=on" \
    >/dev/null
}

echo "==> PostgreSQL primary on 127.0.0.1:$PRIMARY_PORT"
as_postgres "$PG/initdb" -D "$DIR/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/logs/initdb.log"
start_postgres "$DIR/primary" "$PRIMARY_PORT"
as_postgres "$PG/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres oms

echo "==> Redis on 127.0.0.1:$REDIS_PORT (database 0: cache, 1: task queue; never evicts)"
setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR" --save "" --appendonly no \
  --maxmemory-policy noeviction >"$DIR/logs/redis.log" 2>&1 &
pids+=($!)

export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/oms"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/oms"
export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
export Q_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/1"
export DEBUG="${DEBUG:-true}"  # the demo's published key and passwords; production sets SECRET_KEY (docs/deployment.md)
export TRUSTED_PROXIES=1       # HAProxy adds X-Forwarded-For: limits and lockouts count the client, not HAProxy
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:$FLEET_PORT}"

$PY manage.py migrate --noinput >"$DIR/logs/migrate.log"
if [ "$FLEET_DEMO" = 1 ]; then
  echo "==> loading the demo brand"
  $PY manage.py seed_demo --no-logins >"$DIR/logs/seed.log"
fi
$PY manage.py collectstatic --noinput -v 0

echo "==> streaming replica on 127.0.0.1:$REPLICA_PORT (pg_basebackup of the primary)"
as_postgres "$PG/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast
start_postgres "$DIR/replica" "$REPLICA_PORT"

for i in 0 1; do
  setsid .venv/bin/gunicorn omnichannel.wsgi --bind "127.0.0.1:${NODE_PORTS[$i]}" --workers "${WEB_CONCURRENCY:-2}" \
    --graceful-timeout 5 --access-logfile - --log-level warning >"$DIR/logs/web-$((i + 1)).log" 2>&1 &
  pids+=($!)
  setsid $PY manage.py qcluster >"$DIR/logs/worker-$((i + 1)).log" 2>&1 &
  pids+=($!)
done

wait_ready() {  # port: until /readyz answers 200 there (60 s at most)
  for _ in $(seq 1 120); do
    if $PY - "$1" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=2)
PYEOF
    sleep 0.5
  done
  echo "==> no answer on port $1: see $DIR/logs/"; return 1
}
# Both nodes ready before the load balancer starts: its first checks find them up.
for port in "${NODE_PORTS[@]}"; do wait_ready "$port"; done

scripts/haproxy-config.sh "$FLEET_PORT" "127.0.0.1:${NODE_PORTS[0]}" "127.0.0.1:${NODE_PORTS[1]}" >"$DIR/haproxy.cfg"
setsid haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/logs/haproxy.log" 2>&1 &
pids+=($!)

wait_ready "$FLEET_PORT"

base="http://localhost:$FLEET_PORT"
cat <<MSG

==========================================================================
 The fleet is running
   Load balancer   : $base/   (HAProxy: round robin, /readyz checks)
   Web nodes       : http://127.0.0.1:${NODE_PORTS[0]}/  http://127.0.0.1:${NODE_PORTS[1]}/  (gunicorn)
   Task workers    : 2 qclusters on the Redis broker
   PostgreSQL      : primary 127.0.0.1:$PRIMARY_PORT, streaming replica 127.0.0.1:$REPLICA_PORT (database oms)
   Redis           : 127.0.0.1:$REDIS_PORT (cache db 0, queue db 1)
   Readiness       : $base/readyz
   Logs            : $DIR/logs/
MSG
if [ "$FLEET_DEMO" = 1 ]; then $PY manage.py seed_demo --logins; fi
echo "=========================================================================="
echo " Ctrl-C stops the fleet."
wait -n "${pids[@]}" || true
echo "==> a process of the fleet ended: see $DIR/logs/"
