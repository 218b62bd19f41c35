"""Writes for orders and reservations: placing, fulfilling, cancelling, tracking, click & reserve
(DESIGN.md sections 5-8).

Every state change goes through `transition_fulfillment`, which locks the row, checks TRANSITIONS and
writes the event; every event is sent as the `order_event` signal inside the transaction. Stock moves only
through inventory.services; money only through the payment adapter. Callers use `orders.services.<name>`.
"""

from orders.services.common import PICKUP_CAPABILITY, TERMINAL, TRANSITIONS, record_event
from orders.services.fulfilling import (
    cancel_order,
    change_contact_details,
    change_shipping_address,
    expire_uncollected_pickups,
    fulfillment_store,
    hand_over,
    location_actions,
    mark_delivered,
    mark_not_collected,
    mark_packed,
    mark_ready_for_pickup,
    receive_in_store,
    renew_pickup_code,
    send_pickup_reminders,
    ship_fulfillment,
    start_picking,
    transition_fulfillment,
    unlock_pickup_code,
)
from orders.services.missing import (
    declare_parcel_lost,
    flag_overdue_parcels,
    recovery_options,
    recovery_plan,
    refund_missing_units,
    report_missing,
    report_parcel_not_received,
    resource_missing_units,
    substitute_missing_units,
)
from orders.services.placing import place_order, upsert_customer
from orders.services.reserving import (
    RESERVATION_CLOSED,
    RESERVATION_TRANSITIONS,
    cancel_reservation,
    expire_reservations,
    mark_declined,
    mark_purchased,
    record_reservation_event,
    reservation_window,
    reserve_items,
    send_reservation_reminders,
    transition_reservation,
)
from orders.services.tracking import TRACKING_STATUSES, record_tracking_event

__all__ = [
    "RESERVATION_CLOSED",
    "RESERVATION_TRANSITIONS",
    "cancel_reservation",
    "expire_reservations",
    "mark_declined",
    "mark_purchased",
    "record_reservation_event",
    "reservation_window",
    "reserve_items",
    "send_reservation_reminders",
    "transition_reservation",
    "PICKUP_CAPABILITY",
    "TERMINAL",
    "TRACKING_STATUSES",
    "TRANSITIONS",
    "cancel_order",
    "change_contact_details",
    "declare_parcel_lost",
    "flag_overdue_parcels",
    "recovery_options",
    "recovery_plan",
    "refund_missing_units",
    "report_parcel_not_received",
    "resource_missing_units",
    "substitute_missing_units",
    "change_shipping_address",
    "expire_uncollected_pickups",
    "fulfillment_store",
    "hand_over",
    "location_actions",
    "mark_delivered",
    "mark_not_collected",
    "mark_packed",
    "mark_ready_for_pickup",
    "place_order",
    "receive_in_store",
    "record_event",
    "renew_pickup_code",
    "record_tracking_event",
    "report_missing",
    "send_pickup_reminders",
    "ship_fulfillment",
    "start_picking",
    "transition_fulfillment",
    "unlock_pickup_code",
    "upsert_customer",
]
