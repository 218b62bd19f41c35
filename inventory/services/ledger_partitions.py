"""The stock ledger (`StockMovement`) is partitioned by month on PostgreSQL: one table per month of `at`, plus a
default partition for anything outside them. Reads of "recent" movements (a store's last days, a SKU's month)
then touch only the partitions of those months, and old months leave by detaching a table, not by deleting rows.

PostgreSQL only: on SQLite (the demo) the ledger is one table and every function here does nothing.

The primary key is (id, at) (a partitioned table's unique keys must include the partition column); `id` still comes
from one sequence, so it stays unique, and the ORM keeps addressing rows by it. Nothing points at a movement by a
foreign key.
"""

import gzip
import logging
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

LEDGER = "inventory_stockmovement"
DEFAULT_PARTITION = f"{LEDGER}_default"


def _month(day: date, add: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{LEDGER}_y{month.year}m{month.month:02d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [LEDGER])
        return cursor.fetchone()[0] == "p"


def ledger_partitions() -> list[tuple[str, date]]:
    """(table, first day of its month) of each monthly partition, oldest first."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass AND c.relname <> %s ORDER BY c.relname",
            [LEDGER, DEFAULT_PARTITION],
        )
        names = [row[0] for row in cursor.fetchall()]
    return [(name, date(int(name[-7:-3]), int(name[-2:]), 1)) for name in names]


def _bound(month: date) -> str:
    # Month boundaries in the brand's time zone would move with DST; UTC boundaries never do.
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


@transaction.atomic
def add_month(month: date) -> bool:
    """The partition of `month`, created if missing (rows of that month already in the default partition, e.g. a
    late till receipt, move into it). True when it was created."""
    name = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        start, end = _bound(month), _bound(_month(month, 1))
        cursor.execute(f"CREATE TABLE {name} (LIKE {LEDGER} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE at >= %s AND at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {LEDGER} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return True


def ensure_ledger_partitions(*, months_ahead: int = 2, today: date | None = None) -> list[str]:
    """Scheduled job (daily): this month's partition and the next `months_ahead`, so new movements never land in the
    default partition. Safe to run twice at once (the second waits on the first's lock, then finds them)."""
    if not is_partitioned():
        return []
    this_month = _month(today or timezone.localdate())
    made = []
    for add in range(months_ahead + 1):
        month = _month(this_month, add)
        if add_month(month):
            made.append(partition_name(month))
    return made


def archive_ledger_months(*, before: date, into: Path) -> list[Path]:
    """Each monthly partition older than the month of `before`: written to `into/<partition>.csv.gz` (a header
    line, then the rows as COPY writes them), detached and dropped. The files are the archive; restore one with
    `\\copy inventory_stockmovement FROM PROGRAM 'gunzip -c FILE' CSV HEADER`."""
    into.mkdir(parents=True, exist_ok=True)
    written = []
    for name, month in ledger_partitions():
        if month >= _month(before):
            continue
        target = into / f"{name}.csv.gz"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {name} IN SHARE MODE")
            copy_out = f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)"
            with gzip.open(target, "wb") as out, cursor.copy(copy_out) as copy:
                for chunk in copy:
                    out.write(chunk)
        with transaction.atomic(), connection.cursor() as cursor:
            # Deferred foreign-key checks still pending on these rows (written in this transaction) run now: a table
            # with pending checks cannot be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {LEDGER} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        logger.info("archived ledger partition %s to %s", name, target)
        written.append(target)
    return written
