"""Reads for the tracking page and messages."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from notifications.models import MarketingBlock
from omnichannel.errors import NotFound
from orders.events import OrderEventType as E
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Reservation,
    ReservationLine,
    TrackingEvent,
)

# What the customer sees on the timeline, in their words: payments, internal bookkeeping and staff's wording
# ("fulfillment cancelled", "customer told: …") stay internal. A part re-routed to another store is said as what it
# means to the customer: one more parcel, a later pickup, the item coming after all.
CUSTOMER_EVENT_LABELS = {
    E.ORDER_PLACED: _("Order received"),
    E.PICKING: _("Being prepared"),
    E.PACKED: _("Packed"),
    E.SHIPPED: _("Shipped"),
    E.IN_TRANSIT: _("On its way"),
    E.OUT_FOR_DELIVERY: _("Out for delivery"),
    E.DELIVERED: _("Delivered"),
    E.DELIVERY_EXCEPTION: _("Delivery problem: we are on it"),
    E.RECEIVED_IN_STORE: _("Arrived in store"),
    E.READY_FOR_PICKUP: _("Ready for pickup"),
    E.PICKUP_REMINDER: _("Reminder: your order is waiting for you"),
    E.PICKUP_EXTENDED: _("Your order waits for you longer"),
    E.PICKUP_CODE_RENEWED: _("New pickup code sent"),
    E.COLLECTED: _("Collected"),
    E.NOT_COLLECTED: _("Not collected in time: you were not charged"),
    E.ORDER_CANCELLED: _("Order cancelled"),
    E.LINES_CANCELLED: _("Part of the order cancelled"),
    E.ITEM_MISSING: _("An item is missing: we are finding a solution"),
    E.PARCEL_LOST: _("The carrier lost a parcel: we are finding a solution"),
    E.SECOND_PARCEL: _("An item comes from another of our stores, in a separate parcel"),
    E.PICKUP_DELAYED: _("An item comes to your store from another of our stores: ready a little later"),
    E.COMPLETED_FROM_ELSEWHERE: _("The missing item comes from another of our stores after all"),
    E.SUBSTITUTE_PROPOSED: _("We proposed another size or colour for the missing item"),
    E.SUBSTITUTE_SENT: _("The replacement you accepted is on its way"),
    E.ITEM_REFUNDED: _("The missing item was refunded"),
    E.REFUND_ISSUED: _("Refund issued"),
    E.GOODWILL_CREDIT: _("Credit issued"),
}
CUSTOMER_EVENTS = set(CUSTOMER_EVENT_LABELS)


def customer_timeline(order) -> list[dict]:
    """The order's timeline as the customer reads it, newest first (`order.events` prefetched with
    CUSTOMER_EVENTS)."""
    return [{"at": event.at, "label": CUSTOMER_EVENT_LABELS[event.type]} for event in order.events.all()]


def order_for_tracking(*, token: str) -> Order:
    order = (
        Order.objects.filter(tracking_token=token)
        .select_related("customer", "pickup_location", "payment")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product")),
            Prefetch(
                "fulfillments",
                queryset=Fulfillment.objects.select_related("source_location", "pickup_location").prefetch_related(
                    Prefetch("lines", queryset=FulfillmentLine.objects.select_related("order_line__sku__product")),
                    Prefetch("tracking_events", queryset=TrackingEvent.objects.order_by("-occurred_at")),
                ),
            ),
            Prefetch("events", queryset=OrderEvent.objects.filter(type__in=CUSTOMER_EVENTS).order_by("-at", "-id")),
        )
        .first()
    )
    if order is None:
        raise NotFound("No such order.")
    return order


def reservation_for_customer(*, token: str) -> Reservation:
    reservation = (
        Reservation.objects.filter(token=token)
        .select_related("customer", "location")
        .prefetch_related(Prefetch("lines", queryset=ReservationLine.objects.select_related("sku__product")))
        .first()
    )
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation


def marketing_for(*, order, locale: str) -> dict | None:
    """The active marketing block, only when the order's own consent allows it (the consent its channel gave,
    not another channel's) and the customer has not withdrawn consent since."""
    if not (order.marketing_consent and order.customer.marketing_consent):
        return None
    block = MarketingBlock.objects.filter(active=True).first()
    return block.for_locale(locale) if block else None


WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]


def opening_hours(location) -> list[tuple]:  # lazy texts: they take the page's language when rendered
    """[(weekday, "10:00–13:00, 15:30–19:30" or "closed")] for a store's week, in the active language."""
    hours = location.opening_hours or {}
    rows = []
    for key, label in WEEKDAYS:
        intervals = hours.get(key) or []
        rows.append((label, ", ".join(f"{a}–{b}" for a, b in intervals) if intervals else _("closed")))
    return rows


# What a part of the order means to the customer (staff's statuses, such as "to prepare", stay internal).
CUSTOMER_STATUSES = {
    "pending": _("Being prepared"),
    "picking": _("Being prepared"),
    "packed": _("Being prepared"),
    "shipped": _("On its way"),
    "in_transit": _("On its way"),
    "out_for_delivery": _("Out for delivery"),
    "delivered": _("Delivered"),
    "delivery_exception": _("Delivery problem: we are on it"),
    "received_in_store": _("Arrived in store"),
    "ready_for_pickup": _("Ready for pickup"),
    "collected": _("Collected"),
    "not_collected": _("Not collected"),
    "cancelled": _("Cancelled"),
}


def customer_status(fulfillment):
    """Lazy: it reads in the language the page renders in (the customer's), not the request's."""
    return CUSTOMER_STATUSES.get(fulfillment.status) or fulfillment.get_status_display()


def returns_of(order) -> list:
    """The returns with units of this order, newest first (the tracking page links each)."""
    from orders.models import Return

    return list(Return.objects.filter(lines__order_line__order=order).distinct().order_by("-created_at"))
