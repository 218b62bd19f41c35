"""An order's own events on its timeline, one function each (the Saleor shape): placed, cancelled in whole or in
part, its delivery address changed. Each says what it carries, typed, and writes the `data` keys the messages,
the pages and the playbook read."""

from decimal import Decimal

from orders.events import OrderEventType as E
from orders.models import Order, OrderEvent
from orders.timeline import record_event


def order_placed(
    *, order: Order, total: Decimal, currency: str, parcels: int, below_listing: list | None = None, actor
) -> OrderEvent:
    """`below_listing`: the lines a pricing-authority channel sold below their listing price (head office looks)."""
    data: dict = {"total": str(total), "currency": currency, "fulfillments": parcels}
    if below_listing:
        data["below_listing"] = below_listing
    return record_event(order=order, type=E.ORDER_PLACED, actor=actor, data=data)


def cancelled(
    *, order: Order, whole: bool, lines: list[dict], refund: Decimal, released: Decimal, reason: str, actor
) -> OrderEvent:
    """The whole order (`order_cancelled`) or some of its units (`lines_cancelled`); `refund` is all the money going
    back, `released` the part of it that was never charged."""
    return record_event(
        order=order,
        type=E.ORDER_CANCELLED if whole else E.LINES_CANCELLED,
        actor=actor,
        data={"lines": lines, "refund": str(refund), "released": str(released), "reason": reason},
    )


def address_changed(*, order: Order, before: dict, after: dict, actor) -> OrderEvent:
    return record_event(order=order, type=E.ADDRESS_CHANGED, actor=actor, data={"from": before, "to": after})
