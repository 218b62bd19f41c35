"""One product's figures for head office (issue 27): its stock day by day at each location, its sales by channel
(online orders by their channel, the stores' tills together) and its return reasons by size, over a period. A
constant number of queries whatever the period and the number of locations."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from inventory.models import PosReceiptLine, Product, StockLevel, StockMovement
from orders.models import Order, OrderLine
from support_playbook import kpis


def find_products(query: str, *, limit: int = 20) -> list[Product]:
    """Products whose style, name or one of whose SKU codes contains `query`."""
    query = query.strip()
    if not query:
        return []
    return list(
        Product.objects.filter(Q(style__icontains=query) | Q(name__icontains=query) | Q(skus__code__iexact=query))
        .distinct()
        .order_by("style")[:limit]
    )


def stock_history(product: Product, period: kpis.Period) -> dict:
    """On hand of the product's SKUs at the end of each day of `period`, per location and for the network, walked
    back from today's stock through the ledger's movements (two queries). Days after today repeat today's."""
    now_by_location = dict(
        StockLevel.objects.filter(sku__product=product)
        .values("location__code")
        .annotate(n=Sum("on_hand"))
        .values_list("location__code", "n")
    )
    start, _end = period.bounds()
    moved = (
        StockMovement.objects.filter(sku__product=product, at__gte=start)
        .annotate(day=TruncDate("at", tzinfo=kpis.brand_tz()))
        .values("location__code", "day")
        .annotate(delta=Sum("delta_on_hand"))
    )
    deltas: dict[str, dict[date, int]] = defaultdict(dict)
    for row in moved:
        deltas[row["location__code"]][row["day"]] = row["delta"]
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days)]
    locations = []
    for code in sorted(set(now_by_location) | set(deltas)):
        level, after = now_by_location.get(code, 0), deltas.get(code, {})
        # End of day d = today's level less what moved after d (days in the period, and after it up to today).
        later = sum(delta for day, delta in after.items() if day >= period.end)
        series = []
        for day in reversed(days):
            series.append(level - later)
            later += after.get(day, 0)
        series.reverse()
        locations.append({"code": code, "now": level, "series": series, "line": sparkline(series)})
    network = [sum(location["series"][i] for location in locations) for i in range(len(days))]
    return {
        "days": days,
        "locations": locations,
        "chart": list(zip(kpis.bars(network), days, strict=True)),
        "zero_days": {location["code"]: sum(1 for v in location["series"] if v <= 0) for location in locations},
    }


def sparkline(values: list[int], *, width: int = 120, height: int = 24) -> str:
    """The points of an SVG polyline drawing `values` in a `width` × `height` box."""
    if not values:
        return ""
    top, bottom = max(values), min(values)
    span = (top - bottom) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - (v - bottom) / span * height:.1f}" for i, v in enumerate(values))


def sales_by_channel(product: Product, period: kpis.Period) -> list[dict]:
    """Units of the product sold in `period`: online per sales channel (orders placed in it, less units cancelled),
    and at the stores' tills (less till returns). Two queries."""
    start, end = period.bounds()
    online = (
        OrderLine.objects.filter(sku__product=product, order__created_at__gte=start, order__created_at__lt=end)
        .exclude(order__status=Order.Status.CANCELLED)
        .values("order__channel__name")
        .annotate(units=Coalesce(Sum("quantity"), 0) - Coalesce(Sum("quantity_cancelled"), 0))
        .order_by("order__channel__name")
    )
    rows = [{"channel": row["order__channel__name"], "units": row["units"]} for row in online]
    till = PosReceiptLine.objects.filter(sku__product=product, sold_at__gte=start, sold_at__lt=end).aggregate(
        units=Coalesce(Sum("quantity"), 0)
    )["units"]
    rows.append({"channel": _("Rung up at the stores' tills"), "units": till})
    top = max((row["units"] for row in rows), default=0) or 1
    for row in rows:  # a horizontal bar 300 wide for the most sold
        row["bar_width"] = round(max(row["units"], 0) / top * 300, 1)
    return rows
