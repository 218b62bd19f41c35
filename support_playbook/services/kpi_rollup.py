"""The KPI rollup (issue 27): whole days of counts in `KpiDay` and duration histograms in `KpiDuration`, rewritten
from the rows the product writes, so a KPI page sums a few rows whatever the period and the number of stores.

`refresh_kpis` rewrites the days whose orders, parcels, returns, reservations or messages changed since the last
run (found through the event tables' `at` index), plus today; the first run, or `full=True`, rewrites every day
since the first order. Idempotent and safe twice at once: a run takes a transaction-level advisory lock on
PostgreSQL (SQLite serialises writers anyway), deletes its days' rows and writes them again in one transaction."""

import math
import time
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from inventory.models import PosReceiptLine
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
    ReservationEvent,
    ReservationLine,
    Return,
    ReturnEvent,
    ReturnLine,
)
from support_playbook.models import KpiDay, KpiDuration, KpiRefresh, KpiSkuDay

ROLLUP_LOCK = 27_000_001  # pg_advisory_xact_lock key: one refresh at a time
BUCKET_RATIO = 1.1  # duration histogram: each bucket 10 % wider than the last
# A refresh looks for changes from a little before the last run started: a transaction that wrote its event just
# before that run began may have committed after the run read.
LOOK_BACK = timedelta(minutes=10)
MESSAGE_SETTLES = timedelta(days=3)

FS = Fulfillment.Status
ATTEMPTED = (Notification.Status.SENT, Notification.Status.DELIVERED, Notification.Status.FAILED)


def brand_tz() -> zoneinfo.ZoneInfo:
    """The brand's clock: a day of the figures begins at its midnight."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=brand_tz())


def _placed_on(days: set[date], field: str = "created_at") -> Q:
    """Rows whose `field` falls on one of `days` (the brand's clock): contiguous days become one range."""
    q = Q(pk__in=[])
    for first, last in _ranges(days):
        q |= Q(**{f"{field}__gte": midnight(first), f"{field}__lt": midnight(last + timedelta(days=1))})
    return q


def _on_days(queryset, days: set[date], field: str = "created_at"):
    """`queryset`'s rows whose `field` falls on one of `days`, each annotated with that `day`."""
    return queryset.filter(_placed_on(days, field)).annotate(day=TruncDate(field, tzinfo=brand_tz()))


def _ranges(days: set[date]) -> list[tuple[date, date]]:
    ranges: list[list[date]] = []
    for day in sorted(days):
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def bucket_of(seconds: float) -> int:
    return max(0, int(math.log(max(seconds, 60.0) / 60.0) / math.log(BUCKET_RATIO)))


def bucket_middle(bucket: int) -> timedelta:
    """The geometric middle of a bucket: every duration in it is within 5 % of this."""
    return timedelta(seconds=60.0 * BUCKET_RATIO ** (bucket + 0.5))


# -- what each parcel and order counts as ---------------------------------------------------------------------

READY_AT = Subquery(
    OrderEvent.objects.filter(fulfillment=OuterRef("pk"), type=E.READY_FOR_PICKUP).order_by("at").values("at")[:1]
)
# Sent home, or made ready to collect (handed over to the customer's reach).
_DONE = Q(flow="ship", shipped_at__isnull=False) | (~Q(flow="ship") & Q(ready_at__isnull=False))
_ON_TIME = Q(flow="ship", shipped_at__lte=F("promised_by")) | (~Q(flow="ship") & Q(ready_at__lte=F("promised_by")))


def _live_parcels(order_ref: str):
    return (
        Fulfillment.objects.filter(order=OuterRef(order_ref)).exclude(status=FS.CANCELLED).annotate(ready_at=READY_AT)
    )


def order_predicates(order_ref: str = "pk", prefix: str = "") -> dict[str, Q]:
    """The order-level conditions the rollup counts, over a queryset of orders (`prefix` ""), or of parcels whose
    order they look at (`prefix` "order__", `order_ref` "order")."""
    live = _live_parcels(order_ref)
    given_up_short = OrderLine.objects.filter(order=OuterRef(order_ref)).filter(
        Q(quantity_short_refunded__gt=0) | Q(quantity_short_substituted__gt=0)
    )
    # The order's first live parcel, seen from inside `live` (its OuterRef is the parcel's order).
    first_live = (
        Fulfillment.objects.filter(order=OuterRef("order")).exclude(status=FS.CANCELLED).order_by("pk").values("pk")[:1]
    )
    finished = ~Q(**{f"{prefix}status": Order.Status.CANCELLED}) & Q(~Exists(live.exclude(_DONE)))
    promised = finished & Q(~Exists(live.filter(promised_by__isnull=True)))
    in_full = finished & Q(~Exists(given_up_short))
    return {
        "split": Q(Exists(live.exclude(pk=Subquery(first_live)))),
        "finished": finished,
        "in_full": in_full,
        "finished_promised": promised,
        "on_time_in_full": promised & in_full & Q(~Exists(live.exclude(_ON_TIME))),
    }


def _order_measures(order_ref: str, prefix: str) -> dict:
    units = OrderLine.objects.filter(order=OuterRef(order_ref)).values("order").annotate(n=Sum("quantity")).values("n")
    returned = (
        ReturnLine.objects.filter(order_line__order=OuterRef(order_ref))
        .exclude(return_request__status=Return.Status.CANCELLED)
        .values("order_line__order")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    predicates = order_predicates(order_ref, prefix)
    return {
        "orders": Count("pk"),
        "cancelled": Count("pk", filter=Q(**{f"{prefix}status": Order.Status.CANCELLED})),
        **{name: Count("pk", filter=condition) for name, condition in predicates.items()},
        "authorized": Coalesce(Sum(f"{prefix}payment__authorized_amount"), Decimal("0")),
        "captured": Coalesce(Sum(f"{prefix}payment__captured_amount"), Decimal("0")),
        "refunded": Coalesce(Sum(f"{prefix}payment__refunded_amount"), Decimal("0")),
        "units": Coalesce(Sum(Subquery(units)), 0),
        "returned_units": Coalesce(Sum(Subquery(returned)), 0),
    }


# What a parcel counts as; the lists behind the figures (support_playbook.kpis.PARCEL_LISTS) filter by the same.
PICKUP = ~Q(flow="ship")
PARCEL_CONDITIONS = {
    "rejected": Q(Exists(FulfillmentLine.objects.filter(fulfillment=OuterRef("pk"), quantity_short__gt=0))),
    "ship": Q(flow="ship"),
    "shipped_promised": Q(flow="ship", promised_by__isnull=False, shipped_at__isnull=False),
    "ready_promised": PICKUP & Q(promised_by__isnull=False, ready_at__isnull=False),
    "collected_or_not": Q(status__in=[FS.COLLECTED, FS.NOT_COLLECTED]),
}


def _parcel_measures() -> dict:
    lines = FulfillmentLine.objects.filter(fulfillment=OuterRef("pk")).values("fulfillment")
    return {
        "parcels": Count("pk"),
        "rejected": Count("pk", filter=PARCEL_CONDITIONS["rejected"]),
        "ship": Count("pk", filter=PARCEL_CONDITIONS["ship"]),
        "ship_from_store": Count("pk", filter=Q(flow="ship", source_location__kind="store")),
        "shipped_promised": Count("pk", filter=PARCEL_CONDITIONS["shipped_promised"]),
        "shipped_on_time": Count("pk", filter=Q(flow="ship", shipped_at__lte=F("promised_by"))),
        "ready_promised": Count("pk", filter=PARCEL_CONDITIONS["ready_promised"]),
        "ready_on_time": Count("pk", filter=PICKUP & Q(ready_at__lte=F("promised_by"))),
        "collected": Count("pk", filter=Q(status=FS.COLLECTED)),
        "not_collected": Count("pk", filter=Q(status=FS.NOT_COLLECTED)),
        "units_requested": Coalesce(Sum(Subquery(lines.annotate(n=Sum("quantity")).values("n"))), 0),
        "units_short": Coalesce(Sum(Subquery(lines.annotate(n=Sum("quantity_short")).values("n"))), 0),
    }


# -- the run --------------------------------------------------------------------------------------------------


def changed_days(since: datetime) -> set[date]:
    """The days (placed, made, queued) whose rows changed since `since`: each through its events' `at` index."""
    tz = brand_tz()

    def days_of(queryset, field="created_at") -> set[date]:
        return set(queryset.annotate(d=TruncDate(field, tzinfo=tz)).values_list("d", flat=True).distinct())

    return (
        days_of(Order.objects.filter(Exists(OrderEvent.objects.filter(order=OuterRef("pk"), at__gte=since))))
        | days_of(
            Order.objects.filter(
                Exists(
                    ReturnEvent.objects.filter(return_request__lines__order_line__order=OuterRef("pk"), at__gte=since)
                )
            )
        )
        | days_of(
            Reservation.objects.filter(
                Exists(ReservationEvent.objects.filter(reservation=OuterRef("pk"), at__gte=since))
            )
        )
        # A message settles (delivered, failed) within hours: look at those queued in the last days only.
        | days_of(Notification.objects.filter(created_at__gte=since - MESSAGE_SETTLES, updated_at__gte=since))
        | days_of(PosReceiptLine.objects.filter(received_at__gte=since), "sold_at")  # an offline till's late batch
    )


def _all_days(today: date) -> set[date]:
    """Every day from the first order's, reservation's or message's to today's (or the last one's)."""
    stamps = [
        stamp
        for model, field in ((Order, "created_at"), (Reservation, "created_at"), (PosReceiptLine, "sold_at"))
        for stamp in model.objects.aggregate(first=Min(field), last=Max(field)).values()
        if stamp is not None
    ]
    if not stamps:
        return {today}
    start = timezone.localtime(min(stamps), brand_tz()).date()
    last = max(timezone.localtime(max(stamps), brand_tz()).date(), today)
    return {start + timedelta(days=i) for i in range((last - start).days + 1)}


def refresh_kpis(*, full: bool = False, days: set[date] | None = None) -> KpiRefresh:
    """Rewrite the rollup's rows of the days that changed since the last run (all days the first time, or with
    `full`; exactly `days` when given). One transaction; returns the run."""
    clock = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        started = timezone.now()
        today = timezone.localtime(started, brand_tz()).date()
        last = KpiRefresh.objects.order_by("-started_at").first()
        if days is None:
            days = _all_days(today) if full or last is None else changed_days(last.started_at - LOOK_BACK) | {today}
        if days:
            _rewrite(days)
        return KpiRefresh.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            days=len(days),
            seconds=round(time.monotonic() - clock, 3),
        )


def _rewrite(days: set[date]) -> None:
    rows: dict[tuple, dict] = defaultdict(dict)
    _count_orders(days, rows)
    durations = _count_parcels(days, rows)
    _count_reservations(days, rows)
    _count_messages(days, rows)
    _count_till_sales(days, rows)
    placed = Q(day__in=days)
    KpiDay.objects.filter(placed).delete()
    KpiDuration.objects.filter(placed).delete()
    KpiSkuDay.objects.filter(placed).delete()
    KpiSkuDay.objects.bulk_create(_sku_days(days), batch_size=5000)
    KpiDay.objects.bulk_create(
        [
            KpiDay(day=day, location_id=location, channel_id=channel, method=method, **measures)
            for (day, location, channel, method), measures in rows.items()
        ],
        batch_size=2000,
    )
    KpiDuration.objects.bulk_create(
        [
            KpiDuration(day=day, location_id=location, channel_id=channel, measure=measure, bucket=bucket, parcels=n)
            for (day, location, channel, measure, bucket), n in durations.items()
        ],
        batch_size=5000,
    )


def _add(rows: dict, key: tuple, measures: dict) -> None:
    row = rows[key]
    for name, value in measures.items():
        row[name] = row.get(name, 0) + value


def _count_orders(days: set[date], rows: dict) -> None:
    """Order measures: once per order for the network, once per (order, location it has a parcel at)."""
    network = (
        _on_days(Order.objects.all(), days).values("day", "channel_id", "method").annotate(**_order_measures("pk", ""))
    )
    for row in network:
        key = (row.pop("day"), None, row.pop("channel_id"), row.pop("method"))
        _add(rows, key, row)
    # One parcel per (order, location): the first one sourced there stands for the order at that location.
    earlier_here = Fulfillment.objects.filter(
        order=OuterRef("order"), source_location=OuterRef("source_location"), pk__lt=OuterRef("pk")
    )
    per_location = (
        _on_days(Fulfillment.objects.exclude(Exists(earlier_here)), days, "order__created_at")
        .values("day", "source_location_id", "order__channel_id", "order__method")
        .annotate(**_order_measures("order", "order__"))
    )
    for row in per_location:
        key = (row.pop("day"), row.pop("source_location_id"), row.pop("order__channel_id"), row.pop("order__method"))
        _add(rows, key, row)


def _count_parcels(days: set[date], rows: dict) -> dict:
    """Parcel measures per location (the network's: their sum), and the duration histograms."""
    parcels = _on_days(Fulfillment.objects.annotate(ready_at=READY_AT), days, "order__created_at")
    grouped = parcels.values("day", "source_location_id", "order__channel_id", "order__method").annotate(
        **_parcel_measures()
    )
    for row in grouped:
        day, location, channel, method = (
            row.pop("day"),
            row.pop("source_location_id"),
            row.pop("order__channel_id"),
            row.pop("order__method"),
        )
        _add(rows, (day, location, channel, method), row)
        _add(rows, (day, None, channel, method), row)
    durations: dict[tuple, int] = defaultdict(int)
    timed = parcels.filter(Q(flow="ship", shipped_at__isnull=False) | (~Q(flow="ship") & Q(ready_at__isnull=False)))
    for day, location, channel, flow, status, created, shipped, ready, completed in timed.values_list(
        "day",
        "source_location_id",
        "order__channel_id",
        "flow",
        "status",
        "created_at",
        "shipped_at",
        "ready_at",
        "completed_at",
    ):
        measure, end = ("ship", shipped) if flow == "ship" else ("ready", ready)
        assert end is not None  # the filter above keeps the parcels that have it
        durations[(day, location, channel, measure, bucket_of((end - created).total_seconds()))] += 1
        if flow != "ship" and status == FS.COLLECTED and completed is not None:  # how long it waited for its customer
            durations[(day, location, channel, "collect", bucket_of((completed - end).total_seconds()))] += 1
    return durations


def _count_reservations(days: set[date], rows: dict) -> None:
    start, end = midnight(min(days)), midnight(max(days) + timedelta(days=1))
    for row in order_selectors.reservation_kpis_by_day(since=start, until=end, tz=brand_tz()):
        if row["day"] not in days:
            continue
        measures = {
            "reservations_closed": row["closed"],
            "reservations_bought": row["purchased"],
            "reservations_expired": row["expired"],
        }
        _add(rows, (row["day"], row["location_id"], row["channel_id"], ""), measures)
        _add(rows, (row["day"], None, row["channel_id"], ""), measures)
    # What the reserved items bought were worth at their listing price when reserved (lines without one: nothing).
    bought = (
        _on_days(ReservationLine.objects.filter(quantity_purchased__gt=0), days, "reservation__created_at")
        .values("day", "reservation__location_id", "reservation__channel_id")
        .annotate(
            value=Sum(
                F("quantity_purchased") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)
            )
        )
    )
    for row in bought:
        measures = {"reservations_bought_value": row["value"] or Decimal("0")}
        _add(rows, (row["day"], row["reservation__location_id"], row["reservation__channel_id"], ""), measures)
        _add(rows, (row["day"], None, row["reservation__channel_id"], ""), measures)


def _message_counts() -> dict:
    return {
        f"{medium}_{what}": Count("pk", distinct=True, filter=Q(channel=medium, status__in=statuses))
        for medium in Notification.Channel.values
        for what, statuses in (
            ("sent", ATTEMPTED),
            ("failed", [Notification.Status.FAILED]),
            ("delivered", [Notification.Status.DELIVERED]),
        )
    }


def _count_messages(days: set[date], rows: dict) -> None:
    """Messages on the day they were queued: the network's all, a location's those about its orders."""
    queued = _on_days(Notification.objects.all(), days)
    for row in queued.values("day").annotate(**_message_counts()):
        _add(rows, (row.pop("day"), None, None, ""), row)
    per_location = (
        queued.filter(order__isnull=False)
        .values("day", "order__fulfillments__source_location_id")
        .annotate(**_message_counts())
    )
    for row in per_location:
        location = row.pop("order__fulfillments__source_location_id")
        if location is not None:
            _add(rows, (row.pop("day"), location, None, ""), row)


def _count_till_sales(days: set[date], rows: dict) -> None:
    """Units and money rung up at each store's tills on the day they were rung up (a till return negative)."""
    sold = (
        _on_days(PosReceiptLine.objects.all(), days, "sold_at")
        .values("day", "location_id")
        .annotate(
            till_units=Sum("quantity"),
            till_sales=Sum(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)),
        )
    )
    for row in sold:
        day, location = row.pop("day"), row.pop("location_id")
        _add(rows, (day, location, None, ""), row)
        _add(rows, (day, None, None, ""), row)


def _sku_days(days: set[date]) -> list[KpiSkuDay]:
    """Units asked and found missing per SKU and day placed: every SKU for the network, the SKUs found missing
    for each location."""
    lines = _on_days(FulfillmentLine.objects.all(), days, "fulfillment__order__created_at")
    network = lines.values("day", "order_line__sku_id").annotate(requested=Sum("quantity"), short=Sum("quantity_short"))
    per_location = (
        lines.values("day", "fulfillment__source_location_id", "order_line__sku_id")
        .annotate(requested=Sum("quantity"), short=Sum("quantity_short"))
        .filter(short__gt=0)
    )
    return [
        KpiSkuDay(
            day=row["day"],
            location_id=row.get("fulfillment__source_location_id"),
            sku_id=row["order_line__sku_id"],
            units_requested=row["requested"],
            units_short=row["short"],
        )
        for rows in (network, per_location)
        for row in rows
    ]
