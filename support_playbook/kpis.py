"""Order KPIs over a period, with the previous period beside them (issue 27): each figure says how it is computed
(numerator, denominator, period) and which direction is good. Computed from the rows the product already writes,
set-based: a fixed handful of aggregate queries per period whatever its length and the number of stores.

A period is [start, end) in the brand's time zone, whole local days (a day across a DST change is 23 or 25 hours,
as it really is). Orders count in the period they were placed in; `location` keeps the orders with a parcel sourced
there (its figures are its parcels'); `channel` the channel's orders. An empty period shows "–", never a division
by zero."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification
from orders import selectors as order_selectors
from orders.events import OrderEventType as E
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Reservation,
    Return,
    ReturnLine,
)

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


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # the day after the last

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's first and last instant, in UTC: midnight of each day on the brand's clock."""
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return tuple(datetime.combine(day, time(), tzinfo=tz).astimezone(UTC) for day in (self.start, self.end))

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


def order_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """Orders, units, net sales, average order value, cancellation, rejection and on-time rates of `period`."""
    orders = _orders(period, location=location, channel=channel)
    totals = orders.aggregate(
        orders=Count("pk"),
        cancelled=Count("pk", filter=Q(status=Order.Status.CANCELLED)),
        authorized=Coalesce(Sum("payment__authorized_amount"), ZERO),
        captured=Coalesce(Sum("payment__captured_amount"), ZERO),
        refunded=Coalesce(Sum("payment__refunded_amount"), ZERO),
    )
    units = OrderLine.objects.filter(order__in=orders).aggregate(units=Coalesce(Sum("quantity"), 0))["units"]
    parcels = Fulfillment.objects.filter(order__in=orders)
    if location is not None:
        parcels = parcels.filter(source_location=location)
    short = FulfillmentLine.objects.filter(fulfillment=OuterRef("pk"), quantity_short__gt=0)
    parcel_totals = parcels.aggregate(
        parcels=Count("pk"),
        rejected=Count("pk", filter=Exists(short)),
        promised=Count("pk", filter=Q(promised_by__isnull=False, shipped_at__isnull=False, flow="ship")),
        on_time=Count("pk", filter=Q(flow="ship", shipped_at__lte=F("promised_by"))),
        ship=Count("pk", filter=Q(flow="ship")),
        ship_from_store=Count("pk", filter=Q(flow="ship", source_location__kind="store")),
        collected=Count("pk", filter=Q(status=Fulfillment.Status.COLLECTED)),
        not_collected=Count("pk", filter=Q(status=Fulfillment.Status.NOT_COLLECTED)),
    )
    split = (
        Fulfillment.objects.filter(order__in=orders)
        .exclude(status=Fulfillment.Status.CANCELLED)  # a parcel replaced by another is not a second parcel
        .values("order")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    returned = (
        ReturnLine.objects.filter(order_line__order__in=orders)
        .exclude(return_request__status=Return.Status.CANCELLED)
        .aggregate(units=Coalesce(Sum("quantity"), 0))["units"]
    )
    lines = FulfillmentLine.objects.filter(fulfillment__in=parcels).aggregate(
        requested=Coalesce(Sum("quantity"), 0), short=Coalesce(Sum("quantity_short"), 0)
    )
    n = totals["orders"]
    net = totals["captured"] - totals["refunded"]
    return [
        Figure("orders", _("Orders"), n, n, None, _("orders placed in the period"), True),
        Figure("units", _("Units"), units, units, None, _("units ordered in the period"), True),
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
            (totals["authorized"] / n).quantize(Decimal("0.01")) if n else None,
            totals["authorized"],
            n,
            _("value authorized at placement ÷ orders placed"),
            True,
            kind="money",
        ),
        Figure(
            "cancellation_rate",
            _("Cancellation rate"),
            _rate(totals["cancelled"], n),
            totals["cancelled"],
            n,
            _("orders cancelled ÷ orders placed"),
            False,
            kind="rate",
        ),
        Figure(
            "rejection_rate",
            _("Rejection rate"),
            _rate(parcel_totals["rejected"], parcel_totals["parcels"]),
            parcel_totals["rejected"],
            parcel_totals["parcels"],
            _("parcels with an item found missing ÷ parcels of the period's orders"),
            False,
            kind="rate",
        ),
        Figure(
            "item_rejection_rate",
            _("Item rejection rate"),
            _rate(lines["short"], lines["requested"]),
            lines["short"],
            lines["requested"],
            _("units found missing ÷ units asked of the location"),
            False,
            kind="rate",
        ),
        Figure(
            "shipped_from_stores",
            _("Shipped from stores"),
            _rate(parcel_totals["ship_from_store"], parcel_totals["ship"]),
            parcel_totals["ship_from_store"],
            parcel_totals["ship"],
            _("parcels sent home from a store ÷ parcels sent home"),
            True,
            kind="rate",
        ),
        Figure(
            "split_orders",
            _("Orders in several parcels"),
            _rate(split, n),
            split,
            n,
            _("orders sent or handed over in more than one parcel ÷ orders placed"),
            False,
            kind="rate",
        ),
        Figure(
            "pickups_collected",
            _("Pickups collected"),
            _rate(parcel_totals["collected"], parcel_totals["collected"] + parcel_totals["not_collected"]),
            parcel_totals["collected"],
            parcel_totals["collected"] + parcel_totals["not_collected"],
            _("pickups collected ÷ pickups collected or not collected"),
            True,
            kind="rate",
        ),
        Figure(
            "return_rate",
            _("Return rate"),
            _rate(returned, units),
            returned,
            units,
            _("units on a return not cancelled ÷ units ordered"),
            False,
            kind="rate",
        ),
        Figure(
            "shipped_on_time",
            _("Shipped on time"),
            _rate(parcel_totals["on_time"], parcel_totals["promised"]),
            parcel_totals["on_time"],
            parcel_totals["promised"],
            _("parcels shipped by their promise ÷ parcels shipped that had one"),
            True,
            kind="rate",
        ),
    ]


@dataclass(frozen=True)
class Day:
    day: date
    orders: int
    net_sales: Decimal


def daily(period: Period, *, location=None, channel=None) -> list[Day]:
    """Each day of `period` (the brand's clock): orders placed and their net sales (captured less refunded), a day
    without orders included as zero. One query."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (
        _orders(period, location=location, channel=channel)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            n=Count("pk"),
            net=Coalesce(Sum("payment__captured_amount"), ZERO) - Coalesce(Sum("payment__refunded_amount"), ZERO),
        )
    )
    found = {row["day"]: row for row in rows}
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days)]
    return [
        Day(day, found[day]["n"] if day in found else 0, found[day]["net"] if day in found else ZERO) for day in days
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


def reservation_figures(period: Period, *, location=None) -> list[Figure]:
    """Click & reserve's conversion and no-show rates of the reservations made in `period`, by the definition the
    reservations pages use (`orders.selectors.reservation_kpis`): one query."""
    start, end = period.bounds()
    row = order_selectors.reservation_kpis(location=location, since=start, until=end)
    bought, expired, closed = row["purchased"], row["expired"], row["closed"]
    return [
        Figure(
            "reservation_conversion",
            _("Click & reserve conversion"),
            _rate(bought, closed),
            bought,
            closed,
            _("reservations bought ÷ reservations closed (bought, not bought, no-show, cancelled)"),
            True,
            kind="rate",
        ),
        Figure(
            "no_show_rate",
            _("No-show rate"),
            _rate(expired, closed),
            expired,
            closed,
            _("reservations nobody came for ÷ reservations closed"),
            False,
            kind="rate",
        ),
    ]


ATTEMPTED = (Notification.Status.SENT, Notification.Status.DELIVERED, Notification.Status.FAILED)


def _messages(period: Period, *, location=None, channel=None):
    """Customer messages queued in the period; a store's: those about its orders of the period."""
    start, end = period.bounds()
    if location is None and channel is None:
        return Notification.objects.filter(created_at__gte=start, created_at__lt=end)
    return Notification.objects.filter(order__in=_orders(period, location=location, channel=channel))


def message_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """The share of emails and of SMS that failed among those the provider was asked to send: one query."""
    row = _messages(period, location=location, channel=channel).aggregate(
        **{
            f"{medium}_{what}": Count("pk", filter=Q(channel=medium, status__in=statuses))
            for medium in Notification.Channel.values
            for what, statuses in (("attempted", ATTEMPTED), ("failed", [Notification.Status.FAILED]))
        }
    )
    words = {
        "email": (_("Emails not delivered"), _("emails that failed for good ÷ emails sent")),
        "sms": (_("SMS not delivered"), _("SMS that failed for good ÷ SMS sent")),
    }
    return [
        Figure(
            f"{medium}_failed_rate",
            words[medium][0],
            _rate(row[f"{medium}_failed"], row[f"{medium}_attempted"]),
            row[f"{medium}_failed"],
            row[f"{medium}_attempted"],
            words[medium][1],
            False,
            kind="rate",
        )
        for medium in ("email", "sms")
    ]


def _quantiles(durations) -> tuple[timedelta | None, timedelta | None, int]:
    """(median, 90th percentile, how many) of a queryset's one duration column: exact, over the raw rows
    (PostgreSQL's percentile_cont in one query; the SQLite demo reads the values and interpolates the same way)."""
    if connection.vendor == "postgresql":
        sql, params = durations.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), percentile_cont(0.9) WITHIN GROUP (ORDER BY d),"
                f" count(d) FROM ({sql}) AS t(d)",
                params,
            )
            median, p90, n = cursor.fetchone()
        return median, p90, n
    values = sorted(value for value in durations if value is not None)
    if not values:
        return None, None, 0

    def at(q):  # linear interpolation between closest ranks, as percentile_cont does
        position = q * (len(values) - 1)
        low, high = int(position), min(int(position) + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (position - low)

    return at(0.5), at(0.9), len(values)


def time_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    """How long parcels took: placed → shipped (home and locker), placed → ready to collect (pickups), as median and
    90th percentile (never a mean: a few stuck parcels would hide the usual). Two queries."""
    parcels = Fulfillment.objects.filter(order__in=_orders(period, location=location, channel=channel))
    if location is not None:
        parcels = parcels.filter(source_location=location)
    ready_at = OrderEvent.objects.filter(fulfillment=OuterRef("pk"), type=E.READY_FOR_PICKUP).order_by("at")
    shipped = parcels.filter(flow="ship", shipped_at__isnull=False).annotate(
        d=ExpressionWrapper(F("shipped_at") - F("created_at"), output_field=DurationField())
    )
    ready = (
        parcels.exclude(flow="ship")
        .annotate(ready_at=Subquery(ready_at.values("at")[:1]))
        .filter(ready_at__isnull=False)
        .annotate(d=ExpressionWrapper(F("ready_at") - F("created_at"), output_field=DurationField()))
    )
    figures = []
    for key, rows, words in (
        ("time_to_ship", shipped, (_("Time to ship"), _("from placed to shipped, over the parcels shipped"))),
        ("time_to_ready", ready, (_("Time to ready"), _("from placed to ready to collect, over the pickups ready"))),
    ):
        median, p90, n = _quantiles(rows.values_list("d", flat=True))
        for suffix, value, label in ((("median", median, _("median"))), ("p90", p90, _("90th percentile"))):
            figures.append(
                Figure(
                    f"{key}_{suffix}",
                    format_lazy("{} ({})", words[0], label),
                    value,
                    n,
                    None,
                    format_lazy("{}: {}", label, words[1]),
                    False,
                    kind="duration",
                )
            )
    return figures


def all_figures(period: Period, *, location=None, channel=None) -> list[Figure]:
    figures = order_figures(period, location=location, channel=channel) + time_figures(
        period, location=location, channel=channel
    )
    if channel is None:
        figures += reservation_figures(period, location=location)
    return figures + message_figures(period, location=location, channel=channel)


def with_previous(period: Period, *, location=None, channel=None) -> list[tuple[Figure, Figure]]:
    """Each figure of `period` beside the same figure of the period just before it, as long."""
    now = all_figures(period, location=location, channel=channel)
    before = all_figures(period.previous(), location=location, channel=channel)
    return list(zip(now, before, strict=True))


def last_days(days: int, *, today: date) -> Period:
    """The `days` whole days up to and including `today`."""
    return Period(start=today - timedelta(days=days - 1), end=today + timedelta(days=1))


def network_currency() -> str:
    """The currency the money figures are in: the active channels' one (the figures add them up)."""
    from stores.models import SalesChannel

    currencies = set(SalesChannel.objects.filter(active=True).values_list("currency", flat=True))
    return currencies.pop() if len(currencies) == 1 else ""


# An order's first parcel that was not cancelled: a second one makes the order split.
_first_live_parcel = (
    Fulfillment.objects.filter(order=OuterRef("order"))
    .exclude(status=Fulfillment.Status.CANCELLED)
    .order_by("pk")
    .values("pk")[:1]
)

# What each figure's list shows: the rows its numerator counts (orders, or parcels).
LIST_OF = {
    "orders": "orders",
    "units": "orders",
    "net_sales": "orders",
    "average_order_value": "orders",
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
    "email_failed_rate": "failed_emails",
    "sms_failed_rate": "failed_sms",
    "time_to_ship_median": "shipped_home",
    "time_to_ship_p90": "shipped_home",
    "time_to_ready_median": "pickups_ready",
    "time_to_ready_p90": "pickups_ready",
}


# The filters of each list, over the period's orders or their parcels: what the figure counts.
ORDER_LISTS = {
    "orders": Q(),
    "cancelled": Q(status=Order.Status.CANCELLED),
    "split": Q(
        Exists(
            Fulfillment.objects.filter(order=OuterRef("pk"))
            .exclude(status=Fulfillment.Status.CANCELLED)
            .exclude(pk=Subquery(_first_live_parcel))
        )
    ),
    "returned": Q(
        Exists(
            ReturnLine.objects.filter(order_line__order=OuterRef("pk")).exclude(
                return_request__status=Return.Status.CANCELLED
            )
        )
    ),
}
PARCEL_LISTS = {
    "rejected": Q(Exists(FulfillmentLine.objects.filter(fulfillment=OuterRef("pk"), quantity_short__gt=0))),
    "sent_home": Q(flow="ship"),
    "shipped_home": Q(flow="ship", shipped_at__isnull=False),
    "shipped": Q(flow="ship", promised_by__isnull=False, shipped_at__isnull=False),
    "pickups_ready": ~Q(flow="ship")
    & Q(Exists(OrderEvent.objects.filter(fulfillment=OuterRef("pk"), type=E.READY_FOR_PICKUP))),
    "pickups_done": Q(status__in=[Fulfillment.Status.COLLECTED, Fulfillment.Status.NOT_COLLECTED]),
}


def figure_list(key: str, period: Period, *, location=None, channel=None, limit: int = 500) -> tuple[str, list]:
    """(what the rows are, the rows) behind figure `key` in `period`: the same filters the figure counts with."""
    what = LIST_OF[key]
    if what in ("reservations", "no_shows"):
        start, end = period.bounds()
        status = Reservation.Status.EXPIRED if what == "no_shows" else ""
        rows = order_selectors.reservations_made(since=start, until=end, location=location, status=status)
        return "reservations", list(rows.order_by("created_at", "pk")[:limit])
    if what in ("failed_emails", "failed_sms"):
        medium = Notification.Channel.EMAIL if what == "failed_emails" else Notification.Channel.SMS
        rows = _messages(period, location=location, channel=channel).filter(
            channel=medium, status=Notification.Status.FAILED
        )
        return "messages", list(rows.select_related("order", "reservation").order_by("created_at", "pk")[:limit])
    orders = _orders(period, location=location, channel=channel)
    if what in ORDER_LISTS:
        rows = orders.filter(ORDER_LISTS[what]).select_related("channel", "payment").order_by("created_at", "pk")
        return "orders", list(rows[:limit])
    parcels = Fulfillment.objects.filter(order__in=orders).select_related("order", "source_location")
    if location is not None:
        parcels = parcels.filter(source_location=location)
    return "parcels", list(parcels.filter(PARCEL_LISTS[what]).order_by("created_at", "pk")[:limit])
