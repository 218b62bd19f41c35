"""Customer care's events on an order's timeline, one function each (the Saleor shape): a pickup's deadline
extended, a message sent again, contact details corrected."""

from datetime import datetime

from orders.events import OrderEventType as E
from orders.models import Fulfillment, Order, OrderEvent
from orders.timeline import record_event

# What care may send again, and the event that says it was.
RESENT = {
    "confirmation": E.CONFIRMATION_RESENT,
    "pickup_code": E.PICKUP_CODE_RESENT,
    "tracking_link": E.TRACKING_LINK_SENT,
}


def pickup_extended(
    *, fulfillment: Fulfillment, days: int, before: datetime, after: datetime, reason: str, actor
) -> OrderEvent:
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PICKUP_EXTENDED,
        actor=actor,
        data={"days": days, "from": before.isoformat(), "to": after.isoformat(), "reason": reason},
    )


def message_resent(*, order: Order, what: str, fulfillment: Fulfillment | None = None, actor) -> OrderEvent:
    """`what`: a key of RESENT; the outbox writes the messages, to the order's contact details as they are now."""
    return record_event(order=order, fulfillment=fulfillment, type=RESENT[what], actor=actor)


def contact_changed(*, order: Order, before: dict, after: dict, actor) -> OrderEvent:
    return record_event(order=order, type=E.CONTACT_CHANGED, actor=actor, data={"from": before, "to": after})
