"""The orders app's models, a module per aggregate: customers, orders, fulfillment (parcels), payments, timeline,
reservations and returns. One app label (`orders`), one set of tables and migrations."""

from orders.models.customers import E164, ContactDetails, Customer, NotifyBy, new_tracking_token
from orders.models.fulfillment import PARCEL_TRAVELLING, Fulfillment, FulfillmentLine, TrackingEvent
from orders.models.orders import FulfillmentMethod, IdempotencyRecord, OpenUnits, Order, OrderLine, Speed
from orders.models.payments import Payment, RefundRequest
from orders.models.reservations import Reservation, ReservationEvent, ReservationLine
from orders.models.returns import ExchangeLine, Return, ReturnEvent, ReturnLine, ReturnReason
from orders.models.timeline import OrderEvent, TimelineEvent

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
