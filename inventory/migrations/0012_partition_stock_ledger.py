"""The stock ledger partitioned by month (PostgreSQL only; nothing changes on SQLite, nor in the models).

The table is rebuilt as `PARTITION BY RANGE (at)` with a primary key of (id, at), its existing rows moved into one
partition per month they cover, the next months' partitions created ahead, and a default partition for anything
outside them; the daily job `ensure_monthly_partitions` keeps months ahead, `manage.py archive_months` archives old
ones. The indexes, foreign keys, CHECKs and the id sequence are those the table had."""

from django.db import migrations

from omnichannel.partitions import partition_table, unpartition_table


def partition(apps, schema_editor):
    partition_table(schema_editor, "inventory_stockmovement")


def unpartition(apps, schema_editor):
    unpartition_table(schema_editor, "inventory_stockmovement")


class Migration(migrations.Migration):
    # DDL and a data move in one transaction: the ledger is swapped whole or not at all.
    dependencies = [
        ("inventory", "0011_till_sales_kpis"),
        ("stores", "0007_saleschannel_pricing_authority"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
