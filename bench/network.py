"""Build (once) a large network for benchmarks: N locations × M SKUs, one stock row per pair.

Rows are written with set-based SQL (INSERT … SELECT generate_series): benchmark set-up, not business
writes, so it bypasses the stock services and the ledger on purpose. PostgreSQL only.
"""

import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnichannel.settings")


# Benchmarks run with DEBUG off (as in production), on a throwaway key, with the API's rate limits on but set
# above the load they generate: the throttles do their counting on every request, as in production.
BENCH_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production",
    "API_RATE_PER_KEY": "10000000/minute",
    "API_RATE_PER_IP": "10000000/minute",
    "LOG_LEVEL": "WARNING",
}


def setup_django():
    import django

    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Benchmarks need PostgreSQL: run them through scripts/with-postgres.sh or set DATABASE_URL.")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_network(*, locations: int, skus: int, stocked_share: float, listed_price: str | None = None) -> dict:
    """Locations B001…, SKUs BENCH-0000001…; each store stocks `stocked_share` of the SKUs, the warehouse 90 %.
    `listed_price`: every SKU listed on the bench channel at that price (placement checks line prices against it)."""
    from django.db import connection, transaction

    from stores.models import SalesChannel
    from stores.services import create_api_key

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_sku WHERE code LIKE 'BENCH-%%'")
        have_skus = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM stores_location WHERE code LIKE 'B%%' AND city = 'Bench'")
        have_locations = cursor.fetchone()[0]
    started = time.perf_counter()
    if (have_skus, have_locations) != (skus, locations):
        if have_skus or have_locations:
            sys.exit(f"A different bench network exists ({have_locations} × {have_skus}); use a fresh database.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO stores_location (code, name, kind, address, city, postcode, country, phone,
                    latitude, longitude, timezone, opening_hours, capabilities, fulfillment_priority, active,
                    created_at, updated_at)
                SELECT 'B' || lpad(i::text, 3, '0'), 'Bench location ' || i,
                       CASE WHEN i = 1 THEN 'warehouse' ELSE 'store' END, 'Via Bench ' || i, 'Bench', '00000', 'IT', '',
                       37 + (i * 7919 %% 1000) / 100.0, 7 + (i * 104729 %% 1100) / 100.0, 'Europe/Rome', '{}',
                       '["ship_from_store", "click_and_collect", "ship_to_store"]', 100, true, now(), now()
                FROM generate_series(1, %s) AS i
                """,
                [locations],
            )
            cursor.execute(
                """
                INSERT INTO inventory_product (style, name, brand, category, description, created_at, updated_at)
                SELECT 'BSTY-' || lpad(i::text, 6, '0'), 'Bench product ' || i, 'Bench', 'Bench', '', now(), now()
                FROM generate_series(1, %s) AS i
                """,
                [max(skus // 10, 1)],
            )
            cursor.execute(
                """
                INSERT INTO inventory_sku (product_id, code, gtin, colour, size, active, created_at, updated_at)
                SELECT p.id, 'BENCH-' || lpad(i::text, 7, '0'), '', 'Nero', 'M', true, now(), now()
                FROM generate_series(1, %s) AS i
                JOIN inventory_product p ON p.style = 'BSTY-' || lpad(((i - 1) / 10 + 1)::text, 6, '0')
                """,
                [skus],
            )
            # Deterministic pseudo-random stock: hash of (location, sku) decides whether and how much.
            cursor.execute(
                """
                INSERT INTO inventory_stocklevel
                    (location_id, sku_id, on_hand, committed, safety_stock, created_at, updated_at)
                SELECT l.id, s.id,
                       CASE WHEN abs(hashint8(l.id * 1000003 + s.id)) %% 1000
                                 < (CASE WHEN l.kind = 'warehouse' THEN 900 ELSE %s END)
                            THEN 1 + abs(hashint8(s.id * 7 + l.id)) %% 12 ELSE 0 END,
                       0, 0, now(), now()
                FROM stores_location l CROSS JOIN inventory_sku s
                WHERE l.city = 'Bench' AND s.code LIKE 'BENCH-%%'
                """,
                [int(stocked_share * 1000)],
            )
            cursor.execute("ANALYZE")
    channel, _ = SalesChannel.objects.get_or_create(code="bench-web", defaults={"name": "Bench web", "kind": "web"})
    from stores.models import Location

    channel.source_locations.set(Location.objects.filter(city="Bench"))
    if listed_price is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO inventory_channellisting (sku_id, channel_id, price, currency, published, created_at,
                                                      updated_at)
                SELECT s.id, %s, %s, 'EUR', true, now(), now() FROM inventory_sku s WHERE s.code LIKE 'BENCH-%%'
                ON CONFLICT DO NOTHING
                """,
                [channel.id, listed_price],
            )
            cursor.execute("ANALYZE inventory_channellisting")
    _row, raw_key = create_api_key(channel=channel, name="bench")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_stocklevel")
        rows = cursor.fetchone()[0]
    return {"api_key": raw_key, "stock_rows": rows, "setup_seconds": round(time.perf_counter() - started, 1)}


def durability() -> dict:
    """PostgreSQL's durability settings as the server reports them, for the results (DESIGN.md section 18)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"SHOW {setting}")
            found[setting] = cursor.fetchone()[0]
    return found


def machine() -> str:
    import platform

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {system}"


def write_result(name: str, result: dict) -> None:
    """Add the machine and time, write bench/results/<name>.json and print it."""
    import json

    result = {**result, "machine": machine(), "at": time.strftime("%Y-%m-%d %H:%M")}
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def _cpu_ticks() -> list[int]:
    return [int(field) for field in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


@contextlib.contextmanager
def cpu_split():
    """Share of the machine's CPU time that was busy, idle and stolen by the VM's host while the block ran.

    A run with idle or steal time was not CPU-bound: the host paused this VM (seen here as runs at half
    speed with the CPUs partly idle), which the figures should say rather than hide."""
    split: dict = {}
    before = _cpu_ticks()
    yield split
    # user nice system idle iowait irq softirq steal
    delta = [b - a for a, b in zip(before, _cpu_ticks(), strict=True)]
    total = max(sum(delta[:8]), 1)
    idle, steal = delta[3] + delta[4], delta[7]
    split.update(
        busy_pct=round(100 * (total - idle - steal) / total),
        idle_pct=round(100 * idle / total),
        steal_pct=round(100 * steal / total),
    )


@contextlib.contextmanager
def _in_background(loop):
    """Run `loop(stop)` in a thread while the block runs; `stop` (an Event) is set when it ends."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


@contextlib.contextmanager
def stall_dumps(server_pid: int, port: int, into: Path):
    """While the block runs, watch the machine's idle time each second; the first time it passes 20 % over a second,
    note how many of the clients' connections to `port` each gunicorn worker of `server_pid` holds (`ss`), and write
    a stack dump of every worker (py-spy, when installed: `pip install py-spy`) to `into`: what the web processes
    were doing while the CPUs idled. Yields {"dumped_at_idle_pct": …, "connections_per_worker": {pid: n}}."""
    import shutil
    import subprocess

    found: dict = {}
    py_spy = shutil.which("py-spy") or shutil.which(str(Path(sys.executable).with_name("py-spy")))

    def dump(idle: float) -> None:
        workers = [int(pid) for pid in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()]
        sockets = subprocess.run(
            ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
        ).stdout
        found.update(
            dumped_at_idle_pct=round(idle),
            connections_per_worker={pid: sockets.count(f"pid={pid},") for pid in workers},
        )
        if py_spy:
            stacks = [
                subprocess.run([py_spy, "dump", "--pid", str(pid)], capture_output=True, text=True).stdout
                for pid in workers
            ]
            into.write_text(
                f"idle {idle:.0f} %, connections per worker {found['connections_per_worker']}\n\n" + "\n".join(stacks)
            )

    def watch(stop):
        before = _cpu_ticks()
        while not stop.wait(1.0):
            now = _cpu_ticks()
            delta = [b - a for a, b in zip(before, now, strict=True)]
            before = now
            idle = 100 * (delta[3] + delta[4]) / max(sum(delta[:8]), 1)
            if idle > 20 and not found and server_pid:
                dump(idle)

    with _in_background(watch):
        yield found


def _database_url() -> str:
    return os.environ["DATABASE_URL"]


@contextlib.contextmanager
def wait_events(every: float = 0.02):
    """What PostgreSQL's client backends were doing while the block ran, sampled every 20 ms from
    pg_stat_activity: {"state / wait event": share of samples}. `idle / Client:ClientRead` is a backend waiting for
    its web process (the time is spent in Python or on the way); `active / Lock:…` or `LWLock:…` waits in the
    database; `active / IO:WALSync` is the commit's flush."""
    import collections

    import psycopg

    counts: collections.Counter = collections.Counter()
    found: dict = {}

    def sample(stop):
        with psycopg.connect(_database_url(), autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()"
                ).fetchall()
                counts.update(f"{state} / {event}" for state, event in rows)
                stop.wait(every)

    try:
        with _in_background(sample):
            yield found
    finally:
        total = max(sum(counts.values()), 1)
        found.update({name: round(100 * n / total, 1) for name, n in counts.most_common(8)})


def _cluster_cpu_ticks(postmaster: int) -> int:
    """CPU ticks (user + system) of the PostgreSQL server's processes now: the postmaster and its children."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total


@contextlib.contextmanager
def primary_cost():
    """The primary's CPU seconds (all its processes) and WAL bytes written while the block ran. Connections that
    close during the block take their CPU with them: run it against servers keeping their connections."""
    import psycopg

    with psycopg.connect(_database_url(), autocommit=True) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        wal_before = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        ticks_before = _cluster_cpu_ticks(postmaster)
        cost: dict = {}
        yield cost
        wal = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [wal_before]).fetchone()[0]
        cost.update(
            cpu_seconds=(_cluster_cpu_ticks(postmaster) - ticks_before) / os.sysconf("SC_CLK_TCK"),
            wal_bytes=int(wal),
        )


def run_wrk(lua: str, *, port: int, duration: int, connections: int, threads: int = 1) -> tuple[list[str], dict]:
    """Run wrk on loopback with a Lua script whose done() prints `RESULT …`; return those fields and the
    machine's CPU split during the run (`cpu_split`)."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
        command += ["-s", script.name, f"http://127.0.0.1:{port}"]
        with cpu_split() as cpu:
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return next(line for line in out.splitlines() if line.startswith("RESULT ")).split()[1:], cpu
