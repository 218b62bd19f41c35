"""CSV imports of the catalog and of stock counts: every line is validated before anything is written.

Parsing and per-line validation live here; the writes are `inventory.services.apply_counts` and
`inventory.services.upsert_catalog`, each in one transaction.
"""

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from inventory import services
from inventory.models import SKU
from stores.models import Location, SalesChannel


@dataclass
class ImportReport:
    total: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason), line 1 = header
    written: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")
# The stock columns are 32-bit integers.
MAX_ON_HAND = 2_147_483_647


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing header columns, not CSV)."""


def _reader(stream, required: set[str], optional: set[str] = frozenset()):
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = required - set(header)
    if missing:
        raise ImportFileError(f"missing columns: {', '.join(sorted(missing))} (header: {','.join(header) or 'empty'})")
    unknown = set(header) - required - set(optional)
    if unknown:
        raise ImportFileError(f"unknown columns: {', '.join(sorted(unknown))}")
    return reader


def _chunks(items, size=5000):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------- stock


def _counted(row: dict, known_location: bool, known_sku: bool) -> tuple[int, str]:
    """(the counted on-hand, "") or (0, what is wrong with the line; `{location}` and `{sku}` name them)."""
    if None in row or any(value is None for value in row.values()):
        return 0, "wrong number of fields"
    if not known_location:
        return 0, "unknown location '{location}'"
    if not known_sku:
        return 0, "unknown SKU '{sku}'"
    raw_qty = (row.get("on_hand") or "").strip()
    shown = raw_qty[:40].replace("{", "{{").replace("}", "}}")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not WHOLE_NUMBER.fullmatch(raw_qty):
        return 0, f"on_hand must be a whole number, got '{shown}'"
    counted = int(raw_qty)
    if counted < 0:
        return 0, f"on_hand cannot be negative ({counted})"
    if counted > MAX_ON_HAND:
        return 0, f"on_hand must be at most {MAX_ON_HAND}, got {shown}"
    return counted, ""


def import_stock(stream, *, skip_invalid: bool = False, actor=None, reference: str = "", progress=None) -> ImportReport:
    """`location,sku,on_hand` lines: on-hand becomes the counted figure, the difference a `count` movement."""
    reader = _reader(stream, {"location", "sku", "on_hand"})
    rows = []
    for line_number, row in enumerate(reader, start=2):
        rows.append((line_number, (row.get("location") or "").strip(), (row.get("sku") or "").strip(), row))
    report = ImportReport(total=len(rows))

    location_ids = dict(Location.objects.values_list("code", "id"))
    sku_ids = {}
    for chunk in _chunks({sku for _n, _l, sku, _r in rows if sku}):
        sku_ids.update(SKU.objects.filter(code__in=chunk).values_list("code", "id"))

    lines, seen = [], {}
    for line_number, location_code, sku_code, row in rows:
        counted, problem = _counted(row, location_code in location_ids, sku_code in sku_ids)
        if problem:
            report.errors.append((line_number, problem.format(location=location_code, sku=sku_code)))
            continue
        key = (location_ids[location_code], sku_ids[sku_code])
        if key in seen:
            report.errors.append((line_number, f"{location_code}/{sku_code} already on line {seen[key]}"))
            continue
        seen[key] = line_number
        lines.append(services.CountLine(line_number=line_number, location_id=key[0], sku_id=key[1], counted=counted))

    if report.errors and not skip_invalid:
        return report
    try:
        result = services.apply_counts(
            lines=lines, reference=reference, actor=actor, skip_invalid=skip_invalid, progress=progress
        )
    except services.InvalidStockChange as exc:
        report.errors.extend((item["line"], item["reason"]) for item in exc.details.get("lines", []))
        report.errors.sort()
        return report
    report.errors.extend(result.rejected)
    report.errors.sort()
    report.written = result.applied
    report.unchanged = result.unchanged
    return report


# ---------------------------------------------------------------------------------------------- catalog

CATALOG_REQUIRED = {"style", "name", "sku"}
CATALOG_OPTIONAL = {
    "brand",
    "category",
    "description",
    "gtin",
    "colour",
    "size",
    "price",
    "currency",
    "channels",
    "active",
}


def gtin_is_valid(gtin: str) -> bool:
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in gtin]
    body, check = digits[:-1], digits[-1]
    # Weights 3,1,3,… from the digit next to the check digit, whatever the length.
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def import_catalog(stream, *, skip_invalid: bool = False, progress=None) -> ImportReport:
    """Products and SKUs (created or updated by style / SKU code), with channel prices when `price` is given.

    `channels` is a `|`-separated list of channel codes (default: every active channel).
    """
    reader = _reader(stream, CATALOG_REQUIRED, CATALOG_OPTIONAL)
    channel_codes = dict(SalesChannel.objects.filter(active=True).values_list("code", "id"))
    report = ImportReport()
    products: dict[str, dict] = {}
    product_lines: dict[str, int] = {}
    skus: dict[str, dict] = {}
    sku_lines: dict[str, int] = {}
    gtin_lines: dict[str, int] = {}
    listings: list[dict] = []
    for line_number, row in enumerate(reader, start=2):
        report.total += 1
        error = _catalog_line_error(row, channel_codes)
        style, sku_code = (row.get("style") or "").strip(), (row.get("sku") or "").strip()
        if not error and sku_code in sku_lines:
            error = f"SKU '{sku_code}' already on line {sku_lines[sku_code]}"
        gtin = (row.get("gtin") or "").strip()
        if not error and gtin and gtin in gtin_lines:
            error = f"GTIN '{gtin}' already on line {gtin_lines[gtin]} (an RFID read must lead to one SKU)"
        product = {
            "style": style,
            "name": (row.get("name") or "").strip(),
            "brand": (row.get("brand") or "").strip(),
            "category": (row.get("category") or "").strip(),
            "description": (row.get("description") or "").strip(),
        }
        if not error and style in products and products[style]["name"] != product["name"]:
            error = f"style '{style}' is named '{products[style]['name']}' on line {product_lines[style]}"
        if error:
            report.errors.append((line_number, error))
            continue
        products.setdefault(style, product)
        product_lines.setdefault(style, line_number)
        sku_lines[sku_code] = line_number
        if gtin:
            gtin_lines[gtin] = line_number
        skus[sku_code] = {
            "style": style,
            "code": sku_code,
            "gtin": (row.get("gtin") or "").strip(),
            "colour": (row.get("colour") or "").strip(),
            "size": (row.get("size") or "").strip(),
            "active": (row.get("active") or "true").strip().lower() not in ("0", "false", "no"),
        }
        listings += _listings_of(row, sku_code, channel_codes)
        if progress:
            progress(1)
    listings = _drop_taken_gtins(report, gtin_lines=gtin_lines, sku_lines=sku_lines, skus=skus, listings=listings)
    report.errors.sort()
    if report.errors and not skip_invalid:
        return report
    report.written = services.upsert_catalog(
        products=list(products.values()), skus=list(skus.values()), listings=listings
    )
    return report


def _listings_of(row: dict, sku_code: str, channel_codes: dict) -> list[dict]:
    """The line's channel prices: on the channels it names, else on every active channel; none without a price."""
    if not (row.get("price") or "").strip():
        return []
    wanted = [c.strip() for c in (row.get("channels") or "").split("|") if c.strip()] or list(channel_codes)
    currency = (row.get("currency") or "EUR").strip().upper()
    price = Decimal(row["price"].strip())
    return [
        {"sku": sku_code, "channel_id": channel_codes[code], "price": price, "currency": currency} for code in wanted
    ]


def _drop_taken_gtins(report: ImportReport, *, gtin_lines: dict, sku_lines: dict, skus: dict, listings: list) -> list:
    """A GTIN another SKU of the catalog already carries (unique where set: RFID reads name GTINs) refuses its
    line: its SKU and listings are left out. Returns the listings kept."""
    code_at_line = {line_number: code for code, line_number in sku_lines.items()}
    for start in range(0, len(gtin_lines), 5000):
        taken = SKU.objects.filter(gtin__in=list(gtin_lines)[start : start + 5000]).values_list("gtin", "code")
        for gtin, code in taken:
            line_number = gtin_lines[gtin]
            mine = code_at_line[line_number]
            if code != mine:
                report.errors.append((line_number, f"GTIN '{gtin}' belongs to SKU '{code}'"))
                skus.pop(mine, None)
                listings = [listing for listing in listings if listing["sku"] != mine]
    return listings


def _catalog_line_error(row, channel_codes) -> str | None:
    return _catalog_shape_error(row) or _catalog_values_error(row, channel_codes)


def _catalog_shape_error(row) -> str | None:
    if None in row or any(value is None for value in row.values()):
        return "wrong number of fields"
    for name, value in row.items():
        if "\x00" in value:
            return f"{name} contains a NUL character"
    for name in ("style", "name", "sku"):
        if not (row.get(name) or "").strip():
            return f"{name} is empty"
    if len(row["style"].strip()) > 40 or len(row["sku"].strip()) > 64:
        return "style (≤ 40) or sku (≤ 64 characters) too long"
    return None


def _catalog_values_error(row, channel_codes) -> str | None:
    gtin = (row.get("gtin") or "").strip()
    if gtin and not gtin_is_valid(gtin):
        return f"GTIN '{gtin}' is not a valid GTIN-8/12/13/14 (check digit)"
    price = (row.get("price") or "").strip()
    if price and (problem := _price_error(price)):
        return problem
    currency = (row.get("currency") or "").strip()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        return f"currency must be a 3-letter code, got '{currency}'"
    for code in [c.strip() for c in (row.get("channels") or "").split("|") if c.strip()]:
        if code not in channel_codes:
            return f"unknown sales channel '{code}'"
    return None


def _price_error(price: str) -> str | None:
    try:
        value = Decimal(price)
    except InvalidOperation:
        return f"price must be a number like 29.90, got '{price}'"
    if value < 0 or value != value.quantize(Decimal("0.01")) or value >= Decimal("100000000"):
        return f"price must be ≥ 0 with at most 2 decimals, got '{price}'"
    return None


def open_csv(path: str):
    """Open a CSV file as text (UTF-8, BOM tolerated)."""
    return open(path, newline="", encoding="utf-8-sig")
