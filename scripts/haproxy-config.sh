#!/usr/bin/env bash
# Print the fleet's HAProxy configuration: one port in front of web nodes, round robin, /readyz health checks.
# Used by scripts/fleet.sh and bench/fleet.py.   Usage: scripts/haproxy-config.sh PORT HOST:PORT [HOST:PORT ...]
set -euo pipefail
port="$1"
shift
cat <<CFG
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option forwardfor
    option http-keep-alive
frontend oms
    bind 127.0.0.1:$port
    default_backend web
backend web
    balance roundrobin
    # A node leaves the pool when it cannot sell (its primary gone: /readyz 503), and comes back by itself.
    option httpchk GET /readyz
    http-check expect status 200
CFG
n=0
for server in "$@"; do
  n=$((n + 1))
  echo "    server web-$n $server check inter 2s fall 2 rise 2"
done
