"""Reads of a location's fulfillment work: the store queue, one parcel, the history (the dashboard and the API)."""

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from omnichannel.errors import NotFound
from omnichannel.phones import phone_in_query
from orders.events import OrderEventType as E
from orders.fulfillment.models import TERMINAL
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
)


def detail_prefetches():
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
        if event.type == E.LINE_RESOURCED and event.data.get("explanation"):
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
        *detail_prefetches()
    )


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
    parts: dict[str, object] = {
        name: list(base.filter(q).order_by(QUEUE_ORDER[name])) for name, q in _queue_parts(location).items()
    }
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
