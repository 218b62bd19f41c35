"""Availability for 20 random SKUs across the whole network, through the real server (gunicorn + PostgreSQL).

    scripts/with-postgres.sh .venv/bin/python bench/availability.py [--duration 30] [--connections 16]

Builds a network of --locations × --skus (default 60 × 50 000 = 3 000 000 stock rows), starts gunicorn on a
free loopback port, and drives it with wrk (Debian package, installed when missing): every request asks
for 20 random SKUs with `near=` (all locations, nearest first). Prints requests/s, p50/p95/p99 and the
error count, and writes bench/results/availability.json. Not run in CI.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import BENCH_ENV, ROOT, build_network, run_wrk, setup_django, write_result  # noqa: E402

LUA = """
math.randomseed(%(seed)d)
local skus = %(skus)d
request = function()
  local codes = {}
  for i = 1, 20 do codes[i] = string.format("BENCH-%%07d", math.random(1, skus)) end
  local path = "/api/v1/availability/?skus=" .. table.concat(codes, ",") .. "&near=45.4642,9.1900"
  return wrk.format("GET", path, {["Authorization"] = "Api-Key %(key)s"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f %%.3f %%d\\n",
    summary.requests, summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, summary.bytes))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def start_server(
    port: int, workers: int, threads: int, settings_module: str = "", worker_class: str = "gthread"
) -> subprocess.Popen:
    env = {**os.environ, **BENCH_ENV, "LOG_LEVEL": "WARNING"}
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    command = [str(Path(sys.executable).with_name("gunicorn")), "omnichannel.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", worker_class, "--log-level", "warning"]
    if worker_class == "gthread":
        # gthread workers keep client connections alive, each pinned to the worker that accepted it (sync workers
        # close after every response, so the next request goes to whichever worker is free).
        command += ["--threads", str(threads), "--keep-alive", "30"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("gunicorn did not become healthy")


def measure(*, port, key, skus, duration, connections, threads, seed=1) -> dict:
    lua = LUA % {"seed": seed, "skus": skus, "key": key}
    fields, cpu = run_wrk(lua, port=port, duration=duration, connections=connections, threads=threads)
    requests, duration_us, errors, p50, p95, p99, mean, size = fields
    seconds = int(duration_us) / 1e6
    return {
        "requests": int(requests),
        "errors": int(errors),
        "seconds": round(seconds, 1),
        "requests_per_second": round(int(requests) / seconds, 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(mean),
        "bytes_per_response": int(int(size) / max(int(requests), 1)),
        "machine_cpu_during_run": cpu,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--skus", type=int, default=50_000)
    parser.add_argument("--stocked-share", type=float, default=0.35, help="share of SKUs each store has in stock")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--gunicorn-threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--settings",
        default="omnichannel.settings_api",
        help="the web processes' settings: the API tier (default) or omnichannel.settings (pages' full stack)",
    )
    parser.add_argument("--runs", type=int, default=1, help="measured runs, one after the other")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["sync", "gthread"],
        help="gthread with keep-alive (default, as measured until now) or sync (as make run and make fleet run)",
    )
    args = parser.parse_args()

    setup_django()
    ensure_wrk()
    network = build_network(locations=args.locations, skus=args.skus, stocked_share=args.stocked_share)
    print(
        f"network: {args.locations} locations × {args.skus} SKUs, {network['stock_rows']} stock rows "
        f"(set-up {network['setup_seconds']} s)"
    )
    port = free_port()
    server = start_server(port, args.workers, args.gunicorn_threads, args.settings, worker_class=args.worker_class)
    try:
        measure(
            port=port,
            key=network["api_key"],
            skus=args.skus,
            duration=3,
            connections=args.connections,
            threads=args.threads,
            seed=7,
        )  # warm-up: connections, caches
        runs = [
            measure(
                port=port,
                key=network["api_key"],
                skus=args.skus,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                seed=run + 1,
            )
            for run in range(args.runs)
        ]
        for run in runs:
            print(
                f"{run['requests_per_second']} requests/s, p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, "
                f"errors {run['errors']}, CPU {run['machine_cpu_during_run']}"
            )
        # The median run, with every run's figure beside it.
        result = sorted(runs, key=lambda run: run["requests_per_second"])[len(runs) // 2] | {
            "runs_requests_per_second": [run["requests_per_second"] for run in runs]
        }
    finally:
        server.terminate()
        server.wait(10)
    result.update(
        {
            "locations": args.locations,
            "skus": args.skus,
            "stock_rows": network["stock_rows"],
            "stocked_share": args.stocked_share,
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.gunicorn_threads,
            "connections": args.connections,
            "settings": args.settings,
            "worker_class": args.worker_class,
            "conn_max_age": os.environ.get("CONN_MAX_AGE", "60"),
        }
    )
    write_result("availability", result)


if __name__ == "__main__":
    main()
