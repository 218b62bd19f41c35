"""Sustained click & reserve through the real server (gunicorn + PostgreSQL).

    scripts/with-postgres.sh .venv/bin/python bench/reservations.py [--duration 30] [--connections 8]

Every reservation holds 1 or 2 SKUs that a random store has on its shelf (as a storefront offers them), for a
random customer among 50 000, with an `Idempotency-Key`; refusals (the last units already reserved) are
counted apart. A
second run sends every reservation for the same SKU in the same store ("hot SKU": every hold contends for
one stock row). Also measures queries per reservation in-process. Writes bench/results/reservations.json.
Not run in CI.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from availability import ensure_wrk, free_port, start_server  # noqa: E402
from network import build_network, run_wrk, setup_django, write_result  # noqa: E402

LUA = """
math.randomseed(%(seed)d)
local stores = {%(stores)s}
local stocked = {%(stocked)s}
local hot = %(hot)s
local n = 0
request = function()
  n = n + 1
  local i = 1
  local a, b = 1, nil
  if not hot then
    i = math.random(#stores)
    local on_shelf = stocked[i]
    a = on_shelf[math.random(#on_shelf)]
    if math.random(1, 2) == 2 then
      b = on_shelf[math.random(#on_shelf)]
      if b == a then b = nil end
    end
  end
  local store = stores[i]
  local lines = string.format('{"sku":"BENCH-%%07d","quantity":1}', a)
  if b then lines = lines .. string.format(',{"sku":"BENCH-%%07d","quantity":1}', b) end
  local body = string.format('{"customer":{"email":"r%%d-%(run)d@example.com","locale":"it","phone":"+39333%%07d"},'
    .. '"location":"%%s","lines":[%%s]}', math.random(1, 50000), math.random(1, 9999999), store, lines)
  return wrk.format("POST", "/api/v1/reservations/", {["Authorization"] = "Api-Key %(key)s",
    ["Content-Type"] = "application/json", ["Idempotency-Key"] = string.format("%(run)d-%(seed)d-%%d-%%d", n,
    math.random(1, 1000000000))}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests, summary.duration,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def run(*, port, key, stores, stocked, hot, duration, connections, seed):
    lua = LUA % {
        "seed": seed,
        # Customers and keys of this run only: the same seed draws the same ones every run, which a database used
        # before answers from its idempotency records (a replay, not a reservation), refuses (another body with the
        # key) or finds with their three reservations already waiting.
        "run": time.time_ns() // 1000,
        "stores": ",".join(f'"{s}"' for s in stores),
        "stocked": ",".join("{" + ",".join(map(str, numbers)) + "}" for numbers in stocked),
        "hot": "true" if hot else "false",
        "key": key,
    }
    fields, cpu = run_wrk(lua, port=port, duration=duration, connections=connections)
    requests, duration_us, refused, p50, p95, p99 = fields
    seconds = int(duration_us) / 1e6
    held = int(requests) - int(refused)
    return {
        "requests": int(requests),
        "reservations_held": held,
        "refused_non_2xx": int(refused),
        "requests_per_second": round(int(requests) / seconds, 1),
        "reservations_per_second": round(held / seconds, 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "machine_cpu_during_run": cpu,
    }


def on_shelf(store: str, count: int = 300) -> list[int]:
    """SKU numbers the store has in stock (customers reserve what the storefront shows as available there)."""
    from django.db.models import F

    from inventory.models import StockLevel

    # Available now (earlier runs' reservations hold units for 48 h): what the storefront would offer.
    codes = StockLevel.objects.filter(location__code=store, on_hand__gt=F("committed") + F("safety_stock")).order_by(
        "sku_id"
    )
    return [int(code.removeprefix("BENCH-")) for code in codes.values_list("sku__code", flat=True)[:count]]


def queries_per_reservation(key, store) -> dict:
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from inventory.models import StockLevel

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    stocked = list(
        StockLevel.objects.filter(location__code=store, on_hand__gt=F("committed") + F("safety_stock") + 2)
        .order_by("-sku_id")
        .values_list("sku__code", flat=True)[:8]
    )
    run = int(time.time())  # customers of their own: earlier runs' customers may have all the reservations allowed
    counts = {}
    for n_lines in (1, 2):
        for attempt in range(2):  # the first warms the per-process caches
            first = 4 * (n_lines - 1) + 2 * attempt
            lines = [{"sku": code, "quantity": 1} for code in stocked[first : first + n_lines]]
            email = f"q{n_lines}{attempt}-{run}@example.com"
            body = {"customer": {"email": email}, "location": store, "lines": lines}
            with CaptureQueriesContext(connection) as ctx:
                response = client.post("/api/v1/reservations/", body, format="json")
        counts[f"{n_lines}_lines"] = (len(ctx.captured_queries), response.status_code)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    setup_django()
    ensure_wrk()
    network = build_network(locations=60, skus=50_000, stocked_share=0.35)
    from django.conf import settings
    from django.db import connection

    from stores.models import Location

    with connection.cursor() as cursor:  # bench set-up only: stores offer click & reserve; the hot SKU is stocked
        cursor.execute(
            'UPDATE stores_location SET capabilities = \'["ship_from_store", "click_and_collect", '
            "\"ship_to_store\", \"click_and_reserve\"]', opening_hours = '{}' WHERE city = 'Bench'"
        )
        cursor.execute(
            "UPDATE inventory_stocklevel SET on_hand = on_hand + 1000000 WHERE location_id = "
            "(SELECT id FROM stores_location WHERE code = 'B002') AND sku_id = "
            "(SELECT id FROM inventory_sku WHERE code = 'BENCH-0000001')"
        )
    stores = list(Location.objects.filter(city="Bench", kind="store").order_by("code").values_list("code", flat=True))
    stocked = [on_shelf(store) for store in stores]
    result = {"queries_per_reservation": queries_per_reservation(network["api_key"], stores[0])}
    port = free_port()
    server = start_server(port, args.workers, 1)
    common = dict(port=port, key=network["api_key"], stores=stores, stocked=stocked, connections=args.connections)
    try:
        run(**common, hot=False, duration=3, seed=1)  # warm-up
        result["mixed"] = run(**common, hot=False, duration=args.duration, seed=2)
        result["hot_sku"] = run(**common, hot=True, duration=args.duration, seed=3)
    finally:
        server.terminate()
        server.wait(10)
    result.update(
        {
            "gunicorn_workers": args.workers,
            "connections": args.connections,
            "max_open_per_customer": settings.RESERVATION_MAX_OPEN_PER_CUSTOMER,
        }
    )
    write_result("reservations", result)


if __name__ == "__main__":
    main()
