"""Demo brand: the shop floor. Every store's till sent yesterday's receipts (sales, a bag, a return at the till),
applied through the real till feed; Milan's flagship counted a shelf this morning and one difference waits for
its manager's approval (idempotent: nothing is added once a till has sent receipts)."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from inventory import services as stock
from inventory.models import CountSession, PosReceiptLine, StockLevel
from inventory.selectors import sku_codes_available_at
from orders.shop_floor import services as till
from stores.models import Location

COUNT_STORE = "MI01"


def _day_of_receipts(store: Location, day, rng: random.Random) -> list[dict]:
    codes = list(sku_codes_available_at(location_code=store.code))
    if not codes:
        return []
    tz = zoneinfo.ZoneInfo(store.tz_name)
    opening = datetime.combine(day, time(10, 0), tzinfo=tz)
    receipts = []
    registers = ["T1", "T2"] if store.code in ("MI01", "RM01") else ["T1"]
    for n in range(rng.randint(25, 40)):
        at = opening + timedelta(minutes=n * 14 + rng.randint(0, 10))
        lines = [
            {"line": i, "sku": code, "quantity": 1, "unit_price": "0"}
            for i, code in enumerate(rng.sample(codes, min(rng.randint(1, 3), len(codes))), start=1)
        ]
        if n % 4 == 0:  # a paper bag: recorded, never on stock
            lines.append({"line": len(lines) + 1, "sku": "SHOPPER", "quantity": 1, "unit_price": "0.10",
                          "non_stock": True})  # fmt: skip
        if n % 15 == 7:  # brought back at the till (bought in store last week)
            lines[0]["quantity"] = -1
        receipts.append(
            {
                "register": registers[n % len(registers)],
                "receipt": f"{day:%Y%m%d}-{n + 1:04d}",
                "at": at.isoformat(),
                "lines": lines,
            }
        )
    return receipts


def _prices(receipts: list[dict]) -> None:
    from inventory.models import ChannelListing

    codes = {line["sku"] for receipt in receipts for line in receipt["lines"] if not line.get("non_stock")}
    prices = dict(
        ChannelListing.objects.filter(sku__code__in=codes, channel__code="web").values_list("sku__code", "price")
    )
    for receipt in receipts:
        for line in receipt["lines"]:
            if not line.get("non_stock"):
                line["unit_price"] = str(prices.get(line["sku"], "29.90"))


@transaction.atomic
def seed(stdout) -> None:
    if PosReceiptLine.objects.exists():
        stdout.write(f"  till receipts: {PosReceiptLine.objects.count()} lines (already there)")
        return
    rng = random.Random(22)
    yesterday = timezone.localdate() - timedelta(days=1)
    stores = list(Location.objects.active().filter(kind=Location.Kind.STORE).order_by("code"))
    applied = 0
    for store in stores:
        receipts = _day_of_receipts(store, yesterday, rng)
        if receipts:
            _prices(receipts)
            applied += till.record_till_sales(location=store, receipts=receipts).applied
    stdout.write(f"  till receipts: {applied} lines from {len(stores)} stores' registers (yesterday)")
    _count(stdout)


def _count(stdout) -> None:
    """This morning's count of a few items at the flagship: most as the books say, one a unit short (applied),
    one with three units fewer than the books, waiting for the manager."""
    store = Location.objects.get(code=COUNT_STORE)
    rows = list(
        StockLevel.objects.filter(location=store, on_hand__gte=4, committed=0)
        .annotate(price=Max("sku__listings__price"))
        .select_related("sku")
        .order_by("sku__code")[:40]
    )
    cheap = next((row for row in rows if row.price is not None and row.price <= 55), None)
    dear = next((row for row in rows if row.price is not None and row.price > 60 and row is not cheap), None)
    if cheap is None or dear is None:
        return
    others = [row for row in rows if row not in (cheap, dear)][:4]
    # One unit short of a cheap item (within tolerance: applied), three of a dearer one (waits for the manager).
    counted = [(cheap.sku.code, cheap.on_hand - 1), (dear.sku.code, dear.on_hand - 3)]
    counted += [(row.sku.code, row.on_hand) for row in others]
    stock.record_count(
        location=store,
        code=f"C-{timezone.localdate():%Y%m%d}-1",
        scope={"skus": [code for code, _units in counted]},
        quantities=counted,
        final=True,
        source=CountSession.Source.MANUAL,
    )
    stdout.write(f"  count: {COUNT_STORE} counted {len(counted)} items, one difference waits for approval")
