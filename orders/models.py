"""The orders app's models, a module per aggregate: customers, orders, fulfillment (parcels), payments, timeline,
reservations and returns. One app label (`orders`), one set of tables and migrations."""

from orders.fulfillment.models import PARCEL_TRAVELLING, Fulfillment, FulfillmentLine, TrackingEvent
from orders.payments.models import Payment, RefundRequest
from orders.placement.models import (
    E164,
    ContactDetails,
    Customer,
    FulfillmentMethod,
    IdempotencyRecord,
    NotifyBy,
    OpenUnits,
    Order,
    OrderEvent,
    OrderLine,
    Speed,
    TimelineEvent,
    new_tracking_token,
)
from orders.reservations.models import Reservation, ReservationEvent, ReservationLine
from orders.returns.models import ExchangeLine, Return, ReturnEvent, ReturnLine, ReturnReason

__all__ = [
    "PARCEL_TRAVELLING",
    "E164",
    "ContactDetails",
    "Customer",
    "ExchangeLine",
    "Fulfillment",
    "FulfillmentLine",
    "FulfillmentMethod",
    "IdempotencyRecord",
    "NotifyBy",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "RefundRequest",
    "Reservation",
    "ReservationEvent",
    "ReservationLine",
    "Return",
    "ReturnEvent",
    "ReturnLine",
    "ReturnReason",
    "Speed",
    "TimelineEvent",
    "TrackingEvent",
    "new_tracking_token",
    "OpenUnits",
]
