"""The order's status, derived from its parts in one place (DESIGN.md section 6).

Every service that changes a fulfillment or an order line's missing, cancelled or settled units calls
`refresh_order_status` before it returns, so the API, the pages and the channels' webhooks read the same truth.
"""

from orders.fulfillment.models import ACTIVE_PARCEL
from orders.models import Fulfillment, Order, OrderLine
from orders.signals import order_status_changed

S = Fulfillment.Status


OS = Order.Status


_DONE = {S.DELIVERED, S.COLLECTED, S.NOT_COLLECTED}


def derive_order_status(fulfillment_statuses: list[str], undecided_units: int) -> str:
    """`fulfillment_statuses`: every fulfillment's, cancelled and lost ones included; `undecided_units`: missing
    units (short at picking, or on a lost parcel) nobody has refunded, replaced or sent again yet.

    - `on_hold` while any unit waits for a decision (its case is open): the order is being fixed, not cancelled;
    - `cancelled` only when nothing is left to send or hand over, i.e. every unit was cancelled or refunded
      (a replaced or re-sent unit has a fulfillment of its own);
    - otherwise the live fulfillments say it; `placed` only while nothing has moved (a lost parcel sent again
      is in progress, not back to placed)."""
    if undecided_units:
        return OS.ON_HOLD
    live = [status for status in fulfillment_statuses if status not in (S.CANCELLED, S.LOST)]
    if not live:
        return OS.CANCELLED
    if all(status in (S.DELIVERED, S.COLLECTED) for status in live):
        return OS.COMPLETED
    if all(status in _DONE for status in live):
        return OS.NOT_COLLECTED if S.NOT_COLLECTED in live else OS.COMPLETED
    if S.READY_FOR_PICKUP in live and all(status in _DONE | {S.READY_FOR_PICKUP} for status in live):
        return OS.READY_FOR_PICKUP
    if all(status in _DONE | ACTIVE_PARCEL for status in live):
        return OS.SHIPPED
    if all(status == S.PENDING for status in live) and S.LOST not in fulfillment_statuses:
        return OS.PLACED
    return OS.IN_PROGRESS


def undecided_units(order_id: int) -> int:
    return sum(line.quantity_short_open for line in OrderLine.objects.filter(order_id=order_id))


def refresh_order_status(order: Order) -> Order:
    """Store the status the order's parts say now; a change is sent as `order_status_changed` (webhooks)."""
    statuses = list(Fulfillment.objects.filter(order_id=order.pk).values_list("status", flat=True))
    status = derive_order_status(statuses, undecided_units(order.pk))
    if order.status != status:
        previous, order.status = order.status, status
        order.save(update_fields=["status", "updated_at"])
        order_status_changed.send(sender=Order, order=order, previous=previous, status=status)
    return order
