"""KPI pages over a million orders (issue 27), through the real server (gunicorn + PostgreSQL).

Builds (once per database) a network of --locations locations and --orders orders spread over the 90 days before
today, with their payments, lines, parcels (some split, some short, some late), pickups made ready, reservations
and customer messages: set-based SQL (INSERT … SELECT generate_series), benchmark set-up rather than business
writes, so it bypasses the services on purpose. Then it times the KPI rollup's full refresh and an incremental
one, starts gunicorn and loads head office's network page and one store's scorecard (7, 28 and 90 days) five
times each after a warm-up load, and writes the medians to bench/results/kpis.json.

    scripts/with-postgres.sh .venv/bin/python bench/kpis.py            # 1 000 000 orders, 60 locations
    scripts/with-postgres.sh .venv/bin/python bench/kpis.py --orders 100000
"""

import argparse
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from availability import start_server  # noqa: E402
from network import build_network, durability, setup_django, write_result  # noqa: E402

DAYS = 90
SECONDS = DAYS * 86400


def build_orders(orders: int) -> dict:
    """The orders, their rows and the reservations and messages of the 90 days before now (once per database)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order WHERE number LIKE 'BN%%'")
        have = cursor.fetchone()[0]
    if have == orders:
        return {"built_seconds": 0}
    if have:
        sys.exit(f"A different bench order set exists ({have} orders); use a fresh database.")
    started = time.perf_counter()
    took = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:  # the rows are consistent by construction: skip millions of deferred FK checks
            cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in BUILD:
            clock = time.perf_counter()
            cursor.execute(statement, {"orders": orders, "customers": max(orders // 10, 1), "span": SECONDS})
            if statement.lstrip().startswith("CREATE TEMP TABLE"):  # the joins below need its row count
                cursor.execute(f"ANALYZE {statement.split()[3]}")
            took.append(round(time.perf_counter() - clock, 1))
    with connection.cursor() as cursor:  # as autovacuum would have by the time anyone reads them
        cursor.execute("VACUUM ANALYZE")
    return {"built_seconds": round(time.perf_counter() - started, 1), "built_seconds_by_statement": took}


# Each order i: placed hash(i) seconds before now (within 90 days), at location 1 + hash(i) % 60 ("B001" the
# warehouse); 30 % picked up in store, 5 % cancelled, 8 % split into a second parcel from another location, 3 % with
# a unit found short, 3 % refunded, shipped 2–50 h after placing against a 24 h promise.
BUILD = [
    """
    CREATE TEMP TABLE bench_ids AS
    SELECT array_agg(id ORDER BY code) AS locations, (SELECT id FROM stores_saleschannel WHERE code = 'bench-web')
           AS channel, (SELECT array_agg(id ORDER BY code) FROM inventory_sku WHERE code LIKE 'BENCH-%%') AS skus
    FROM stores_location WHERE city = 'Bench'
    """,
    """
    INSERT INTO orders_customer (created_at, updated_at, email, phone, name, locale, marketing_consent, notify_by,
                                 marketing_consent_source)
    SELECT now(), now(), 'bench-' || i || '@example.com', '', 'Bench customer ' || i, 'it', false, 'email', ''
    FROM generate_series(1, %(customers)s) AS i
    """,
    """
    CREATE TEMP TABLE bench_orders AS
    SELECT i, now() - make_interval(secs => abs(hashint8(i)) %% %(span)s) AS placed,
           1 + abs(hashint8(i * 31)) %% array_length(b.locations, 1) AS loc,
           abs(hashint8(i * 17)) %% 100 AS roll,
           (abs(hashint8(i * 13)) %% 49 + 2) AS hours_to_ship
    FROM generate_series(1, %(orders)s) AS i, bench_ids b
    """,
    """
    INSERT INTO orders_order (created_at, updated_at, number, external_id, status, method, speed, shipping_address,
        currency, lines_total, shipping_price, total, tracking_token, sourcing, channel_id, customer_id,
        pickup_location_id, contact_email, contact_locale, contact_name, contact_phone, notify_by, discount,
        marketing_consent, price_review)
    SELECT o.placed, o.placed, 'BN' || o.i, '',
           CASE WHEN o.roll < 5 THEN 'cancelled' WHEN o.roll < 35 THEN 'completed' ELSE 'shipped' END,
           CASE WHEN o.roll BETWEEN 5 AND 34 THEN 'store_pickup' ELSE 'home_delivery' END,
           CASE WHEN o.roll BETWEEN 5 AND 34 THEN '' ELSE 'standard' END, '{}', 'EUR', 59.80, 0, 59.80,
           md5(o.i::text), '{}', b.channel, c.id,
           CASE WHEN o.roll BETWEEN 5 AND 34 THEN b.locations[greatest(o.loc, 2)] END,
           c.email, 'it', c.name, '', 'email', 0, false, false
    FROM bench_orders o, bench_ids b, orders_customer c
    WHERE c.email = 'bench-' || (1 + o.i %% %(customers)s) || '@example.com'
    """,
    """
    CREATE TEMP TABLE bench_placed AS
    SELECT o.*, r.id AS order_id FROM bench_orders o JOIN orders_order r ON r.number = 'BN' || o.i
    """,
    """
    INSERT INTO orders_payment (created_at, updated_at, provider, reference, currency, authorized_amount,
                                captured_amount, refunded_amount, order_id, released_amount)
    SELECT placed, placed, 'manual', 'bench-' || i, 'EUR', 59.80, CASE WHEN roll < 5 THEN 0 ELSE 59.80 END,
           CASE WHEN roll BETWEEN 90 AND 92 THEN 29.90 ELSE 0 END, order_id, CASE WHEN roll < 5 THEN 59.80 ELSE 0 END
    FROM bench_placed
    """,
    """
    INSERT INTO orders_orderline (created_at, updated_at, quantity, unit_price, quantity_cancelled, quantity_short,
        order_id, sku_id, quantity_short_refunded, quantity_short_substituted, quantity_returned)
    SELECT p.placed, p.placed, 1, 29.90, 0, 0, p.order_id,
           b.skus[1 + abs(hashint8(p.i * 7 + n)) %% array_length(b.skus, 1)], 0, 0, 0
    FROM bench_placed p, bench_ids b, generate_series(1, 2) AS n
    """,
    """
    INSERT INTO orders_fulfillment (created_at, updated_at, method, flow, status, carrier, tracking_number,
        pickup_code, shipped_at, completed_at, pickup_location_id, source_location_id, order_id,
        pickup_code_attempts, promised_by)
    SELECT p.placed, p.placed,
           CASE WHEN p.roll BETWEEN 5 AND 34 THEN 'store_pickup' ELSE 'home_delivery' END,
           CASE WHEN p.roll BETWEEN 5 AND 34 THEN 'pickup' ELSE 'ship' END,
           CASE WHEN p.roll < 5 THEN 'cancelled' WHEN p.roll BETWEEN 5 AND 30 THEN 'collected'
                WHEN p.roll BETWEEN 31 AND 34 THEN 'not_collected' ELSE 'delivered' END,
           '', '', '',
           CASE WHEN p.roll >= 35 THEN p.placed + make_interval(hours => p.hours_to_ship) END,
           CASE WHEN p.roll >= 5 THEN p.placed + make_interval(hours => p.hours_to_ship + 24) END,
           CASE WHEN p.roll BETWEEN 5 AND 34 THEN b.locations[greatest(p.loc, 2)] END,
           b.locations[CASE WHEN p.roll BETWEEN 5 AND 34 THEN greatest(p.loc, 2) ELSE p.loc END],
           p.order_id, 0, p.placed + interval '24 hours'
    FROM bench_placed p, bench_ids b
    UNION ALL  -- 8 %% split: a second parcel home from the next location
    SELECT p.placed, p.placed, 'home_delivery', 'ship', 'delivered', '', '', '',
           p.placed + make_interval(hours => p.hours_to_ship + 3), p.placed + make_interval(hours => 72), NULL,
           b.locations[1 + p.loc %% array_length(b.locations, 1)], p.order_id, 0, p.placed + interval '24 hours'
    FROM bench_placed p, bench_ids b WHERE p.roll BETWEEN 60 AND 67
    """,
    """
    INSERT INTO orders_fulfillmentline (quantity, quantity_cancelled, quantity_short, fulfillment_id, order_line_id)
    SELECT 1, 0, CASE WHEN p.roll BETWEEN 80 AND 82 AND f.rank = 1 THEN 1 ELSE 0 END, f.id, l.id
    FROM bench_placed p
    JOIN (SELECT id, order_id, row_number() OVER (PARTITION BY order_id ORDER BY id) AS rank
          FROM orders_fulfillment) f ON f.order_id = p.order_id
    JOIN orders_orderline l ON l.order_id = p.order_id
    """,
    """
    INSERT INTO orders_orderevent (type, data, at, fulfillment_id, order_id)
    SELECT 'ready_for_pickup', '{}', f.created_at + make_interval(hours => p.hours_to_ship), f.id, f.order_id
    FROM orders_fulfillment f JOIN bench_placed p ON p.order_id = f.order_id
    WHERE f.flow = 'pickup' AND p.roll >= 5
    """,
    """
    INSERT INTO orders_reservation (created_at, updated_at, number, status, expires_at, closed_at, pos_receipt, token,
        channel_id, customer_id, location_id, contact_email, contact_locale, contact_name, contact_phone, notify_by)
    SELECT o.placed, o.placed, 'BR' || o.i,
           (ARRAY['purchased', 'purchased', 'declined', 'expired', 'cancelled'])[1 + o.roll %% 5],
           o.placed + interval '48 hours', o.placed + interval '20 hours', '', md5('r' || o.i), b.channel,
           (SELECT id FROM orders_customer WHERE email = 'bench-' || (1 + o.i %% %(customers)s) || '@example.com'),
           b.locations[greatest(o.loc, 2)], '', 'it', '', '', 'email'
    FROM bench_orders o, bench_ids b WHERE o.i %% 10 = 0
    """,
    """
    INSERT INTO notifications_notification (created_at, updated_at, event, channel, recipient, locale, subject_text,
        text, html, status, attempts, send_after, provider_message_id, last_error, order_id, fact)
    SELECT placed, placed, 'order_placed', CASE WHEN roll %% 4 = 0 THEN 'sms' ELSE 'email' END, 'bench@example.com',
           'it', '', '', '', CASE WHEN roll = 99 THEN 'failed' ELSE 'delivered' END, 1, placed, '', '', order_id, ''
    FROM bench_placed
    """,
]


def log_in(username: str, *, store=None) -> str:
    """A session for a head-office user or a store manager: its cookie."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from stores.models import StoreMembership

    user, _ = User.objects.get_or_create(username=username)
    if store is None:
        user.groups.add(Group.objects.get_or_create(name="head_office")[0])
    else:
        StoreMembership.objects.get_or_create(user=user, location=store, defaults={"role": "manager"})
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def load(port: int, path: str, session: str, times: int = 5) -> dict:
    """One warm-up load, then `times` timed ones: the median and the slowest, in ms."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"})
    took = []
    for attempt in range(times + 1):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200, (path, response.status)
            size = len(response.read())
        if attempt:
            took.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(took), 1), "max_ms": round(max(took), 1), "bytes": size}


def refresh_times() -> dict:
    """The rollup's full refresh, then an incremental one after today's orders changed (as every 10 minutes)."""
    from django.db import connection

    from support_playbook.services import kpi_rollup

    full = kpi_rollup.refresh_kpis(full=True)
    with connection.cursor() as cursor:  # a parcel of today's changes, as the day goes on
        cursor.execute(
            "INSERT INTO orders_orderevent (type, data, at, order_id) SELECT 'note', '{}', now(), id"
            " FROM orders_order WHERE number LIKE 'BN%%' AND created_at > now() - interval '3 days' LIMIT 500"
        )
    incremental = kpi_rollup.refresh_kpis()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM support_playbook_kpiday")
        kpi_days = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM support_playbook_kpiduration")
        kpi_durations = cursor.fetchone()[0]
    return {
        "full_refresh": {"days": full.days, "seconds": full.seconds},
        "incremental_refresh": {"days": incremental.days, "seconds": incremental.seconds},
        "rollup_rows": {"kpi_day": kpi_days, "kpi_duration": kpi_durations},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--port", type=int, default=8097)
    args = parser.parse_args()
    setup_django()
    network = build_network(locations=args.locations, skus=2000, stocked_share=0.5)
    built = build_orders(args.orders)
    refreshed = refresh_times()
    from stores.models import Location

    store = Location.objects.get(code="B002")
    head_office, manager = log_in("bench.head.office"), log_in("bench.b002.manager", store=store)
    server = start_server(args.port, workers=2, threads=2)
    try:
        pages = {"network": load(args.port, "/care/network/", head_office)}
        for days in (7, 28, 90):
            pages[f"scorecard_{days}_days"] = load(args.port, f"/dashboard/B002/scorecard/?days={days}", manager)
    finally:
        server.terminate()
        server.wait()
    write_result(
        "kpis",
        {
            "orders": args.orders,
            "locations": args.locations,
            "days": DAYS,
            "network_setup_seconds": network["setup_seconds"],
            **built,
            **refreshed,
            "pages": pages,
            "postgresql": durability(),
        },
    )


if __name__ == "__main__":
    main()
