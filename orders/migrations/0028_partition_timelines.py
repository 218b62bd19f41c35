"""The order, reservation and return timelines partitioned by month of `at` (PostgreSQL only; nothing changes on
SQLite, nor in the models): omnichannel/partitions.py rebuilds each with its rows, ids, keys and indexes. The
notifications that point at events hold their ids without a database foreign key first (notifications 0012).
Carrier scans (TrackingEvent) stay one table: their uniqueness per carrier and event id needs a unique index that a
partitioned table could only have with the month in it."""

from django.db import migrations

from omnichannel.partitions import partition_table, unpartition_table

TIMELINES = ("orders_orderevent", "orders_reservationevent", "orders_returnevent")


def partition(apps, schema_editor):
    for table in TIMELINES:
        partition_table(schema_editor, table)


def unpartition(apps, schema_editor):
    for table in TIMELINES:
        unpartition_table(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0027_reservation_line_price"),
        ("notifications", "0012_events_held_by_id"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
