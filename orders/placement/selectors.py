"""Reads of orders: one order with its parts for the API and pages, a channel's orders, the sourcing plans."""

import copy

from django.db.models import (
    QuerySet,
    prefetch_related_objects,
)

from omnichannel.errors import NotFound
from orders.fulfillment.selectors import detail_prefetches, order_detail_queryset
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
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
    shown._prefetched_objects_cache = {  # type: ignore[attr-defined]  # what Django's prefetch fills
        "lines": _cached(OrderLine, written["lines"]),
        "fulfillments": _cached(Fulfillment, written["fulfillments"]),
        "events": _cached(OrderEvent, written["events"]),
    }
    return shown


def with_details(order: Order) -> Order:
    """Load onto an order just written (its channel, customer and payment already on it) what the detail
    shows: the four prefetch queries of `order_detail_queryset`, without reading the order again."""
    prefetch_related_objects([order], *detail_prefetches())
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
