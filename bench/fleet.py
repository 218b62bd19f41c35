"""Through the load balancer: availability with one vs two web nodes, with vs without the read replica, and order
placement; the primary's CPU and WAL per order. The real servers, as `make fleet` runs them (tests/fleet/servers.py):
a PostgreSQL primary with durability on and its streaming replica, Redis, gunicorn nodes, HAProxy.

    .venv/bin/python bench/fleet.py [--duration 15] [--rounds 2]

The configurations alternate (1 node, 2 nodes, 1 node + replica, 2 nodes + replica, then again) so that a slow
minute of the machine does not land on one of them. Writes bench/results/fleet.json. Not run in CI.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from availability import ensure_wrk, measure  # noqa: E402
from network import BENCH_ENV, build_network, primary_cost, setup_django, write_result  # noqa: E402
from order_placement import run as place_orders  # noqa: E402

from tests.fleet.servers import free_port, start_fleet, stop_process, wait_for  # noqa: E402


def start_haproxy(fleet, nodes) -> tuple[subprocess.Popen, int]:
    port = free_port()
    servers = [node.base[len("http://") :] for node in nodes]
    config = fleet.folder / f"haproxy-{port}.cfg"
    written = subprocess.run(
        ["bash", str(ROOT / "scripts" / "haproxy-config.sh"), str(port), *servers],
        capture_output=True,
        text=True,
        check=True,
    )
    config.write_text(written.stdout)
    process = fleet.start(["haproxy", "-db", "-f", str(config)], name=f"haproxy-{port}", env=dict(os.environ))
    wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2), seconds=20, what="haproxy")
    return process, port


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--skus", type=int, default=50_000)
    args = parser.parse_args()
    ensure_wrk()
    started = time.perf_counter()
    fleet = start_fleet(durable=True)
    try:
        os.environ["DATABASE_URL"] = fleet.primary.url(fleet.database)
        setup_django()
        network = build_network(locations=args.locations, skus=args.skus, stocked_share=0.35, listed_price="10.00")
        fleet.primary.sql("ANALYZE", database=fleet.database)
        wait_for(
            lambda: fleet.replica.sql("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()") == "t",
            seconds=300,
            what="replica caught up",
        )
        print(f"fleet and network ready in {time.perf_counter() - started:.0f} s", flush=True)
        node_env = {**BENCH_ENV, "LOG_LEVEL": "WARNING", "Q_SYNC": "false"}
        configurations = [(1, False), (2, False), (1, True), (2, True)]
        results: dict[str, list] = {}
        for round_ in range(args.rounds):
            for count, replica in configurations:
                extra = dict(node_env) if replica else {**node_env, "DATABASE_REPLICA_URL": ""}
                nodes = [fleet.start_node(workers=args.workers, **extra) for _ in range(count)]
                balancer, port = start_haproxy(fleet, nodes)
                replica_before = int(fleet.replica.sql("SELECT sum(xact_commit) FROM pg_stat_database"))
                try:
                    measure(
                        port=port,
                        key=network["api_key"],
                        skus=args.skus,
                        duration=3,
                        connections=args.connections,
                        threads=1,
                        seed=7,
                    )  # fmt: skip  (warm-up)
                    figures = measure(port=port, key=network["api_key"], skus=args.skus, duration=args.duration,
                                      connections=args.connections, threads=1, seed=round_ + 1)  # fmt: skip
                    served = int(fleet.replica.sql("SELECT sum(xact_commit) FROM pg_stat_database")) - replica_before
                finally:
                    for process in (balancer, *(node.process for node in nodes)):
                        fleet.processes.remove(process)
                        stop_process(process)
                name = f"{count} node{'s' if count > 1 else ''}, {'replica' if replica else 'primary only'}"
                figures["replica_transactions"] = served  # the reads it served (0 without it)
                results.setdefault(name, []).append(figures)
                print(
                    f"round {round_ + 1}, {name}: {figures['requests_per_second']} availability requests/s, "
                    f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, errors {figures['errors']}, "
                    f"CPU {figures['machine_cpu_during_run']}",
                    flush=True,
                )
        # Order placement through the load balancer, two nodes with the replica: the primary's cost per order.
        nodes = [fleet.start_node(workers=args.workers, **node_env) for _ in range(2)]
        balancer, port = start_haproxy(fleet, nodes)
        stores = [f"B{i:03d}" for i in range(2, 12)]
        with primary_cost() as cost:
            orders = place_orders(port=port, key=network["api_key"], skus=args.skus, stores=stores, hot=False,
                                  duration=args.duration, connections=8)  # fmt: skip
        orders["primary_cpu_ms_per_order_with_everything"] = round(
            1000 * cost["cpu_seconds"] / max(orders["orders_placed"], 1), 2
        )
        print(f"orders through the load balancer: {orders}", flush=True)
        write_result(
            "fleet",
            {
                "availability": {
                    name: {
                        "requests_per_second": [run["requests_per_second"] for run in runs],
                        "p50_ms": [run["p50_ms"] for run in runs],
                        "p95_ms": [run["p95_ms"] for run in runs],
                        "busy_pct": [run["machine_cpu_during_run"]["busy_pct"] for run in runs],
                        "replica_transactions": [run["replica_transactions"] for run in runs],
                    }
                    for name, runs in results.items()
                },
                "orders_through_the_load_balancer": orders,
                "gunicorn_workers_per_node": args.workers,
                "connections": args.connections,
                "locations": args.locations,
                "skus": args.skus,
            },
        )
    finally:
        fleet.close()


if __name__ == "__main__":
    main()
