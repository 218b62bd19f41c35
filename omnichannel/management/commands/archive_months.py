"""`manage.py archive_months --before 2026-01 --to /backup/archive`: the months before that one of every table
partitioned by month (the stock ledger, the timelines; settings.MONTHLY_PARTITIONED_TABLES), or of `--table` only,
written to gzipped CSV files, then detached and dropped (PostgreSQL; nothing to do on SQLite)."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from omnichannel.partitions import archive_months, is_partitioned


class Command(BaseCommand):
    help = "Archive the partitioned tables' months before --before (YYYY-MM) to --to, then drop them."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="the first month to keep, YYYY-MM")
        parser.add_argument("--to", required=True, help="the folder the archive files are written to")
        parser.add_argument("--table", choices=settings.MONTHLY_PARTITIONED_TABLES, help="only this table")

    def handle(self, *args, before: str, to: str, table: str | None = None, **options):
        try:
            year, month = (int(part) for part in before.split("-"))
            first_kept = date(year, month, 1)
        except ValueError:
            raise CommandError(f"--before must be a month as YYYY-MM, not {before!r}") from None
        tables = [table] if table else settings.MONTHLY_PARTITIONED_TABLES
        partitioned = [name for name in tables if is_partitioned(name)]
        if not partitioned:
            self.stdout.write("No table is partitioned here (SQLite): nothing to archive.")
            return
        files = [path for name in partitioned for path in archive_months(name, before=first_kept, into=Path(to))]
        for path in files:
            self.stdout.write(f"archived {path}")
        self.stdout.write(f"{len(files)} months archived; kept from {first_kept:%Y-%m}.")
