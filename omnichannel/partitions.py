"""Append-only tables partitioned by month of their `at` column on PostgreSQL: the stock ledger and the order,
reservation and return timelines (settings.MONTHLY_PARTITIONED_TABLES). One table per UTC month (boundaries never
move with DST), plus a default partition for anything outside them. Reads of recent rows open only recent months'
partitions; old months leave by detaching a table (archived to a file), not by deleting rows.

PostgreSQL only: on SQLite (the demo) each is one table and every function here does nothing.

The primary key becomes (id, at), since a partitioned table's unique keys must include the partition column; `id`
still comes from one sequence, so it stays unique and the ORM keeps addressing rows by it. Nothing may point at such a
row with a database foreign key (a notification holds its event's id without one).

`partition_table` / `unpartition_table` are what the migrations run: they rebuild a table with the same columns,
rows, ids, foreign keys and indexes (read from the catalog), so they must keep working for every migration that
calls them.
"""

import gzip
import logging
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def month_start(day: date, add: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


def partition_name(table: str, month: date) -> str:
    return f"{table}_y{month.year}m{month.month:02d}"


def default_partition(table: str) -> str:
    return f"{table}_default"


def _is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
    return cursor.fetchone()[0] == "p"


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return _is_partitioned(cursor, table)


def monthly_partitions(table: str) -> list[tuple[str, date]]:
    """(partition, first day of its month) of each monthly partition of `table`, oldest first."""
    if not is_partitioned(table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass AND c.relname <> %s ORDER BY c.relname",
            [table, default_partition(table)],
        )
        names = [row[0] for row in cursor.fetchall()]
    return [(name, date(int(name[-7:-3]), int(name[-2:]), 1)) for name in names]


@transaction.atomic
def add_month(table: str, month: date) -> bool:
    """The partition of `month`, created if missing (rows of that month already in the default partition, e.g. a
    late till receipt, move into it). True when it was created."""
    name = partition_name(table, month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        start, end = bound(month), bound(month_start(month, 1))
        cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default_partition(table)} WHERE at >= %s AND at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return True


def ensure_months(table: str, *, months_ahead: int = 2, today: date | None = None) -> list[str]:
    """This month's partition of `table` and the next `months_ahead`; the names of those it created."""
    if not is_partitioned(table):
        return []
    this_month = month_start(today or timezone.now().date())
    made = []
    for add in range(months_ahead + 1):
        month = month_start(this_month, add)
        if add_month(table, month):
            made.append(partition_name(table, month))
    return made


def archive_months(table: str, *, before: date, into: Path) -> list[Path]:
    """Each monthly partition of `table` older than the month of `before`: written to `into/<partition>.csv.gz` (a
    header line, then the rows as COPY writes them), detached and dropped. The files are the archive; restore one
    with `\\copy <table> FROM PROGRAM 'gunzip -c FILE' CSV HEADER`."""
    into.mkdir(parents=True, exist_ok=True)
    written = []
    for name, month in monthly_partitions(table):
        if month >= month_start(before):
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
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        logger.info("archived partition %s to %s", name, target)
        written.append(target)
    return written


def ensure_all() -> list[str]:
    """Scheduled job (daily): this month and the next two of every partitioned table. Safe to run twice at once
    (the second waits on the first's lock, then finds the months there)."""
    from django.conf import settings

    return [name for table in settings.MONTHLY_PARTITIONED_TABLES for name in ensure_months(table)]


# What the migrations run.


def _rebuild(cursor, table: str, *, partition_by: str, primary_key: str, add_partitions) -> None:
    """`table` rebuilt (`partition_by`: "PARTITION BY RANGE (at)", or "" for a plain table) with the same columns,
    rows, ids, sequence, foreign keys and indexes; `add_partitions(cursor, first_at, last_at)` adds partitions."""
    cursor.execute(
        "SELECT conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f'", [table]
    )
    pointing = [row[0] for row in cursor.fetchall()]
    if pointing:
        raise RuntimeError(f"{table} cannot be rebuilt while foreign keys point at it: {pointing}")
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass AND NOT indisprimary", [table]
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"SELECT min(at), max(at), coalesce(max(id), 0) FROM {table}")
    first, last, top = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_before")
    cursor.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq RENAME TO {table}_id_seq_before")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {table}_before INCLUDING DEFAULTS INCLUDING CONSTRAINTS) {partition_by}"
    )
    add_partitions(cursor, first, last)
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_before")
    cursor.execute(f"DROP TABLE {table}_before CASCADE")
    cursor.execute(f"DROP SEQUENCE IF EXISTS {table}_id_seq_before")
    # One sequence for the ids, as before, owned by the new column (a test database's flush resets it).
    cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
    cursor.execute(f"SELECT setval('{table}_id_seq', %s, %s)", [max(top, 1), top > 0])
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary_key})")
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for definition in indexes:
        on = definition.index(" ON ")
        using = definition.index(" USING ")
        cursor.execute(f"{definition[:on]} ON {table}{definition[using:]}")


def partition_table(schema_editor, table: str) -> None:
    """Migration step: `table` partitioned by month of `at` (a partition per month its rows cover, to three months
    past the newest or this month, and a default partition), rows moved; nothing on SQLite or when already done."""
    if schema_editor.connection.vendor != "postgresql":
        return

    def monthly(cursor, first, last):
        today = timezone.now().date()
        month = month_start(min(first.date(), today) if first else today)
        end = month_start(max(last.date(), today) if last else today, 3)
        cursor.execute(f"CREATE TABLE {default_partition(table)} PARTITION OF {table} DEFAULT")
        while month < end:
            cursor.execute(
                f"CREATE TABLE {partition_name(table, month)} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)",
                [bound(month), bound(month_start(month, 1))],
            )
            month = month_start(month, 1)

    with schema_editor.connection.cursor() as cursor:
        if not _is_partitioned(cursor, table):
            _rebuild(
                cursor, table, partition_by="PARTITION BY RANGE (at)", primary_key="id, at", add_partitions=monthly
            )


def unpartition_table(schema_editor, table: str) -> None:
    """Migration step back: `table` as one plain table again, rows kept."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _is_partitioned(cursor, table):
            _rebuild(cursor, table, partition_by="", primary_key="id", add_partitions=lambda *_args: None)
