"""Writes for orders, reservations and returns: placing, fulfilling, cancelling, tracking, click & reserve,
returns and exchanges (DESIGN.md sections 5-9).

Every state change goes through `transition_fulfillment`, which locks the row, checks TRANSITIONS and
writes the event; every event is sent as the `order_event` signal inside the transaction. Stock moves only
through inventory.services; money only through the payment adapter. Callers use `orders.services.<name>`.
"""

from orders.care.services import (
    change_contact_details,
    extend_pickup,
    extend_reservation,
    resend_message,
)
from orders.fulfillment.events import substitute_proposed
from orders.fulfillment.missing import (
    LOST_REASONS,
    cannot_fulfil,
    declare_parcel_lost,
    flag_overdue_parcels,
    missed_locations,
    receive_parcel_back,
    recovery_candidates,
    recovery_options,
    recovery_plan,
    refund_missing_units,
    report_missing,
    report_parcel_not_received,
    resource_missing_units,
    substitute_missing_units,
)
from orders.fulfillment.models import TERMINAL, TRANSITIONS
from orders.fulfillment.services import (
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
    resend_pickup_code,
    send_pickup_reminders,
    ship_fulfillment,
    start_picking,
    transition_fulfillment,
    unlock_pickup_code,
)
from orders.fulfillment.tracking import TRACKING_STATUSES, record_tracking_event
from orders.payments.breakdown import paid_unit_price, refund_breakdown, refund_preview
from orders.payments.money import paid_and_not_refunded
from orders.payments.refunds import decide_refund, refund_order
from orders.placement.changes import cancel_order, change_shipping_address
from orders.placement.services import PICKUP_CAPABILITY, place_order, upsert_customer
from orders.reservations.events import courtesy as reservation_courtesy
from orders.reservations.services import (
    RESERVATION_CLOSED,
    RESERVATION_TRANSITIONS,
    cancel_reservation,
    expire_reservations,
    mark_declined,
    mark_purchased,
    reservation_window,
    reserve_items,
    send_reservation_reminders,
    transition_reservation,
)
from orders.returns.common import RETURN_TRANSITIONS, returns_centre
from orders.returns.events import reminder as return_reminded
from orders.returns.receiving import decide_damaged_return_units, receive_return
from orders.returns.services import (
    cancel_return,
    flag_overdue_returns,
    mark_return_sent,
    request_return,
    returnable_lines,
)
from orders.returns.transfers import no_transfer_here, receive_return_transfer, ship_return_transfer, transfer_pending
from orders.shop_floor.services import record_till_sales

__all__ = [
    "RETURN_TRANSITIONS",
    "cancel_return",
    "flag_overdue_returns",
    "mark_return_sent",
    "paid_unit_price",
    "receive_return",
    "decide_damaged_return_units",
    "return_reminded",
    "refund_breakdown",
    "refund_preview",
    "request_return",
    "receive_return_transfer",
    "no_transfer_here",
    "ship_return_transfer",
    "transfer_pending",
    "returnable_lines",
    "returns_centre",
    "decide_refund",
    "extend_pickup",
    "extend_reservation",
    "paid_and_not_refunded",
    "refund_order",
    "resend_message",
    "resend_pickup_code",
    "RESERVATION_CLOSED",
    "RESERVATION_TRANSITIONS",
    "cancel_reservation",
    "expire_reservations",
    "mark_declined",
    "mark_purchased",
    "reservation_courtesy",
    "reservation_window",
    "reserve_items",
    "send_reservation_reminders",
    "transition_reservation",
    "PICKUP_CAPABILITY",
    "TERMINAL",
    "TRACKING_STATUSES",
    "TRANSITIONS",
    "cancel_order",
    "cannot_fulfil",
    "change_contact_details",
    "declare_parcel_lost",
    "LOST_REASONS",
    "flag_overdue_parcels",
    "missed_locations",
    "recovery_candidates",
    "recovery_options",
    "receive_parcel_back",
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
    "substitute_proposed",
    "renew_pickup_code",
    "record_till_sales",
    "record_tracking_event",
    "report_missing",
    "send_pickup_reminders",
    "ship_fulfillment",
    "start_picking",
    "transition_fulfillment",
    "unlock_pickup_code",
    "upsert_customer",
]
