"""Shared front end of the CSV import commands: progress bar, per-line errors, exit status."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from inventory.imports import ImportFileError, open_csv


class CsvImportCommand(BaseCommand):
    what = "lines"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header line")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Apply the valid lines even when some lines are bad."
        )

    def run_import(self, stream, *, skip_invalid, progress):
        raise NotImplementedError

    def handle(self, *args, file, skip_invalid, **options):
        try:
            with open_csv(file) as stream:
                total = sum(1 for _ in stream) - 1
                stream.seek(0)
                # The bar shows on a terminal and for long files; logs and tests stay clean.
                with tqdm(total=max(total, 0), unit=" lines", disable=None, file=self.stderr._out) as bar:
                    report = self.run_import(stream, skip_invalid=skip_invalid, progress=bar.update)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except (ImportFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot be imported: {exc}") from None
        for line_number, reason in report.errors:
            self.stderr.write(f"{file}:{line_number}: {reason}")
        if report.errors and not skip_invalid:
            raise CommandError(
                f"{len(report.errors)} bad line(s) in {file}; nothing was written. "
                "Fix them, or run again with --skip-invalid to apply the valid lines."
            )
        skipped = f", {len(report.errors)} bad lines skipped" if report.errors else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total} {self.what} read: {report.written} written, {report.unchanged} unchanged{skipped}."
            )
        )
