"""Reads of click & reserve: a store's reservations, one reservation, the channel's, and their conversion."""

import re
import zoneinfo
from datetime import datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from omnichannel.errors import NotFound
from orders.models import (
    Reservation,
    ReservationEvent,
    ReservationLine,
)

RS = Reservation.Status


def _reservation_prefetches():
    return [
        Prefetch("lines", queryset=ReservationLine.objects.select_related("sku__product", "hold")),
        Prefetch(
            "events",
            queryset=ReservationEvent.objects.select_related(*ReservationEvent.ACTOR_RELATIONS).order_by("at", "id"),
        ),
    ]


def reservation_detail_queryset() -> QuerySet:
    """A reservation with its store, customer, items and timeline, in a fixed number of queries."""
    return Reservation.objects.select_related("channel", "customer", "location").prefetch_related(
        *_reservation_prefetches()
    )


def reservation_with_details(reservation: Reservation) -> Reservation:
    """Load onto a reservation just written (its channel, customer and store already on it) its items and
    timeline: two queries, without reading the reservation again."""
    prefetch_related_objects([reservation], *_reservation_prefetches())
    return reservation


def reservation_for_channel(*, number: str, channel_id: int | None) -> Reservation:
    """The reservation with this number if `channel_id` may see it (a channel sees its own only)."""
    reservations = reservation_detail_queryset().filter(number=number)
    if channel_id is not None:
        reservations = reservations.filter(channel_id=channel_id)
    reservation = reservations.first()
    if reservation is None:
        raise NotFound(f"Unknown reservation: {number}", details={"number": number})
    return reservation


def store_reservation(*, location, number: str) -> Reservation:
    """A reservation of this store; 404 for any other."""
    reservation = reservation_detail_queryset().filter(location=location, number=number).first()
    if reservation is None:
        raise NotFound("No such reservation in this store.")
    return reservation


def store_midnight(location, now) -> datetime:
    """The next midnight on the store's clock: reservations ending before it are today's."""
    tz = zoneinfo.ZoneInfo(location.tz_name)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=tz)


def store_reservations(*, location, query: str = "", now=None, closed_days: int = 7) -> dict:
    """The store's reservation list: held ones ending today and later (soonest first), and the ones closed in
    the last `closed_days`. With `query` (a number or a phone number, in any spelling) every reservation of
    the store that matches, whatever its state."""
    now = now or timezone.now()
    base = (
        Reservation.objects.filter(location=location)
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=ReservationLine.objects.select_related("sku__product")))
    )
    if query:
        return {"matches": list(base.filter(_search(query)).order_by("-created_at")[:50])}
    held = base.filter(status=RS.HELD).order_by("expires_at")
    midnight = store_midnight(location, now)
    return {
        "today": list(held.filter(expires_at__lt=midnight)),
        "upcoming": list(held.filter(expires_at__gte=midnight)),
        "closed": list(
            base.exclude(status=RS.HELD).filter(closed_at__gte=now - timedelta(days=closed_days)).order_by("-closed_at")
        ),
    }


def _search(query: str) -> Q:
    query = query.strip()
    digits = re.sub(r"\D", "", query)
    # A few characters of the number are enough ("7K3M" finds RS-7K3M9QXA).
    condition = Q(number__icontains=query) if len(query) >= 3 else Q(number__iexact=query)
    if len(digits) >= 6:
        # Staff type phone numbers as the customer says them: "333 123 4567", "+39 333…", "0039…".
        condition |= Q(contact_phone__endswith=digits[-9:]) | Q(customer__phone__endswith=digits[-9:])
    return condition


def held_reservation_count(*, location) -> int:
    return Reservation.objects.filter(location=location, status=RS.HELD).count()


def reservation_kpis(*, location=None, since=None, until=None) -> dict:
    """Click & reserve KPIs of a store (or the network) for reservations made since `since` (and before `until`):
    conversion = bought / closed, no-show = expired / closed, average time from reserving to coming in
    (bought or not bought). The one definition the reservations pages and head office's KPIs share."""
    reservations = _made_since(since, until)
    if location is not None:
        reservations = reservations.filter(location=location)
    return _kpis(reservations.aggregate(**_KPI_AGGREGATES))


def _made_since(since, until=None) -> QuerySet:
    reservations = Reservation.objects.filter(created_at__gte=since) if since is not None else Reservation.objects.all()
    return reservations.filter(created_at__lt=until) if until is not None else reservations


def reservations_made(*, since, until, location=None, status: str = "") -> QuerySet:
    """The reservations made in [since, until) (at `location`; with `status`): the rows behind their KPIs."""
    reservations = _made_since(since, until).select_related("location", "customer")
    if location is not None:
        reservations = reservations.filter(location=location)
    return reservations.filter(status=status) if status else reservations


_KPI_AGGREGATES = {
    "total": Count("id"),
    **{status: Count("id", filter=Q(status=status)) for status in RS.values},
    "show_up": Avg(
        ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()),
        filter=Q(status__in=[RS.PURCHASED, RS.DECLINED]),
    ),
}


def _kpis(row: dict) -> dict:
    closed = row["total"] - row[RS.HELD]
    return {
        **row,
        "closed": closed,
        "conversion_rate": row[RS.PURCHASED] / closed if closed else None,
        "no_show_rate": row[RS.EXPIRED] / closed if closed else None,
    }


def reservation_kpis_by_store(*, since=None) -> list[dict]:
    """The KPIs of every store that had reservations since `since`, one aggregate query for all."""
    rows = (
        _made_since(since)
        .values("location__code", "location__name")
        .annotate(**_KPI_AGGREGATES)
        .order_by("location__code")
    )
    return [_kpis(row) for row in rows]


def reservation_kpis_by_day(*, since, until, tz) -> list[dict]:
    """The same KPIs per day made (on the `tz` clock), store and channel: the rows head office's KPI rollup sums."""
    rows = (
        _made_since(since, until)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "location_id", "channel_id")
        .annotate(**_KPI_AGGREGATES)
    )
    return [_kpis(row) for row in rows]


KPI_PERIOD = timedelta(days=30)


def store_reservation_summary(*, location, now=None) -> dict:
    """The store home's reservation panel: what waits now, what ends today, and the last 30 days' KPIs of the
    store beside the network's."""
    now = now or timezone.now()
    since = now - KPI_PERIOD
    held = Reservation.objects.filter(location=location, status=RS.HELD)
    return {
        "held_now": held.count(),
        "ending_today": held.filter(expires_at__lt=store_midnight(location, now)).count(),
        "store": reservation_kpis(location=location, since=since),
        "network": reservation_kpis(since=since),
    }
