"""Sustained order placement through the real server (gunicorn + PostgreSQL), mixed methods.

    scripts/with-postgres.sh .venv/bin/python bench/order_placement.py [--duration 30] [--connections 8]

Every order has 2 SKUs (random among the network's 50 000); 60 % home delivery (sourced across the
network), 40 % click & collect in a random store (its own stock, else ship-to-store). A second run sends
every order for the same two SKUs ("hot SKU": every hold contends for the same two stock rows).
Also measures queries per order in-process. Writes bench/results/orders.json. Not run in CI.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from availability import ensure_wrk, free_port, start_server  # noqa: E402
from network import (  # noqa: E402
    ROOT,
    build_network,
    primary_cost,
    run_wrk,
    setup_django,
    stall_dumps,
    wait_events,
    write_result,
)

LUA = """
math.randomseed(%(seed)d)
local skus = %(skus)d
local stores = {%(stores)s}
local hot = %(hot)s
local home = '{"method":"home_delivery","speed":"standard","address":{"name":"Bench","line1":"Via Roma 1",'
  .. '"city":"Milano","postcode":"20121","country":"IT","lat":45.4642,"lon":9.19}}'
request = function()
  local a, b = 1, 2
  if not hot then
    a = math.random(1, skus); b = math.random(1, skus)
    if b == a then b = a %% skus + 1 end
  end
  local ful = home
  if math.random(1, 10) > 6 then
    ful = string.format('{"method":"store_pickup","pickup_location":"%%s"}', stores[math.random(#stores)])
  end
  local body = string.format('{"customer":{"email":"c%%d@example.com","locale":"it"},"lines":['
    .. '{"sku":"BENCH-%%07d","quantity":1,"unit_price":"10.00"},'
    .. '{"sku":"BENCH-%%07d","quantity":1,"unit_price":"10.00"}],'
    .. '"fulfillment":%%s,"payment":{"provider":"manual","reference":"bench","amount":"20.00","currency":"EUR"}}',
    math.random(1, 50000), a, b, ful)
  return wrk.format("POST", "/api/v1/orders/", {["Authorization"] = "Api-Key %(key)s",
    ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests, summary.duration,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


# The in-process measurements' home delivery (Milan, with coordinates).
HOME = {
    "method": "home_delivery",
    "speed": "standard",
    "address": {
        "name": "B",
        "line1": "V",
        "city": "Milano",
        "postcode": "20121",
        "country": "IT",
        "lat": 45.46,
        "lon": 9.19,
    },
}


def run(*, port, key, skus, stores, hot, duration, connections, server_pid=None):
    lua = LUA % {
        "seed": 3,
        "skus": skus,
        "stores": ",".join(f'"{s}"' for s in stores),
        "hot": "true" if hot else "false",
        "key": key,
    }
    dumps = ROOT / "bench" / "results" / f"stall-{'hot' if hot else 'mixed'}.txt"
    with primary_cost() as cost, wait_events() as waits, stall_dumps(server_pid or 0, port, dumps) as stall:
        fields, cpu = run_wrk(lua, port=port, duration=duration, connections=connections)
    requests, duration_us, refused, p50, p95, p99 = fields
    seconds = int(duration_us) / 1e6
    placed = int(requests) - int(refused)
    result = {
        "requests": int(requests),
        "orders_placed": placed,
        "refused_non_2xx": int(refused),
        "orders_per_second": round(placed / seconds, 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "machine_cpu_during_run": cpu,
        "primary_cpu_ms_per_order": round(1000 * cost["cpu_seconds"] / max(placed, 1), 2),
        "primary_wal_bytes_per_order": round(cost["wal_bytes"] / max(placed, 1)),
    }
    if cpu["idle_pct"] > 20:
        # The machine waited instead of working: say on what (issue 28, item 7).
        print(f"idle {cpu['idle_pct']} % during this phase; PostgreSQL's backends were:")
        for name, share in waits.items():
            print(f"  {share:5.1f} %  {name}")
        result["wait_events"] = waits
        if stall:
            print(f"  stacks of the web workers at {stall['dumped_at_idle_pct']} % idle: {dumps}")
            print(f"  the benchmark's connections per web worker then: {stall['connections_per_worker']}")
        result["stall"] = stall
    return result


def queries_per_order(key, stores) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def body(n_lines, method):
        fulfillment = {"method": "store_pickup", "pickup_location": stores[0]} if method == "pickup" else HOME
        lines = [{"sku": f"BENCH-{n + 100:07d}", "quantity": 1, "unit_price": "10.00"} for n in range(n_lines)]
        return {
            "customer": {"email": "q@example.com"},
            "lines": lines,
            "fulfillment": fulfillment,
            "payment": {"provider": "manual", "amount": f"{10 * n_lines}.00", "currency": "EUR"},
        }

    counts = {}
    for n_lines in (1, 2, 5):
        for method in ("home", "pickup"):
            client.post("/api/v1/orders/", body(n_lines, method), format="json")  # warm caches
            with CaptureQueriesContext(connection) as ctx:
                response = client.post("/api/v1/orders/", body(n_lines, method), format="json")
            counts[f"{method}_{n_lines}_lines"] = (len(ctx.captured_queries), response.status_code)
    return counts


def cpu_per_order(key, stores, n: int = 300) -> dict:
    """In-process CPU (this process only, not PostgreSQL's) per 2-line order: through the API (Django, DRF,
    serializers, idempotency off) and through `orders.services.place_order` alone. A ratio between two versions
    on one machine, unlike orders/s days apart."""
    import time
    from decimal import Decimal

    from rest_framework.test import APIClient

    from orders import services
    from stores.models import SalesChannel

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    home = HOME

    def lines(i):
        return [
            {"sku": f"BENCH-{200 + 2 * i:07d}", "quantity": 1, "unit_price": "10.00"},
            {"sku": f"BENCH-{201 + 2 * i:07d}", "quantity": 1, "unit_price": "10.00"},
        ]

    def body(i):
        return {
            "customer": {"email": f"cpu{i % 50}@example.com"},
            "lines": lines(i),
            "fulfillment": home,
            "payment": {"provider": "manual", "amount": "20.00", "currency": "EUR"},
        }

    for i in range(20):  # warm caches and code paths
        client.post("/api/v1/orders/", body(i), format="json")
    started = time.process_time()
    for i in range(20, 20 + n):
        assert client.post("/api/v1/orders/", body(i), format="json").status_code == 201
    api_ms = (time.process_time() - started) * 1000 / n
    channel = SalesChannel.objects.get(code="bench-web")
    started = time.process_time()
    for i in range(20 + n, 20 + 2 * n):
        services.place_order(
            channel=channel,
            customer={"email": f"cpu{i % 50}@example.com"},
            lines=lines(i),
            fulfillment=home,
            payment={"provider": "manual", "amount": "20.00", "currency": "EUR"},
            shipping_price=Decimal("0"),
        )
    service_ms = (time.process_time() - started) * 1000 / n
    return {"api_cpu_ms_per_order": round(api_ms, 2), "service_cpu_ms_per_order": round(service_ms, 2), "orders": n}


def stock_check() -> dict:
    """After the runs: stock rows sold beyond their on-hand (the CHECK constraints forbid it; counted anyway), and
    rows whose committed units are not exactly their open holds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE s.committed > s.on_hand OR s.on_hand < 0),
                   count(*) FILTER (WHERE s.committed <> coalesce(h.held, 0))
            FROM inventory_stocklevel s
            LEFT JOIN (SELECT stock_level_id, sum(quantity - released_quantity - consumed_quantity) AS held
                       FROM inventory_stockhold WHERE status = 'active' GROUP BY stock_level_id) h
                   ON h.stock_level_id = s.id
            """
        )
        oversold, unexplained = cursor.fetchone()
    return {"oversold_rows": oversold, "committed_not_held_rows": unexplained}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per gunicorn worker")
    parser.add_argument("--repeat", type=int, default=1, help="run both phases this many times on one server")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="sync (default: as make run and make fleet run) or gthread with keep-alive, whose connections stay on "
        "the worker that accepted them: a phase where most land on one worker idles the machine (docs/benchmarks.md)",
    )
    args = parser.parse_args()

    setup_django()
    ensure_wrk()
    # Listed at the price the orders send: placement checks each line against the channel's listing.
    network = build_network(locations=60, skus=50_000, stocked_share=0.35, listed_price="10.00")
    from django.db import connection

    from stores.models import Location

    with connection.cursor() as cursor:  # bench set-up only: stores take ship-to-store parcels; hot SKUs stocked
        cursor.execute(
            'UPDATE stores_location SET capabilities = \'["ship_from_store", "click_and_collect", '
            "\"ship_to_store\"]' WHERE city = 'Bench'"
        )
        cursor.execute(
            "UPDATE inventory_stocklevel SET on_hand = on_hand + 1000000 WHERE location_id = "
            "(SELECT id FROM stores_location WHERE code = 'B001') AND sku_id IN "
            "(SELECT id FROM inventory_sku WHERE code IN ('BENCH-0000001', 'BENCH-0000002'))"
        )
        # The in-process measurements order the same SKUs on every run: topped up at the warehouse so that repeated
        # runs on one database never find them sold out (a refused order would measure something else).
        cursor.execute(
            "UPDATE inventory_stocklevel SET on_hand = on_hand + 20 WHERE location_id = "
            "(SELECT id FROM stores_location WHERE code = 'B001') AND sku_id IN "
            "(SELECT id FROM inventory_sku WHERE code BETWEEN 'BENCH-0000100' AND 'BENCH-0001500')"
        )
    stores = list(Location.objects.filter(city="Bench", kind="store").order_by("code").values_list("code", flat=True))
    result = {
        "queries_per_order": queries_per_order(network["api_key"], stores),
        "cpu_per_order": cpu_per_order(network["api_key"], stores),
    }
    port = free_port()
    server = start_server(port, args.workers, args.threads, worker_class=args.worker_class)
    try:
        run(
            port=port,
            key=network["api_key"],
            skus=50_000,
            stores=stores,
            hot=False,
            duration=3,
            connections=args.connections,
        )
        runs = []
        for repeat in range(args.repeat):
            phases = {
                name: run(
                    port=port,
                    key=network["api_key"],
                    skus=50_000,
                    stores=stores,
                    hot=hot,
                    duration=args.duration,
                    connections=args.connections,
                    server_pid=server.pid,
                )
                for name, hot in (("mixed", False), ("hot_sku", True))
            }
            print(
                f"run {repeat + 1}: "
                + ", ".join(
                    f"{name} {phase['orders_per_second']}/s p50 {phase['p50_ms']} ms "
                    f"busy {phase['machine_cpu_during_run']['busy_pct']} %"
                    for name, phase in phases.items()
                ),
                flush=True,
            )
            runs.append(phases)
        result.update(runs[0])
        if args.repeat > 1:
            result["repeats"] = [
                {name: {k: phase[k] for k in ("orders_per_second", "p50_ms", "machine_cpu_during_run")}
                 for name, phase in phases.items()}
                for phases in runs
            ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)
    result["stock_check"] = stock_check()
    result.update(
        {
            "gunicorn_workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "connections": args.connections,
        }
    )
    write_result("orders", result)


if __name__ == "__main__":
    main()
