from inventory.imports import CATALOG_OPTIONAL, CATALOG_REQUIRED, import_catalog
from inventory.management.commands._csv_import import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        f"Create or update products and SKUs from a CSV. Columns: {', '.join(sorted(CATALOG_REQUIRED))} "
        f"(required), {', '.join(sorted(CATALOG_OPTIONAL))} (optional; channels as web|marketplace)."
    )
    what = "catalog lines"

    def run_import(self, stream, *, skip_invalid, progress):
        return import_catalog(stream, skip_invalid=skip_invalid, progress=progress)
