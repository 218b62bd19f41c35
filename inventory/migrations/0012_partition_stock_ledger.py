"""The stock ledger partitioned by month (PostgreSQL only; nothing changes on SQLite, nor in the models).

The table is rebuilt as `PARTITION BY RANGE (at)` with a primary key of (id, at), its existing rows moved into one
partition per month they cover, the next months' partitions created ahead, and a default partition for anything
outside them; `inventory.services.ledger_partitions` keeps months ahead (a daily job) and archives old ones. The
indexes, foreign keys, CHECKs and the id sequence are those the table had."""

from datetime import UTC, date, datetime

from django.db import migrations
from django.utils import timezone

T = "inventory_stockmovement"


def _month(day, add=0):
    index = day.year * 12 + day.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def _bound(month):
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


def _is_partitioned(cursor):
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [T])
    return cursor.fetchone()[0] == "p"


def _rebuild(cursor, *, partition_by: str, primary_key: str, partitions):
    """The ledger as a new table (`partition_by` e.g. "PARTITION BY RANGE (at)", or "" for a plain one) with the same
    columns, rows, ids, sequence, keys and indexes; `partitions(cursor, first, last)` adds the partitions."""
    cursor.execute(f"SELECT min(at), max(at), coalesce(max(id), 0) FROM {T}")
    first, last, top = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {T} RENAME TO {T}_before")
    cursor.execute(f"ALTER SEQUENCE IF EXISTS {T}_id_seq RENAME TO {T}_id_seq_before")
    cursor.execute(f"CREATE TABLE {T} (LIKE {T}_before INCLUDING DEFAULTS INCLUDING CONSTRAINTS) {partition_by}")
    partitions(cursor, first, last)
    cursor.execute(f"INSERT INTO {T} SELECT * FROM {T}_before")
    cursor.execute(f"DROP TABLE {T}_before CASCADE")
    cursor.execute(f"DROP SEQUENCE IF EXISTS {T}_id_seq_before")
    # One sequence for the ids, as before, owned by the new column (a test database's flush resets it).
    cursor.execute(f"CREATE SEQUENCE {T}_id_seq OWNED BY {T}.id")
    cursor.execute(f"SELECT setval('{T}_id_seq', %s, %s)", [max(top, 1), top > 0])
    cursor.execute(f"ALTER TABLE {T} ALTER COLUMN id SET DEFAULT nextval('{T}_id_seq')")
    cursor.execute(f"ALTER TABLE {T} ADD CONSTRAINT {T}_pkey PRIMARY KEY ({primary_key})")
    for column, target in [
        ("location_id", "stores_location"),
        ("sku_id", "inventory_sku"),
        ("actor_id", "auth_user"),
        ("api_key_id", "stores_apikey"),
    ]:
        cursor.execute(
            f"ALTER TABLE {T} ADD CONSTRAINT {T}_{column}_fk FOREIGN KEY ({column}) REFERENCES {target} (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"CREATE INDEX {T}_{column}_idx ON {T} ({column})")
    cursor.execute(f"CREATE INDEX {T}_at_idx ON {T} (at)")
    cursor.execute(f"CREATE INDEX movement_location_sku_at ON {T} (location_id, sku_id, at)")


def _monthly_partitions(cursor, first, last):
    """A partition per month from the oldest row's (or this month) to three months past the newest row's (or this
    month), and the default partition."""
    today = timezone.now().date()
    month = _month(min(first.date(), today) if first else today)
    end = _month(max(last.date(), today) if last else today, 3)
    cursor.execute(f"CREATE TABLE {T}_default PARTITION OF {T} DEFAULT")
    while month < end:
        cursor.execute(
            f"CREATE TABLE {T}_y{month.year}m{month.month:02d} PARTITION OF {T} FOR VALUES FROM (%s) TO (%s)",
            [_bound(month), _bound(_month(month, 1))],
        )
        month = _month(month, 1)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            _rebuild(
                cursor, partition_by="PARTITION BY RANGE (at)", primary_key="id, at", partitions=_monthly_partitions
            )


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _is_partitioned(cursor):
            _rebuild(cursor, partition_by="", primary_key="id", partitions=lambda *_args: None)


class Migration(migrations.Migration):
    # DDL and a data move in one transaction: the ledger is swapped whole or not at all.
    dependencies = [
        ("inventory", "0011_till_sales_kpis"),
        ("stores", "0007_saleschannel_pricing_authority"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
