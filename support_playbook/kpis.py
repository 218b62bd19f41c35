"""Order KPIs over a period, with the previous period beside them (issue 27): each figure says how it is computed
(numerator, denominator, period) and which direction is good. Read from the daily rollup
(`services.kpi_rollup`, refreshed by a scheduled job, "as of" shown): two queries per period whatever its length and
the number of stores. The list behind each figure reads the raw rows with the same conditions.

A period is [start, end) in the brand's time zone, whole local days (a day across a DST change is 23 or 25 hours,
as it really is). Orders count in the period they were placed in; `location` keeps the orders with a parcel sourced
there (its figures are its parcels'); `channel` the channel's orders. An empty period shows "–", never a division
by zero."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inventory.models import ChannelListing, CountSession, PosReceiptLine, StockLevel
from notifications.models import Notification
from orders import selectors as order_selectors
from orders.events import OrderEventType as E
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentMethod,
    Order,
    OrderEvent,
    Reservation,
    Return,
    ReturnLine,
)
from stores.models import SalesChannel
from support_playbook.models import Case, KpiDay, KpiDuration, KpiRefresh, KpiSkuDay, KpiTarget
from support_playbook.scenarios import SCENARIOS
from support_playbook.services import kpi_rollup

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise
    value: Decimal | int | None  # None: nothing to count ("–")
    numerator: Decimal | int
    denominator: Decimal | int | None  # None: a count or a sum, not a ratio
    formula: Promise  # numerator ÷ denominator, in words
    higher_is_better: bool
    kind: str = "count"  # count | money | rate


brand_tz = kpi_rollup.brand_tz


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # the day after the last

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's first and last instant, in UTC: midnight of each day on the brand's clock."""
        return kpi_rollup.midnight(self.start).astimezone(UTC), kpi_rollup.midnight(self.end).astimezone(UTC)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> "Period":
        length = self.end - self.start
        return Period(start=self.start - length, end=self.start)


def _rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def _orders(period: Period, *, location=None, channel=None):
    start, end = period.bounds()
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end)
    if channel is not None:
        orders = orders.filter(channel=channel)
    if location is not None:
        orders = orders.filter(Exists(Fulfillment.objects.filter(order=OuterRef("pk"), source_location=location)))
    return orders


def _measure_sums(period: Period, *, location=None, channel=None, grouped_by: tuple[str, ...] = ()):
    """The rollup's columns summed over `period`: for the network (its own rows: each order once) or a location,
    a channel's only when given; one row, or one per `grouped_by`. One query."""
    rows = KpiDay.objects.filter(day__gte=period.start, day__lt=period.end)
    if any(key.startswith("location") for key in grouped_by):
        rows = rows.filter(location__isnull=False)
    else:
        rows = rows.filter(location=location) if location is not None else rows.filter(location__isnull=True)
    if channel is not None:
        rows = rows.filter(channel=channel)
    sums = {name: Coalesce(Sum(name), ZERO if name in MONEY_MEASURES else 0) for name in MEASURES}
    if grouped_by:
        return rows.values(*grouped_by).annotate(**sums).order_by(*grouped_by)
    return rows.aggregate(**sums)


MEASURES = [
    field.name
    for field in KpiDay._meta.concrete_fields
    if field.name not in ("id", "day", "location", "channel", "method")
]
MONEY_MEASURES = {"authorized", "captured", "refunded", "till_sales", "reservations_bought_value"}


@dataclass(frozen=True)
class Rate:
    """A figure that is one rollup column over another (or over the sum of several)."""

    key: str
    label: Promise
    numerator: str
    denominator: str | tuple[str, ...]
    formula: Promise
    higher_is_better: bool

    def figure(self, m: dict) -> Figure:
        columns = (self.denominator,) if isinstance(self.denominator, str) else self.denominator
        below = sum(m[column] for column in columns)
        above = m[self.numerator]
        return Figure(
            self.key, self.label, _rate(above, below), above, below, self.formula, self.higher_is_better, "rate"
        )


ORDER_RATES = (
    Rate(
        "cancellation_rate",
        _("Cancellation rate"),
        "cancelled",
        "orders",
        _("orders cancelled ÷ orders placed"),
        False,
    ),
    Rate(
        "in_full",
        _("In full"),
        "in_full",
        "finished",
        _(
            "orders whose every unit left or was made ready, from the first plan or an automatic recovery ÷ orders "
            "finished (not cancelled; every parcel sent or ready, or a unit given up short)"
        ),
        True,
    ),
    Rate(
        "on_time_in_full",
        _("On time in full (OTIF)"),
        "on_time_in_full",
        "finished_promised",
        _("orders in full whose every parcel left or was ready by its promise ÷ finished orders with a promise"),
        True,
    ),
    Rate(
        "rejection_rate",
        _("Rejection rate"),
        "rejected",
        "parcels",
        _("parcels with an item found missing ÷ parcels of the period's orders"),
        False,
    ),
    Rate(
        "item_rejection_rate",
        _("Item rejection rate"),
        "units_short",
        "units_requested",
        _("units found missing ÷ units asked of the location"),
        False,
    ),
    Rate(
        "shipped_from_stores",
        _("Shipped from stores"),
        "ship_from_store",
        "ship",
        _("parcels sent home from a store ÷ parcels sent home"),
        True,
    ),
    Rate(
        "split_orders",
        _("Orders in several parcels"),
        "split",
        "orders",
        _("orders sent or handed over in more than one parcel ÷ orders placed"),
        False,
    ),
    Rate(
        "pickups_collected",
        _("Pickups collected"),
        "collected",
        ("collected", "not_collected"),
        _("pickups collected ÷ pickups collected or not collected"),
        True,
    ),
    Rate(
        "return_rate",
        _("Return rate"),
        "returned_units",
        "units",
        _("units on a return not cancelled ÷ units ordered"),
        False,
    ),
    Rate(
        "shipped_on_time",
        _("Shipped on time"),
        "shipped_on_time",
        "shipped_promised",
        _("parcels shipped by their promise ÷ parcels shipped that had one"),
        True,
    ),
    Rate(
        "ready_on_time",
        _("Ready on time"),
        "ready_on_time",
        "ready_promised",
        _("pickups ready to collect by their promise ÷ pickups ready that had one"),
        True,
    ),
)
TILL_SHARE = Rate(
    "till_share",
    _("Sold at the till"),
    "till_sales",
    "all_sales",
    _("till sales ÷ (till sales + online net sales of the orders placed in the period)"),
    True,
)
RESERVATION_RATES = (
    Rate(
        "reservation_conversion",
        _("Click & reserve conversion"),
        "reservations_bought",
        "reservations_closed",
        _("reservations bought ÷ reservations closed (bought, not bought, no-show, cancelled)"),
        True,
    ),
    Rate(
        "no_show_rate",
        _("No-show rate"),
        "reservations_expired",
        "reservations_closed",
        _("reservations nobody came for ÷ reservations closed"),
        False,
    ),
)
MESSAGE_RATES = (
    Rate(
        "email_failed_rate",
        _("Emails not delivered"),
        "email_failed",
        "email_sent",
        _("emails that failed for good ÷ emails sent"),
        False,
    ),
    Rate(
        "sms_failed_rate",
        _("SMS not delivered"),
        "sms_failed",
        "sms_sent",
        _("SMS that failed for good ÷ SMS sent"),
        False,
    ),
    Rate(
        "email_delivered_rate",
        _("Emails delivered"),
        "email_delivered",
        "email_sent",
        _("emails the provider reported delivered ÷ emails sent"),
        True,
    ),
    Rate(
        "sms_delivered_rate",
        _("SMS delivered"),
        "sms_delivered",
        "sms_sent",
        _("SMS the provider reported delivered ÷ SMS sent"),
        True,
    ),
)


def order_figures_of(m: dict) -> list[Figure]:
    """The order and parcel figures of one row of summed rollup columns."""
    n = m["orders"]
    net = m["captured"] - m["refunded"]
    m = {**m, "all_sales": net + m["till_sales"]}
    return [
        Figure("orders", _("Orders"), n, n, None, _("orders placed in the period"), True),
        Figure("units", _("Units"), m["units"], m["units"], None, _("units ordered in the period"), True),
        Figure(
            "net_sales",
            _("Net sales"),
            net,
            net,
            None,
            _("money captured less money refunded, on the orders placed in the period"),
            True,
            kind="money",
        ),
        Figure(
            "average_order_value",
            _("Average order value"),
            (m["authorized"] / n).quantize(Decimal("0.01")) if n else None,
            m["authorized"],
            n,
            _("value authorized at placement ÷ orders placed"),
            True,
            kind="money",
        ),
        Figure(
            "refunded",
            _("Refunded"),
            m["refunded"],
            m["refunded"],
            None,
            _("money given back on the orders placed in the period"),
            False,
            kind="money",
        ),
        *(rate.figure(m) for rate in ORDER_RATES),
        Figure(
            "till_sales",
            _("Till sales"),
            m["till_sales"],
            m["till_sales"],
            None,
            _("money rung up at the stores' tills in the period, less returns at the till"),
            True,
            kind="money",
        ),
        TILL_SHARE.figure(m),
    ]


def order_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """Orders, units, net sales, average order value, cancellation, in-full, rejection and on-time rates of
    `period`, from the rollup: one query."""
    return order_figures_of(_measure_sums(period, location=location, channel=channel))


@dataclass(frozen=True)
class Day:
    day: date
    orders: int
    net_sales: Decimal


def daily(period: Period, *, location=None, channel=None) -> list[Day]:
    """Each day of `period` (the brand's clock): orders placed and their net sales (captured less refunded), a day
    without orders included as zero. One query."""
    found = {row["day"]: row for row in _measure_sums(period, location=location, channel=channel, grouped_by=("day",))}
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days)]
    return [
        Day(day, found[day]["orders"], found[day]["captured"] - found[day]["refunded"])
        if day in found
        else Day(day, 0, ZERO)
        for day in days
    ]


def bars(values: list, *, width: int = 600, height: int = 120) -> list[dict]:
    """Geometry of a bar chart drawn on the server (an SVG, no script): x, y, width and height of each value's
    bar in a `width` × `height` box, the tallest bar the full height."""
    top = max((float(v) for v in values), default=0.0) or 1.0
    step = width / max(len(values), 1)
    return [
        {
            "x": round(i * step + step * 0.1, 1),
            "width": round(step * 0.8, 1),
            "height": round(float(v) / top * height, 1),
            "y": round(height - float(v) / top * height, 1),
            "value": v,
        }
        for i, v in enumerate(values)
    ]


def daily_charts(days: list[Day]) -> list[dict]:
    """The two daily charts a KPI page draws: orders and net sales per day, each bar with its day."""
    return [
        {
            "key": "orders",
            "title": _("Orders per day"),
            "kind": "count",
            "points": list(zip(bars([d.orders for d in days]), days, strict=True)),
        },
        {
            "key": "net_sales",
            "title": _("Net sales per day"),
            "kind": "money",
            "points": list(zip(bars([d.net_sales for d in days]), days, strict=True)),
        },
    ]


def _messages(period: Period, *, location=None):
    """Customer messages queued in the period; a location's: those about its orders (the rollup's rows)."""
    start, end = period.bounds()
    messages = Notification.objects.filter(created_at__gte=start, created_at__lt=end)
    if location is not None:
        messages = messages.filter(
            Exists(Fulfillment.objects.filter(order=OuterRef("order"), source_location=location))
        )
    return messages


def quantile(histogram: dict[int, int], q: float) -> timedelta | None:
    """The q-quantile of a duration histogram ({bucket: parcels}), interpolated between the two closest ranks as
    PostgreSQL's percentile_cont does, each rank read as its bucket's middle (within 5 % of the exact value)."""
    n = sum(histogram.values())
    if not n:
        return None
    position = q * (n - 1)
    low, high = int(position), min(int(position) + 1, n - 1)
    ranked, seen, values = sorted(histogram.items()), 0, {}
    for bucket, count in ranked:
        for rank in (low, high):
            if seen <= rank < seen + count:
                values[rank] = kpi_rollup.bucket_middle(bucket)
        seen += count
    return values[low] + (values[high] - values[low]) * (position - low)


def _histograms(period: Period, *, location=None, channel=None) -> dict[str, dict[int, int]]:
    rows = KpiDuration.objects.filter(day__gte=period.start, day__lt=period.end)
    if location is not None:
        rows = rows.filter(location=location)
    if channel is not None:
        rows = rows.filter(channel=channel)
    histograms: dict[str, dict[int, int]] = {"ship": {}, "ready": {}, "collect": {}}
    for row in rows.values("measure", "bucket").annotate(n=Sum("parcels")):
        histograms[row["measure"]][row["bucket"]] = row["n"]
    return histograms


def time_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """How long parcels took: placed → shipped (home and locker), placed → ready to collect (pickups), as median and
    90th percentile (never a mean: a few stuck parcels would hide the usual), from the rollup's histograms (within
    5 %). One query."""
    histograms = _histograms(period, location=location, channel=channel)
    figures = []
    for key, measure, words in (
        ("time_to_ship", "ship", (_("Time to ship"), _("from placed to shipped, over the parcels shipped"))),
        ("time_to_ready", "ready", (_("Time to ready"), _("from placed to ready to collect, over the pickups ready"))),
        (
            "time_to_collect",
            "collect",
            (_("Time to collect"), _("from ready to collected, over the pickups collected")),
        ),
    ):
        histogram = histograms[measure]
        n = sum(histogram.values())
        for suffix, q, label in (("median", 0.5, _("median")), ("p90", 0.9, _("90th percentile"))):
            figures.append(
                Figure(
                    f"{key}_{suffix}",
                    format_lazy("{} ({})", words[0], label),
                    quantile(histogram, q),
                    n,
                    None,
                    format_lazy("{}: {}", label, words[1]),
                    False,
                    kind="duration",
                )
            )
    return figures


def all_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """Every figure of `period`: two queries (the summed rollup, the duration histograms)."""
    m = _measure_sums(period, location=location, channel=channel)
    figures = order_figures_of(m) + time_figures(period, location=location, channel=channel)
    if channel is None:  # reservations and messages are the store's or the network's, not a channel's
        figures += [rate.figure(m) for rate in RESERVATION_RATES]
        figures.append(
            Figure(
                "reservations_bought_value",
                _("Reserved items bought"),
                m["reservations_bought_value"],
                m["reservations_bought_value"],
                None,
                _("units bought from the reservations made in the period, at their listing price when reserved"),
                True,
                kind="money",
            )
        )
        figures += [rate.figure(m) for rate in MESSAGE_RATES]
    return figures


TARGETABLE = (*ORDER_RATES, TILL_SHARE, *RESERVATION_RATES, *MESSAGE_RATES)


@dataclass(frozen=True)
class KpiRow:
    """A figure of the period, the same figure of the period before, and head office's target for it (None: no
    target) with whether the figure meets it (None: nothing to compare)."""

    now: Figure
    before: Figure
    target: Decimal | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.now.value is None:
            return None
        return self.now.value >= self.target if self.now.higher_is_better else self.now.value <= self.target


def targets_for(location=None) -> dict[str, Decimal]:
    """Each figure's target for `location` (its own, else the one for every location); the network's. One query."""
    rows = KpiTarget.objects.filter(Q(location__isnull=True) | Q(location=location) if location else Q(location=None))
    found: dict[str, Decimal] = {}
    for key, target, own in rows.values_list("key", "target", "location_id").order_by("location_id"):
        if own is not None or key not in found:
            found[key] = target
    return found


def store_targets() -> dict[tuple[str, str | None], Decimal]:
    """Every target, by (figure, location code or None for every location): one query, for the table of stores."""
    return {
        (key, code): target for key, code, target in KpiTarget.objects.values_list("key", "location__code", "target")
    }


def with_previous(period: Period, *, location=None, channel=None) -> list[KpiRow]:
    """Each figure of `period` beside the same figure of the period just before it, as long, and its target."""
    now = all_figures(period, location=location, channel=channel)
    before = all_figures(period.previous(), location=location, channel=channel)
    targets = targets_for(location)
    return [KpiRow(n, b, targets.get(n.key)) for n, b in zip(now, before, strict=True)]


# The columns of head office's table of stores: one figure each, each opening the store's list behind it.
STORE_COLUMNS = ("orders", "in_full", "on_time_in_full", "rejection_rate", "pickups_collected", "no_show_rate")


def store_table(period: Period) -> list[dict]:
    """Each location with orders or reservations in `period`: its code, name and the STORE_COLUMNS figures, each
    with its target (the location's own, else the one for every location). Two queries whatever the number of
    stores."""
    rates = {rate.key: rate for rate in ORDER_RATES + RESERVATION_RATES}
    targets = store_targets()
    table = []
    for row in _measure_sums(period, grouped_by=("location__code", "location__name")):
        code = row["location__code"]
        orders = Figure("orders", _("Orders"), row["orders"], row["orders"], None, _("orders placed"), True)
        cells = []
        for key in STORE_COLUMNS:
            figure = orders if key == "orders" else rates[key].figure(row)
            target = targets.get((key, code), targets.get((key, None)))
            cells.append(KpiRow(figure, figure, target))
        table.append({"code": code, "name": row["location__name"], "cells": cells})
    return table


def channel_method_table(period: Period, *, location=None) -> list[dict]:
    """Orders, net sales and average order value of `period` by sales channel and fulfillment method (a location's:
    its orders). One query."""
    rows = _measure_sums(period, location=location, grouped_by=("channel__name", "method")).exclude(method="")
    labels = dict(FulfillmentMethod.choices)
    table = []
    for row in rows:
        n = row["orders"]
        if not n:
            continue
        table.append(
            {
                "channel": row["channel__name"],
                "method": labels.get(row["method"], row["method"]),
                "orders": n,
                "net_sales": row["captured"] - row["refunded"],
                "average_order_value": (row["authorized"] / n).quantize(Decimal("0.01")),
            }
        )
    return table


APPAREL_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL")


def _size_order(size: str) -> tuple:
    if size in APPAREL_SIZES:
        return (0, APPAREL_SIZES.index(size), "")
    if size.replace(",", ".").replace(".", "", 1).isdigit():
        return (1, float(size.replace(",", ".")), "")
    return (2, 0, size)


def returns_summary(period: Period, *, location=None, product=None) -> dict:
    """The returns requested in `period` (a location's: those it receives; a product's: its units), not cancelled:
    units, the share brought to a store, money refunded, units by reason and size, and the products most returned.
    Three queries."""
    start, end = period.bounds()
    live = [status for status in Return.Status.values if status != Return.Status.CANCELLED]
    returns = Return.objects.filter(created_at__gte=start, created_at__lt=end, status__in=live)
    if location is not None:
        returns = returns.filter(location=location)
    lines = ReturnLine.objects.filter(return_request__in=returns)
    if product is None:
        refunded = returns.aggregate(money=Coalesce(Sum("refunded_amount"), ZERO))["money"]
    else:  # one product's lines: a return's refund is not split by line, so no money figure
        lines, refunded = lines.filter(order_line__sku__product=product), None
    cells = lines.values("reason__code", "reason__name_it", "reason__name_en", "order_line__sku__size").annotate(
        units=Sum("quantity"), in_store=Coalesce(Sum("quantity", filter=Q(return_request__how=Return.How.IN_STORE)), 0)
    )
    products = list(
        lines.values("order_line__sku__product__name", "order_line__sku__product__style")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "order_line__sku__product__name")[:10]
    )
    cells = list(cells)
    sizes = sorted({cell["order_line__sku__size"] for cell in cells}, key=_size_order)
    language = get_language() or "en"
    reasons: dict[str, dict] = {}
    for cell in cells:
        label = cell["reason__name_it"] if language.startswith("it") else cell["reason__name_en"]
        row = reasons.setdefault(cell["reason__code"], {"label": label, "units": dict.fromkeys(sizes, 0), "total": 0})
        row["units"][cell["order_line__sku__size"]] += cell["units"]
        row["total"] += cell["units"]
    units = sum(cell["units"] for cell in cells)
    in_store = sum(cell["in_store"] for cell in cells)
    return {
        "units": units,
        "in_store": Figure(
            "returned_in_store",
            _("Returned in a store"),
            _rate(in_store, units),
            in_store,
            units,
            _("units brought back to a store ÷ units returned"),
            True,
            "rate",
        ),
        "refunded": refunded,
        "sizes": sizes,
        "reasons": [
            {**row, "by_size": [(size, row["units"][size]) for size in sizes]}
            for row in sorted(reasons.values(), key=lambda r: -r["total"])
        ],
        "products": [
            {
                "name": p["order_line__sku__product__name"],
                "style": p["order_line__sku__product__style"],
                "units": p["units"],
            }
            for p in products
        ],
    }


def incident_summary(period: Period, *, location=None) -> dict:
    """Short picks of `period` recovered automatically against those that went to customer care, the cases opened
    in it by scenario (how many, resolved, resolved within their window) and the SKUs most often missing. Three
    queries."""
    start, end = period.bounds()
    picks = OrderEvent.objects.filter(at__gte=start, at__lt=end, type__in=[E.ITEM_SHORT_RECOVERED, E.ITEM_MISSING])
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end)
    if location is not None:
        picks = picks.filter(fulfillment__source_location=location)
        cases = cases.filter(location=location)
    found = picks.aggregate(
        recovered=Count("pk", filter=Q(type=E.ITEM_SHORT_RECOVERED)), to_care=Count("pk", filter=Q(type=E.ITEM_MISSING))
    )
    recovered = Figure(
        "recovered_automatically",
        _("Short picks recovered automatically"),
        _rate(found["recovered"], found["recovered"] + found["to_care"]),
        found["recovered"],
        found["recovered"] + found["to_care"],
        _("short picks sent from another location by the system ÷ short picks (the others open a case)"),
        True,
        "rate",
    )
    rows = cases.values("scenario").annotate(
        opened=Count("pk"),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        within=Count("pk", filter=Q(resolved_at__lte=F("due_by"))),
    )
    by_scenario = [
        {
            "title": SCENARIOS[row["scenario"]].title if row["scenario"] in SCENARIOS else row["scenario"],
            **row,
            "within_rate": _rate(row["within"], row["opened"]),
        }
        for row in rows.order_by("scenario")
    ]
    return {
        "recovered": recovered,
        "to_care": found["to_care"],
        "cases": by_scenario,
        "by_sku": rejections_by_sku(period, location=location),
    }


def stock_summary(period: Period, *, location=None) -> dict:
    """Stock accuracy of the counts reconciled in `period` (SKUs exactly right ÷ SKUs counted) and, now, the share
    of listed SKUs a channel cannot sell (no free unit at any of its source locations), per active channel; a
    location's: its counts, and the share of the SKUs it stocks with no free unit there. Two or three queries."""
    start, end = period.bounds()
    counts = CountSession.objects.filter(reconciled_at__gte=start, reconciled_at__lt=end)
    if location is not None:
        counts = counts.filter(location=location)
    counted = counts.aggregate(counted=Coalesce(Sum("counted_skus"), 0), exact=Coalesce(Sum("exact_skus"), 0))
    accuracy = Figure(
        "stock_accuracy",
        _("Stock accuracy"),
        _rate(counted["exact"], counted["counted"]),
        counted["exact"],
        counted["counted"],
        _("SKUs whose count matched the books ÷ SKUs counted, in the counts reconciled in the period"),
        True,
        "rate",
    )
    free = Q(on_hand__gt=F("committed") + F("safety_stock"))
    if location is not None:
        row = StockLevel.objects.filter(location=location).aggregate(stocked=Count("pk"), out=Count("pk", filter=~free))
        shelves = [{"name": location.name, "out": row["out"], "listed": row["stocked"]}]
    else:
        sellable = StockLevel.objects.filter(
            free,
            sku=OuterRef("sku"),
            location__in=SalesChannel.source_locations.through.objects.filter(
                saleschannel=OuterRef(OuterRef("channel"))
            ).values("location"),
        )
        rows = (
            ChannelListing.objects.filter(published=True, channel__active=True)
            .values("channel__name")
            .annotate(listed=Count("pk"), out=Count("pk", filter=~Q(Exists(sellable))))
            .order_by("channel__name")
        )
        shelves = [{"name": r["channel__name"], "out": r["out"], "listed": r["listed"]} for r in rows]
    for shelf in shelves:
        shelf["rate"] = _rate(shelf["out"], shelf["listed"])
    return {"accuracy": accuracy, "out_of_stock": shelves}


def rejections_by_sku(period: Period, *, location=None, limit: int = 10) -> list[dict]:
    """The SKUs most often found missing in the parcels of the orders placed in `period` (a location's: its
    parcels): units short ÷ units asked, worst first. From the rollup (`KpiSkuDay`): the network's in one query; a
    location's worst SKUs in one, then the units asked of it for those few, from its parcels of the period."""
    rows = KpiSkuDay.objects.filter(day__gte=period.start, day__lt=period.end, location=location)
    worst = list(
        rows.values("sku_id", "sku__code", "sku__product__name", "sku__size")
        .annotate(requested=Sum("units_requested"), short=Sum("units_short"))
        .filter(short__gt=0)
        .order_by("-short", "sku__code")[:limit]
    )
    if location is not None and worst:  # the location's rows hold only the days each SKU was short
        start, end = period.bounds()
        asked = dict(
            FulfillmentLine.objects.filter(
                order_line__sku_id__in=[row["sku_id"] for row in worst],
                fulfillment__source_location=location,
                fulfillment__order__created_at__gte=start,
                fulfillment__order__created_at__lt=end,
            )
            .values("order_line__sku_id")
            .annotate(n=Sum("quantity"))
            .values_list("order_line__sku_id", "n")
        )
        for row in worst:
            row["requested"] = asked.get(row["sku_id"], row["requested"])
    return [
        {
            "code": row["sku__code"],
            "name": row["sku__product__name"],
            "size": row["sku__size"],
            "short": row["short"],
            "requested": row["requested"],
            "rate": _rate(row["short"], row["requested"]),
        }
        for row in worst
    ]


def _returns_in_store(period: Period, location, limit: int) -> tuple[str, list]:
    start, end = period.bounds()
    rows = Return.objects.filter(created_at__gte=start, created_at__lt=end, how=Return.How.IN_STORE).exclude(
        status=Return.Status.CANCELLED
    )
    if location is not None:
        rows = rows.filter(location=location)
    return "returns", list(rows.select_related("location").order_by("created_at", "pk")[:limit])


def _recovered_short_picks(period: Period, location, limit: int) -> tuple[str, list]:
    start, end = period.bounds()
    recovered = OrderEvent.objects.filter(
        fulfillment=OuterRef("pk"), type=E.ITEM_SHORT_RECOVERED, at__gte=start, at__lt=end
    )
    rows = Fulfillment.objects.filter(Exists(recovered)).select_related("order", "source_location")
    if location is not None:
        rows = rows.filter(source_location=location)
    return "parcels", list(rows.order_by("created_at", "pk")[:limit])


def _counts(period: Period, location, limit: int) -> tuple[str, list]:
    start, end = period.bounds()
    rows = CountSession.objects.filter(reconciled_at__gte=start, reconciled_at__lt=end).select_related("location")
    if location is not None:
        rows = rows.filter(location=location)
    return "counts", list(rows.order_by("reconciled_at", "pk")[:limit])


# The lists behind the figures of the sections beside the table (returns, incidents, stock).
SECTION_LISTS = {
    "returns_in_store": _returns_in_store,
    "recovered_short_picks": _recovered_short_picks,
    "counts": _counts,
}
SECTION_FIGURES = {
    "returned_in_store": lambda period, location: returns_summary(period, location=location)["in_store"],
    "recovered_automatically": lambda period, location: incident_summary(period, location=location)["recovered"],
    "stock_accuracy": lambda period, location: stock_summary(period, location=location)["accuracy"],
}


def figure_of(key: str, period: Period, *, location=None) -> Figure:
    """Figure `key` of `period`: one of the table's, or of a section's."""
    if key in SECTION_FIGURES:
        return SECTION_FIGURES[key](period, location)
    return next(figure for figure in all_figures(period, location=location) if figure.key == key)


def as_of():
    """When the figures were last brought up to date (the rollup's last run), or None before the first."""
    return KpiRefresh.objects.order_by("-started_at").values_list("started_at", flat=True).first()


def last_days(days: int, *, today: date) -> Period:
    """The `days` whole days up to and including `today`."""
    return Period(start=today - timedelta(days=days - 1), end=today + timedelta(days=1))


def network_currency() -> str:
    """The currency the money figures are in: the active channels' one (the figures add them up)."""
    currencies = set(SalesChannel.objects.filter(active=True).values_list("currency", flat=True))
    return currencies.pop() if len(currencies) == 1 else ""


# What each figure's list shows: the rows its numerator counts (orders, or parcels).
LIST_OF = {
    "orders": "orders",
    "units": "orders",
    "net_sales": "orders",
    "average_order_value": "orders",
    "refunded": "refunded",
    "in_full": "in_full",
    "on_time_in_full": "on_time_in_full",
    "ready_on_time": "ready_promised",
    "till_sales": "till_lines",
    "till_share": "till_lines",
    "cancellation_rate": "cancelled",
    "rejection_rate": "rejected",
    "item_rejection_rate": "rejected",
    "shipped_on_time": "shipped",
    "shipped_from_stores": "sent_home",
    "split_orders": "split",
    "pickups_collected": "pickups_done",
    "return_rate": "returned",
    "reservation_conversion": "reservations",
    "no_show_rate": "no_shows",
    "reservations_bought_value": "bought_reservations",
    "returned_in_store": "returns_in_store",
    "recovered_automatically": "recovered_short_picks",
    "stock_accuracy": "counts",
    "email_failed_rate": "failed_emails",
    "sms_failed_rate": "failed_sms",
    "time_to_ship_median": "shipped_home",
    "time_to_ship_p90": "shipped_home",
    "time_to_ready_median": "pickups_ready",
    "time_to_ready_p90": "pickups_ready",
    "time_to_collect_median": "pickups_collected_after_ready",
    "time_to_collect_p90": "pickups_collected_after_ready",
    "email_delivered_rate": "delivered_emails",
    "sms_delivered_rate": "delivered_sms",
}


# The filters of each list, over the period's orders or their parcels: what the figure counts (the rollup's own
# conditions where it has them).
_ORDER_PREDICATES = kpi_rollup.order_predicates()
ORDER_LISTS = {
    "orders": Q(),
    "cancelled": Q(status=Order.Status.CANCELLED),
    **{name: _ORDER_PREDICATES[name] for name in ("split", "in_full", "on_time_in_full")},
    "refunded": Q(payment__refunded_amount__gt=0),
    "returned": Q(
        Exists(
            ReturnLine.objects.filter(order_line__order=OuterRef("pk")).exclude(
                return_request__status=Return.Status.CANCELLED
            )
        )
    ),
}
MESSAGE_LISTS = {
    "failed_emails": (Notification.Channel.EMAIL, Notification.Status.FAILED),
    "failed_sms": (Notification.Channel.SMS, Notification.Status.FAILED),
    "delivered_emails": (Notification.Channel.EMAIL, Notification.Status.DELIVERED),
    "delivered_sms": (Notification.Channel.SMS, Notification.Status.DELIVERED),
}
_PARCEL = kpi_rollup.PARCEL_CONDITIONS
PARCEL_LISTS = {
    "rejected": _PARCEL["rejected"],
    "sent_home": _PARCEL["ship"],
    "shipped_home": Q(flow="ship", shipped_at__isnull=False),
    "shipped": _PARCEL["shipped_promised"],
    "pickups_ready": kpi_rollup.PICKUP & Q(ready_at__isnull=False),
    "ready_promised": _PARCEL["ready_promised"],
    "pickups_collected_after_ready": kpi_rollup.PICKUP
    & Q(ready_at__isnull=False, status=Fulfillment.Status.COLLECTED, completed_at__isnull=False),
    "pickups_done": _PARCEL["collected_or_not"],
}


def figure_list(key: str, period: Period, *, location=None, channel=None, limit: int = 500) -> tuple[str, list]:
    """(what the rows are, the rows) behind figure `key` in `period`: the same filters the figure counts with."""
    what = LIST_OF[key]
    if what in ("reservations", "no_shows", "bought_reservations"):
        start, end = period.bounds()
        status = {"no_shows": Reservation.Status.EXPIRED, "bought_reservations": Reservation.Status.PURCHASED}.get(
            what, ""
        )
        rows = order_selectors.reservations_made(since=start, until=end, location=location, status=status)
        return "reservations", list(rows.order_by("created_at", "pk")[:limit])
    if what in SECTION_LISTS:
        return SECTION_LISTS[what](period, location, limit)
    if what == "till_lines":
        start, end = period.bounds()
        rows = PosReceiptLine.objects.filter(sold_at__gte=start, sold_at__lt=end).select_related("location", "sku")
        if location is not None:
            rows = rows.filter(location=location)
        return "till_lines", list(rows.order_by("sold_at", "pk")[:limit])
    if what in MESSAGE_LISTS:
        medium, status = MESSAGE_LISTS[what]
        rows = _messages(period, location=location).filter(channel=medium, status=status)
        return "messages", list(rows.select_related("order", "reservation").order_by("created_at", "pk")[:limit])
    orders = _orders(period, location=location, channel=channel)
    if what in ORDER_LISTS:
        rows = orders.filter(ORDER_LISTS[what]).select_related("channel", "payment").order_by("created_at", "pk")
        return "orders", list(rows[:limit])
    parcels = (
        Fulfillment.objects.filter(order__in=orders)
        .annotate(ready_at=kpi_rollup.READY_AT)
        .select_related("order", "source_location")
    )
    if location is not None:
        parcels = parcels.filter(source_location=location)
    return "parcels", list(parcels.filter(PARCEL_LISTS[what]).order_by("created_at", "pk")[:limit])
