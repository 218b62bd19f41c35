"""Reads of orders for the API and the store dashboard."""

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from omnichannel.errors import NotFound
from orders.models import Fulfillment, FulfillmentLine, Order, OrderEvent, OrderLine


def _detail_prefetches():
    return [
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku")),
        Prefetch(
            "fulfillments",
            queryset=Fulfillment.objects.select_related("source_location", "pickup_location").prefetch_related(
                Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku"))
            ),
        ),
        Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
    ]


def order_detail_queryset() -> QuerySet:
    """Everything an order page or the API shows, in a fixed number of queries."""
    return Order.objects.select_related("channel", "customer", "pickup_location", "payment").prefetch_related(
        *_detail_prefetches()
    )


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


def store_queue(*, location) -> dict:
    """Each part of the store's queue, with what its rows show (customer, locations, lines)."""
    base = Fulfillment.objects.select_related("order__customer", "source_location", "pickup_location").prefetch_related(
        Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku"))
    )
    return {name: list(base.filter(q).order_by(QUEUE_ORDER[name])) for name, q in _queue_parts(location).items()}


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


def store_queue_counts(*, location) -> dict:
    """How much waits in each part of the store's queue (the menu badge and the home panel); parcels received
    but not yet put aside count as incoming work."""
    parts = _queue_parts(location)
    return {
        "to_prepare": Fulfillment.objects.filter(parts["to_prepare"]).count(),
        "incoming": Fulfillment.objects.filter(parts["incoming"] | parts["received"]).count(),
        "waiting": Fulfillment.objects.filter(parts["waiting"]).count(),
    }
