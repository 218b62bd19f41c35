"""Reads of orders and reservations for the API, the store dashboard and the KPIs."""

import copy
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
from django.utils import timezone

from omnichannel.errors import NotFound
from omnichannel.phones import phone_in_query
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Reservation,
    ReservationEvent,
    ReservationLine,
)
from orders.services.common import TERMINAL


def _detail_prefetches():
    return [
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku")),
        Prefetch(
            "fulfillments",
            queryset=Fulfillment.objects.select_related("source_location", "pickup_location").prefetch_related(
                Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku"))
            ),
        ),
        Prefetch(
            "events", queryset=OrderEvent.objects.select_related(*OrderEvent.ACTOR_RELATIONS).order_by("at", "id")
        ),
    ]


def sourcing_plans(order: Order, fulfillment: Fulfillment) -> dict:
    """Why a parcel comes from where it does: the plan in force for it (the re-sourcing that created it, else the
    plan at placement) and the order's other sourcing decisions, oldest first. Reads the prefetched timeline."""
    plans = [{"at": order.created_at, "fulfillment_id": None, "explanation": order.sourcing.get("explanation", [])}]
    for event in order.events.all():
        if event.type == "line_resourced" and event.data.get("explanation"):
            plans.append(
                {
                    "at": event.at,
                    "fulfillment_id": event.fulfillment_id,
                    "explanation": event.data["explanation"],
                    "sku": event.data.get("sku", ""),
                    "quantity": event.data.get("quantity"),
                    "instead_of": event.data.get("instead_of", ""),
                }
            )
    in_force = next((plan for plan in plans if plan["fulfillment_id"] == fulfillment.pk), plans[0])
    return {"in_force": in_force, "others": [plan for plan in plans if plan is not in_force]}


def order_detail_queryset() -> QuerySet:
    """Everything an order page or the API shows, in a fixed number of queries."""
    return Order.objects.select_related("channel", "customer", "pickup_location", "payment").prefetch_related(
        *_detail_prefetches()
    )


def _cached(model, rows: list) -> QuerySet:
    """A queryset whose rows are already known: what a prefetch leaves on an object."""
    queryset = model.objects.none()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    return queryset


def placed_order_detail(order: Order) -> Order:
    """The order just placed, with what the detail shows taken from the rows it wrote (`order.written`): no
    query. A copy carries them, so the caller's order object stays as it was."""
    written = order.written
    shown = copy.copy(order)
    for fulfillment in written["fulfillments"]:
        fulfillment._prefetched_objects_cache = {
            "lines": _cached(
                FulfillmentLine, [line for line in written["parcel_lines"] if line.fulfillment is fulfillment]
            )
        }
    shown._prefetched_objects_cache = {
        "lines": _cached(OrderLine, written["lines"]),
        "fulfillments": _cached(Fulfillment, written["fulfillments"]),
        "events": _cached(OrderEvent, written["events"]),
    }
    return shown


def with_details(order: Order) -> Order:
    """Load onto an order just written (its channel, customer and payment already on it) what the detail
    shows: the four prefetch queries of `order_detail_queryset`, without reading the order again."""
    prefetch_related_objects([order], *_detail_prefetches())
    return order


def order_for_channel(*, number: str, channel_id: int | None) -> Order:
    """The order with this number if `channel_id` may see it (a channel sees its own orders only)."""
    orders = order_detail_queryset().filter(number=number)
    if channel_id is not None:
        orders = orders.filter(channel_id=channel_id)
    order = orders.first()
    if order is None:
        raise NotFound(f"Unknown order: {number}", details={"number": number})
    return order


def orders_for_channel(*, channel_id: int | None, status: str = "", updated_since=None) -> QuerySet:
    orders = Order.objects.select_related("channel")
    if channel_id is not None:
        orders = orders.filter(channel_id=channel_id)
    if status:
        orders = orders.filter(status=status)
    if updated_since is not None:
        orders = orders.filter(updated_at__gte=updated_since)
    return orders


def _queue_parts(location) -> dict:
    """The store's queue, one filter per part: what it prepares (pickups and ship-from-store), parcels on
    their way to it, parcels it received and must put aside, pickups waiting at its till."""
    S = Fulfillment.Status
    return {
        "to_prepare": Q(source_location=location, status__in=[S.PENDING, S.PICKING, S.PACKED]),
        "incoming": Q(
            pickup_location=location, flow=Fulfillment.Flow.SHIP_TO_STORE, status__in=[S.SHIPPED, S.IN_TRANSIT]
        ),
        "received": Q(pickup_location=location, status=S.RECEIVED_IN_STORE),
        "waiting": Q(status=S.READY_FOR_PICKUP)
        & (Q(pickup_location=location) | Q(pickup_location__isnull=True, source_location=location)),
    }


QUEUE_ORDER = {
    "to_prepare": "created_at",
    "incoming": "shipped_at",
    "received": "updated_at",
    "waiting": "pickup_deadline",
}


# Which capabilities make a part of the queue the location's business (a warehouse has no till and no
# incoming customer parcels). A part that has rows is shown anyway (a capability switched off later).
QUEUE_PART_CAPABILITIES = {
    "waiting": {"click_and_collect", "curbside", "ship_to_store"},
    "incoming": {"ship_to_store"},
    "received": {"ship_to_store"},
}


def store_queue(*, location) -> dict:
    """Each part of the store's queue, with what its rows show (customer, locations, lines), and `shown`: the
    parts this location works with."""
    base = Fulfillment.objects.select_related("order__customer", "source_location", "pickup_location").prefetch_related(
        Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku"))
    )
    parts = {name: list(base.filter(q).order_by(QUEUE_ORDER[name])) for name, q in _queue_parts(location).items()}
    capabilities = set(location.capabilities or ())
    is_locker = location.kind == location.Kind.LOCKER
    parts["shown"] = {
        name
        for name, rows in parts.items()
        if name not in QUEUE_PART_CAPABILITIES or rows or is_locker or capabilities & QUEUE_PART_CAPABILITIES[name]
    }
    return parts


def store_fulfillment(*, location, fulfillment_id: int) -> Fulfillment:
    """A fulfillment this store works on (as source or pickup store); 404 for any other."""
    fulfillment = (
        Fulfillment.objects.filter(Q(source_location=location) | Q(pickup_location=location), pk=fulfillment_id)
        .select_related("order__customer", "source_location", "pickup_location")
        .first()
    )
    if fulfillment is None:
        raise NotFound("No such fulfillment in this store.")
    return fulfillment


def fulfillments_at(*, location, status: str = "") -> QuerySet:
    """The fulfillments a location works on (as source, or as the store where the customer collects), with
    what the fulfillment API shows; `status` narrows them."""
    rows = (
        Fulfillment.objects.filter(Q(source_location=location) | Q(pickup_location=location))
        .select_related("order", "source_location", "pickup_location")
        .prefetch_related(Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku")))
    )
    return rows.filter(status=status) if status else rows


def location_fulfillment(*, location, fulfillment_id: int) -> Fulfillment:
    """One fulfillment this location works on; 404 for any other."""
    fulfillment = fulfillments_at(location=location).filter(pk=fulfillment_id).first()
    if fulfillment is None:
        raise NotFound("No such fulfillment at this location.", details={"fulfillment": fulfillment_id})
    return fulfillment


def store_queue_counts(*, location) -> dict:
    """How much waits in each part of the store's queue (the menu badge and the home panel); parcels received
    but not yet put aside count as incoming work."""
    parts = _queue_parts(location)
    return {
        "to_prepare": Fulfillment.objects.filter(parts["to_prepare"]).count(),
        "incoming": Fulfillment.objects.filter(parts["incoming"] | parts["received"]).count(),
        "waiting": Fulfillment.objects.filter(parts["waiting"]).count(),
    }


# ------------------------------------------------------------------------------------------------- reservations

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


def reservation_kpis(*, location=None, since=None) -> dict:
    """Click & reserve KPIs of a store (or the network) for reservations made since `since`:
    conversion = bought / closed, no-show = expired / closed, average time from reserving to coming in
    (bought or not bought)."""
    reservations = _made_since(since)
    if location is not None:
        reservations = reservations.filter(location=location)
    return _kpis(reservations.aggregate(**_KPI_AGGREGATES))


def _made_since(since) -> QuerySet:
    return Reservation.objects.filter(created_at__gte=since) if since is not None else Reservation.objects.all()


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


def store_order_history(*, location, query: str = "", limit: int = 50) -> list[Fulfillment]:
    """The store's past and present work, newest first: every fulfillment it sourced or where the customer
    collects (collected, delivered and closed ones too), by order number, customer name or phone (typed any way);
    without a query, the latest finished ones."""
    rows = Fulfillment.objects.filter(Q(source_location=location) | Q(pickup_location=location))
    text = (query or "").strip()
    if text:
        phone = phone_in_query(text)
        match = Q(order__number=text.upper())
        if phone:
            match |= Q(order__contact_phone=phone) | Q(order__customer__phone=phone)
        elif len(text) >= 3:
            match |= Q(order__contact_name__icontains=text) | Q(order__customer__name__icontains=text)
        rows = rows.filter(match)
    else:
        rows = rows.filter(status__in=TERMINAL)
    return list(
        rows.select_related("order__customer", "source_location", "pickup_location")
        .prefetch_related(Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku")))
        .order_by("-updated_at", "-id")[:limit]
    )
