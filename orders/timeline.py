"""The order's timeline writer: every event of an order goes through `record_event` (and out as a signal)."""

from orders.events import OrderEventType
from orders.models import (
    Fulfillment,
    Order,
    OrderEvent,
)
from orders.signals import order_event
from stores.actors import actor_fields


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
