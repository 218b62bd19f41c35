"""The shop floor's feeds through the real server (gunicorn + PostgreSQL): till receipts and an RFID count.

    PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" \\
        scripts/with-postgres.sh .venv/bin/python bench/shop_floor.py [--batches 200] [--tills 4]

Tills: `--tills` registers, each of its own store with the store's location key, post batches of 500 lines
(100 receipts × 5 lines, random SKUs of 2 000, 1 unit each, every 10th line a till return) as fast as the
server answers, over keep-alive connections; lines/s = lines applied / wall time. Then every batch is sent again
(all duplicates: nothing may change). Count: a whole-store count of one store whose books say 20 100 units of
400 SKUs: 20 000 EPCs (SGTIN-96, 50 tags of each SKU; 100 units lost), 2 % read twice, posted in 4 requests, the
last one `final`: seconds to read and to reconcile.
PostgreSQL durability is checked (`SHOW fsync`, `synchronous_commit`) and written with the results to
bench/results/shop_floor.json. Not run in CI.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from availability import free_port, start_server  # noqa: E402
from network import cpu_split, durability, setup_django, write_result  # noqa: E402

SKUS = 2000
LINES_PER_BATCH = 500


def build(tills: int) -> dict:
    """Stores T001…, SKUs SHOP-00001… (valid GTINs), a million units of each in every store: set-based set-up
    (benchmark data, not business writes)."""
    from django.db import connection, transaction

    from inventory.demo import ean13
    from stores.models import Location
    from stores.services import create_api_key

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_sku WHERE code LIKE 'SHOP-%%'")
        if not cursor.fetchone()[0]:
            cursor.execute(
                "INSERT INTO inventory_product (style, name, brand, category, description, created_at, updated_at) "
                "VALUES ('SHOP', 'Bench item', 'Bench', 'Bench', '', now(), now())"
            )
            cursor.execute("SELECT id FROM inventory_product WHERE style = 'SHOP'")
            product_id = cursor.fetchone()[0]
            values = [(product_id, f"SHOP-{n:05d}", ean13(f"80999{n:07d}"), "Nero", "M") for n in range(1, SKUS + 1)]
            cursor.executemany(
                "INSERT INTO inventory_sku (product_id, code, gtin, colour, size, active, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, true, now(), now())",
                values,
            )
    stores = []
    for n in range(1, tills + 2):  # one more store for the count
        store, _ = Location.objects.get_or_create(
            code=f"T{n:03d}",
            defaults={
                "name": f"Bench till store {n}",
                "kind": "store",
                "city": "BenchTill",
                "latitude": 45.46,
                "longitude": 9.19,
                "capabilities": ["click_and_collect"],
            },
        )
        stores.append(store)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inventory_stocklevel (location_id, sku_id, on_hand, committed, safety_stock, created_at,
                                              updated_at)
            SELECT l.id, s.id, 1000000, 0, 0, now(), now()
            FROM stores_location l CROSS JOIN inventory_sku s
            WHERE l.city = 'BenchTill' AND s.code LIKE 'SHOP-%%'
            ON CONFLICT (location_id, sku_id) DO NOTHING
            """
        )
        # The counted store's books: 50 of each of the first 400 SKUs, one more of the first 100 (lost since).
        cursor.execute(
            """
            UPDATE inventory_stocklevel s SET on_hand = CASE WHEN k.code <= 'SHOP-00100' THEN 51
                                                      WHEN k.code <= 'SHOP-00400' THEN 50 ELSE 0 END
            FROM inventory_sku k WHERE k.id = s.sku_id AND s.location_id = %s
            """,
            [stores[-1].pk],
        )
        cursor.execute("ANALYZE")
    keys = [create_api_key(kind="location", location=store, name="bench")[1] for store in stores]
    return {"stores": [s.code for s in stores], "keys": keys}


def batches_for(register: str, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    rung_up = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
    bodies = []
    for b in range(count):
        receipts = []
        for r in range(LINES_PER_BATCH // 5):
            lines = []
            for i in range(1, 6):
                quantity = -1 if rng.random() < 0.1 else 1
                lines.append(
                    {
                        "line": i,
                        "sku": f"SHOP-{rng.randint(1, SKUS):05d}",
                        "quantity": quantity,
                        "unit_price": "19.90",
                    }
                )
            receipts.append(
                {
                    "register": register,
                    "receipt": f"{seed}-{b:05d}-{r:03d}",
                    "at": rung_up,
                    "lines": lines,
                }
            )
        bodies.append(json.dumps({"receipts": receipts}).encode())
    return bodies


def post_all(port: int, code: str, key: str, bodies: list[bytes], results: list):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    applied = duplicates = errors = 0
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        connection.request(
            "POST",
            f"/api/v1/locations/{code}/sales/",
            body=body,
            headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answer = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors += 1
            continue
        data = json.loads(answer)
        applied += data["applied"]
        duplicates += data["duplicates"]
    connection.close()
    results.append({"applied": applied, "duplicates": duplicates, "errors": errors, "latencies": latencies})


def run_tills(port: int, world: dict, all_bodies: list[list[bytes]]) -> dict:
    results: list = []
    threads = [
        threading.Thread(target=post_all, args=(port, code, key, bodies, results))
        for code, key, bodies in zip(world["stores"], world["keys"], all_bodies, strict=False)
    ]
    with cpu_split() as cpu:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result["latencies"])
    applied = sum(r["applied"] for r in results)
    return {
        "lines_applied": applied,
        "duplicates": sum(r["duplicates"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "seconds": round(elapsed, 2),
        "lines_per_second": round((applied or sum(r["duplicates"] for r in results)) / elapsed),
        "batch_p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "batch_p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1),
        **cpu,
    }


def run_count(port: int, code: str, key: str) -> dict:
    from inventory.epc import sgtin96
    from inventory.models import SKU

    gtins = list(SKU.objects.filter(code__startswith="SHOP-").order_by("code").values_list("gtin", flat=True)[:400])
    epcs = [sgtin96(gtin, serial) for gtin in gtins for serial in range(1, 51)]
    rng = random.Random(7)
    reads = epcs + rng.sample(epcs, len(epcs) // 50)  # a reader passing twice over some tags
    rng.shuffle(reads)
    chunks = [reads[i : i + 5100] for i in range(0, len(reads), 5100)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    timings = []
    count_code = f"BENCH-{time.time_ns()}"
    for n, chunk in enumerate(chunks):
        body = {"count": count_code, "scope": "store"}
        body["reads"] = [{"epc": epc} for epc in chunk]
        body["final"] = n == len(chunks) - 1
        started = time.perf_counter()
        connection.request(
            "POST",
            f"/api/v1/locations/{code}/counts/",
            body=json.dumps(body),
            headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answer = json.loads(response.read())
        timings.append(time.perf_counter() - started)
        if response.status != 200:
            sys.exit(f"count request failed: {response.status} {answer}")
    return {
        "epcs": len(epcs),
        "reads_sent": len(reads),
        "requests": len(chunks),
        "reads_seconds": round(sum(timings[:-1]), 2),
        "last_request_with_reconciliation_seconds": round(timings[-1], 2),
        "total_seconds": round(sum(timings), 2),
        "status": answer["status"],
        "differences": len(answer["differences"]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200, help="batches of 500 lines per till")
    parser.add_argument("--tills", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    world = build(args.tills)
    from django.db import connection

    connection.close()
    port = free_port()
    server = start_server(port, workers=args.workers, threads=1)
    try:
        bodies = [batches_for(f"R{n}", args.batches, seed=time.time_ns() + n) for n in range(args.tills)]
        warm = batches_for("WARM", 4, seed=time.time_ns())
        run_tills(port, world, [warm])
        first = run_tills(port, world, bodies)
        resent = run_tills(port, world, bodies)
        count = run_count(port, world["stores"][-1], world["keys"][-1])
    finally:
        server.terminate()
        server.wait(10)
    write_result(
        "shop_floor",
        {
            "postgresql": durability(),
            "server": f"gunicorn, {args.workers} gthread workers × 1 thread",
            "tills": args.tills,
            "lines_per_batch": LINES_PER_BATCH,
            "till_sales": first,
            "till_sales_resent": resent,
            "count_20000_epcs": count,
        },
    )


if __name__ == "__main__":
    main()
