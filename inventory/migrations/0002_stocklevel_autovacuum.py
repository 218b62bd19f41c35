"""Vacuum stock levels often on PostgreSQL.

Stock rows are updated all day (holds, sales, counts). Availability reads are index-only scans of the
covering (sku, location) index, which fall back to heap fetches on pages with dead row versions; with the
default thresholds (20 % of the table) a 3-million-row table runs 600 000 updates before autovacuum starts,
and availability slows several times meanwhile (docs/benchmarks.md). 1 % keeps the visibility map fresh.
"""

from django.db import migrations

TUNE = (
    "ALTER TABLE inventory_stocklevel SET (autovacuum_vacuum_scale_factor = 0.01, "
    "autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.01)"
)
RESET = (
    "ALTER TABLE inventory_stocklevel RESET (autovacuum_vacuum_scale_factor, "
    "autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor)"
)


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TUNE)


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(tune, reset)]
