"""The stock ledger at scale: --rows movements (default 10 M) over --months months of monthly partitions, then the
reads people make of it: a store's recent movements, a SKU's history at a store, a SKU's last 90 days everywhere,
and the project's own selectors that read the ledger (the count page's last movements, the network page's short
picks).

    PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c shared_buffers=1GB" \\
      scripts/with-postgres.sh .venv/bin/python bench/ledger.py [--rows 10000000]

Prints each read's median and slowest time over 30 runs with random stores and SKUs, and how many partitions its
plan opens. `--no-load` reads a ledger loaded before (DATABASE_URL given). Writes bench/results/ledger.json. Not run
in CI.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import setup_django, write_result  # noqa: E402


def load(*, rows: int, months: int, locations: int, skus: int) -> float:
    from django.db import connection

    from omnichannel.partitions import add_month, month_start

    started = time.perf_counter()
    today = datetime.now(UTC).date()
    for back in range(months):
        add_month("inventory_stockmovement", month_start(today, -back))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO stores_location (code, name, kind, address, city, postcode, country, phone, latitude,"
            " longitude, timezone, opening_hours, capabilities, fulfillment_priority, active, created_at, updated_at)"
            " SELECT 'L' || lpad(i::text, 3, '0'), 'Ledger ' || i, 'store', '', 'Ledger', '', 'IT', '', 45, 9,"
            " 'Europe/Rome', '{}', '[]', 100, true, now(), now() FROM generate_series(1, %s) i",
            [locations],
        )
        cursor.execute(
            "INSERT INTO inventory_product (style, name, category, brand, description, created_at, updated_at)"
            " VALUES ('LEDGER', 'Ledger', '', '', '', now(), now())"
        )
        cursor.execute(
            "INSERT INTO inventory_sku (product_id, code, gtin, colour, size, active, created_at, updated_at)"
            " SELECT (SELECT id FROM inventory_product WHERE style = 'LEDGER'), 'LEDGER-' || lpad(i::text, 6, '0'),"
            " '', '', '', true, now(), now() FROM generate_series(1, %s) i",
            [skus],
        )
        cursor.execute("SELECT min(id), max(id) FROM stores_location WHERE city = 'Ledger'")
        loc_lo, loc_hi = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM inventory_sku WHERE code LIKE 'LEDGER-%%'")
        sku_lo, sku_hi = cursor.fetchone()
        # Movements arrive in time order, as a ledger is written: each batch covers the next stretch of the
        # months, so it fills one partition at a time and its indexes stay in memory, as they would in production.
        # From the first month's start until now; one movement in a thousand is a short pick.
        batch = 1_000_000
        first = datetime.combine(month_start(today, -(months - 1)), datetime.min.time(), tzinfo=UTC)
        span_seconds = (datetime.now(UTC) - first).total_seconds()
        for offset in range(0, rows, batch):
            cursor.execute(
                "INSERT INTO inventory_stockmovement (location_id, sku_id, delta_on_hand, on_hand_after, reason,"
                " reference, note, at)"
                " SELECT %s + (random() * %s)::int, %s + (random() * %s)::int, -1, 10,"
                " CASE WHEN i %% 1000 = 0 THEN 'shortage' ELSE 'sale' END, '', '',"
                " %s + (i::float8 / %s) * %s * interval '1 second' FROM generate_series(%s, %s) i",
                [
                    loc_lo,
                    loc_hi - loc_lo,
                    sku_lo,
                    sku_hi - sku_lo,
                    first,
                    rows,
                    span_seconds,
                    offset,
                    min(offset + batch, rows) - 1,
                ],
            )
            done = min(offset + batch, rows)
            elapsed = time.perf_counter() - started
            print(f"  {done:,} rows, {elapsed:.0f} s, {done / elapsed:,.0f} rows/s", flush=True)
        cursor.execute("ANALYZE inventory_stockmovement")
    return time.perf_counter() - started


def timed(read, runs: int = 30) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "slowest_ms": round(max(times), 2)}


def partitions_opened(queryset) -> int:
    """How many of the ledger's partitions the plan reads (its index names start with their table's)."""
    import re

    return len(set(re.findall(r"inventory_stockmovement_(y\d{4}m\d{2}|default)", queryset.explain())))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--skus", type=int, default=20_000)
    parser.add_argument("--no-load", action="store_true", help="only read: the ledger a previous run loaded")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from inventory.models import SKU, StockMovement
    from inventory.selectors import last_movements
    from stores.models import Location
    from support_playbook.network_selectors import figure_rows, network_figures

    seconds = None
    if not args.no_load:
        seconds = load(rows=args.rows, months=args.months, locations=args.locations, skus=args.skus)
        print(f"loaded {args.rows:,} movements over {args.months} months in {seconds:.0f} s", flush=True)
    stores = list(Location.objects.filter(city="Ledger"))
    location_ids = [store.pk for store in stores]
    sku_ids = list(SKU.objects.filter(code__startswith="LEDGER-").values_list("id", flat=True)[:2000])
    now = datetime.now(UTC)
    pick = random.Random(1)

    def store_recent():
        return StockMovement.objects.filter(location_id=pick.choice(location_ids), at__gte=now - timedelta(days=7))

    def sku_at_store():
        return StockMovement.objects.filter(location_id=pick.choice(location_ids), sku_id=pick.choice(sku_ids))

    def sku_90_days():
        return StockMovement.objects.filter(sku_id=pick.choice(sku_ids), at__gte=now - timedelta(days=90))

    def short_picks():
        return StockMovement.objects.filter(reason=StockMovement.Reason.SHORTAGE, at__gte=now - timedelta(days=7))

    # (what, the read, the queryset whose plan is counted: None where the read is a selector of the project's own)
    reads = [
        ("a store's movements of the last 7 days, newest 50", lambda: list(store_recent().order_by("-at")[:50]),
         store_recent().order_by("-at")[:50]),
        ("a SKU's whole history at a store, newest 100", lambda: list(sku_at_store().order_by("-at")[:100]),
         sku_at_store().order_by("-at")[:100]),
        ("a SKU's last 90 days in every location", lambda: list(sku_90_days().order_by("-at")),
         sku_90_days().order_by("-at")),
        ("the count page: 20 SKUs' last 5 movements at a store (inventory.selectors.last_movements)",
         lambda: last_movements(location=pick.choice(stores), sku_ids=pick.sample(sku_ids, 20)), None),
        ("the network page's figures, short picks of 7 days by store (network_selectors.network_figures)",
         lambda: network_figures(locations=Location.objects.filter(city="Ledger"), now=now), short_picks()),
        ("the short picks of 7 days, newest 200 (network_selectors.figure_rows)",
         lambda: figure_rows(figure="short_picks", now=now), short_picks().order_by("-at")[:200]),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_stockmovement WHERE at >= %s", [now - timedelta(days=7)])
        last_week = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM inventory_stockmovement")
        rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT sum(pg_relation_size(inhrelid)), sum(pg_indexes_size(inhrelid)) FROM pg_inherits"
            " WHERE inhparent = 'inventory_stockmovement'::regclass"
        )
        table_gb, indexes_gb = (round(float(size) / 2**30, 1) for size in cursor.fetchone())
    result = {
        "rows": rows,
        "months": args.months,
        "load_seconds": seconds and round(seconds),
        "rows_7_days": last_week,
        "table_gb": table_gb,
        "indexes_gb": indexes_gb,
    }
    print(f"{rows:,} movements ({last_week:,} in the last 7 days): {table_gb} GB, indexes {indexes_gb} GB", flush=True)
    for name, read, plan in reads:
        read()  # warm
        figures = timed(read) | ({"partitions_in_plan": partitions_opened(plan)} if plan is not None else {})
        print(f"{name}: {figures}", flush=True)
        result[name] = figures
    write_result("ledger", result)


if __name__ == "__main__":
    main()
