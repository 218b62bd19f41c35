"""Shared by the order services: the fulfillment transition table and the event writer."""

import secrets
from decimal import Decimal

from orders.events import OrderEventType
from orders.models import (
    PARCEL_TRAVELLING,
    Fulfillment,
    FulfillmentMethod,
    Order,
    OrderEvent,
)
from orders.signals import order_event
from stores.actors import actor_fields

S = Fulfillment.Status
CENTS = Decimal("0.01")

# Allowed moves per fulfillment flow: {flow: {from: {to, …}}} (DESIGN.md section 6). The table is the documentation.
TRANSITIONS = {
    Fulfillment.Flow.SHIP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.IN_TRANSIT: {S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.OUT_FOR_DELIVERY: {S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.DELIVERY_EXCEPTION: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.LOST},
    },
    Fulfillment.Flow.PICKUP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.READY_FOR_PICKUP, S.CANCELLED},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
    Fulfillment.Flow.SHIP_TO_STORE: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.RECEIVED_IN_STORE, S.LOST},
        S.IN_TRANSIT: {S.RECEIVED_IN_STORE, S.LOST},
        S.RECEIVED_IN_STORE: {S.READY_FOR_PICKUP},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
}
TERMINAL = {S.DELIVERED, S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED, S.LOST}
# A parcel the carrier still moves: its tracking number is its own (the model's partial unique index).
ACTIVE_PARCEL = frozenset(PARCEL_TRAVELLING)
# What a pickup store needs to offer for each in-store method.
PICKUP_CAPABILITY = {
    FulfillmentMethod.STORE_PICKUP: "click_and_collect",
    FulfillmentMethod.CURBSIDE: "curbside",
    FulfillmentMethod.SHIP_TO_STORE: "ship_to_store",
}


# ------------------------------------------------------------------------------------------------- events


def record_event(
    *, order: Order, type: OrderEventType, fulfillment: Fulfillment | None = None, data=None, actor=None
) -> OrderEvent:
    """Write one event of the order's timeline and tell the subscribers (`orders.signals.order_event`). `type` is
    an `OrderEventType`: a type the enumeration does not name is refused (ValueError), never stored."""
    event = OrderEvent.objects.create(
        order=order, fulfillment=fulfillment, type=OrderEventType(type), data=data or {}, **actor_fields(actor)
    )
    order_event.send(sender=OrderEvent, event=event)
    return event


def human_number(prefix: str) -> str:
    """An order or reservation number people read over the phone: no 0/O or 1/I, e.g. `BR-7KQ3X9M2`."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(8))
