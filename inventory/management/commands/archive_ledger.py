"""`manage.py archive_ledger --before 2026-01 --to /backup/ledger`: the stock ledger's monthly partitions older than
that month written to gzipped CSV files, then detached and dropped (PostgreSQL; nothing to do on SQLite)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.services.ledger_partitions import archive_ledger_months, is_partitioned


class Command(BaseCommand):
    help = "Archive the stock ledger's months before --before (YYYY-MM) to --to, then drop them from the database."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="the first month to keep, YYYY-MM")
        parser.add_argument("--to", required=True, help="the folder the archive files are written to")

    def handle(self, *args, before: str, to: str, **options):
        try:
            year, month = (int(part) for part in before.split("-"))
            first_kept = date(year, month, 1)
        except ValueError:
            raise CommandError(f"--before must be a month as YYYY-MM, not {before!r}") from None
        if not is_partitioned():
            self.stdout.write("The ledger is not partitioned here (SQLite): nothing to archive.")
            return
        files = archive_ledger_months(before=first_kept, into=Path(to))
        for path in files:
            self.stdout.write(f"archived {path}")
        self.stdout.write(f"{len(files)} months archived; the ledger now starts at {first_kept:%Y-%m}.")
