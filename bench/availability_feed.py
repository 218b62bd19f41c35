"""Reading the channel availability feed through the real server (gunicorn + PostgreSQL).

    PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" \\
        scripts/with-postgres.sh .venv/bin/python bench/availability_feed.py [--changes 200000]

A network of 20 locations × 20 000 SKUs, all listed on the bench channel. `--changes` stock changes are made
through the till feed (batches of 500 lines at random SKUs of random stores: each line one change-log row), then
a channel follows the feed from the cursor it had before them until it is up to date; changes/s = change-log rows
read / wall time of the reads. Writes bench/results/availability_feed.json. Not run in CI.
"""

import argparse
import http.client
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from availability import free_port, start_server  # noqa: E402
from network import build_network, cpu_split, durability, setup_django, write_result  # noqa: E402


def get(connection, path: str, key: str) -> dict:
    connection.request("GET", path, headers={"Authorization": f"Api-Key {key}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path}: {response.status} {body[:300]!r}")
    return json.loads(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200_000)
    args = parser.parse_args()
    setup_django()
    world = build_network(locations=20, skus=20_000, stocked_share=0.5)
    from django.db import connection, transaction

    from stores.models import Location, SalesChannel
    from stores.services import create_api_key

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inventory_channellisting
                (sku_id, channel_id, price, currency, published, created_at, updated_at)
            SELECT s.id, c.id, 29.90, 'EUR', true, now(), now()
            FROM inventory_sku s CROSS JOIN stores_saleschannel c
            WHERE s.code LIKE 'BENCH-%%' AND c.code = 'bench-web'
            ON CONFLICT DO NOTHING
            """
        )
        # Units enough that every till line is booked.
        cursor.execute("UPDATE inventory_stocklevel SET on_hand = on_hand + 100000")
        cursor.execute("ANALYZE")
    channel_key = world["api_key"]
    stores = list(Location.objects.filter(city="Bench").order_by("code"))
    till_keys = {store.code: create_api_key(kind="location", location=store, name="bench")[1] for store in stores}
    assert SalesChannel.objects.filter(code="bench-web").exists()
    connection.close()
    port = free_port()
    server = start_server(port, workers=3, threads=1)
    try:
        http_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        path = "/api/v1/channels/bench-web/availability-feed/"
        # The channel's cursor before the changes: the snapshot's last page (only its cursor is needed here).
        page = get(http_connection, path, channel_key)
        while page.get("next_page"):
            page = get(http_connection, f"{path}?page={page['next_page']}", channel_key)
        cursor = page["next_cursor"]
        rng = random.Random(5)
        rung_up = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
        written = 0
        started = time.perf_counter()
        while written < args.changes:
            store = rng.choice(stores)
            body = {
                "receipts": [
                    {
                        "register": "F1",
                        "receipt": f"{time.time_ns()}-{r}",
                        "at": rung_up,
                        "lines": [
                            {
                                "line": i,
                                "sku": f"BENCH-{rng.randint(1, 20_000):07d}",
                                "quantity": 1,
                                "unit_price": "9.90",
                            }
                            for i in range(1, 6)
                        ],
                    }
                    for r in range(100)
                ]
            }
            http_connection.request(
                "POST",
                f"/api/v1/locations/{store.code}/sales/",
                body=json.dumps(body),
                headers={"Authorization": f"Api-Key {till_keys[store.code]}", "Content-Type": "application/json"},
            )
            response = http_connection.getresponse()
            response.read()
            written += 500
        writing = time.perf_counter() - started
        reads = skus = 0
        with cpu_split() as cpu:
            started = time.perf_counter()
            while True:
                answer = get(http_connection, f"{path}?cursor={cursor}", channel_key)
                reads += 1
                if not answer["results"]:
                    break
                skus += len(answer["results"])
                cursor = answer["next_cursor"]
            reading = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    write_result(
        "availability_feed",
        {
            "postgresql": durability(),
            "network": "20 locations × 20 000 SKUs, all listed",
            "changes_written": written,
            "writing_seconds": round(writing, 1),
            "feed_requests": reads,
            "skus_answered": skus,
            "reading_seconds": round(reading, 2),
            "changes_read_per_second": round(written / reading),
            **cpu,
        },
    )


if __name__ == "__main__":
    main()
