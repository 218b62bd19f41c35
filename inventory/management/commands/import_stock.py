from inventory.imports import import_stock
from inventory.management.commands._csv_import import CsvImportCommand


class Command(CsvImportCommand):
    help = "Set on-hand stock from a CSV (location,sku,on_hand); differences are written as count movements."
    what = "stock lines"

    def run_import(self, stream, *, skip_invalid, progress):
        return import_stock(stream, skip_invalid=skip_invalid, progress=progress, reference="import_stock")
