"""A parcel's events on its order's timeline, one function each (the Saleor shape): what each carries is typed
here, and each writes the `data` keys the messages, the pages and the playbook read. The parcel's own moves
(picking … collected) are written by `moved`, named by the status they reach."""

from typing import NotRequired, TypedDict

from orders.events import OrderEventType as E
from orders.models import Fulfillment, Order, OrderEvent
from orders.timeline import record_event


class Shortage(TypedDict):
    """Units a location found missing: what, how many, where, for which method."""

    sku: str
    quantity: int
    location: str
    method: str
    flow: str
    cause: NotRequired[str]  # "till_sale": sold over the counter before it was picked


# Units sent from another source: the new parcel's origin (`from`), the source it replaces, and why it was chosen
# (sourcing's explanation).
Recovery = TypedDict(
    "Recovery",
    {
        "sku": str,
        "quantity": int,
        "from": str,
        "instead_of": str,
        "flow": str,
        "from_shelf": bool,
        "explanation": list,
    },
)


def moved(*, fulfillment: Fulfillment, to: str, actor, data: dict | None = None) -> OrderEvent:
    """The parcel reached status `to` (its transition table allowed it): the event is named after the status."""
    return record_event(order=fulfillment.order, fulfillment=fulfillment, type=E(to), actor=actor, data=data or {})


def pickup_reminder(*, fulfillment: Fulfillment) -> OrderEvent:
    deadline = fulfillment.pickup_deadline
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PICKUP_REMINDER,
        data={"pickup_deadline": deadline.isoformat() if deadline else ""},
    )


def pickup_code(*, fulfillment: Fulfillment, what: E, actor, attempts: int | None = None) -> OrderEvent:
    """The pickup code locked after wrong attempts (with how many), unlocked, renewed or sent again."""
    if what not in (E.PICKUP_CODE_LOCKED, E.PICKUP_CODE_UNLOCKED, E.PICKUP_CODE_RENEWED, E.PICKUP_CODE_RESENT):
        raise ValueError(f"{what} is not a pickup code event")
    data = {"attempts": attempts} if attempts is not None else {}
    return record_event(order=fulfillment.order, fulfillment=fulfillment, type=what, actor=actor, data=data)


def tracking_update(*, fulfillment: Fulfillment, status: str, carrier_data: dict, actor) -> OrderEvent:
    """A carrier update that does not move the parcel (the same status again, or one its flow has no state for)."""
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.TRACKING_UPDATE,
        actor=actor,
        data={**carrier_data, "status": status},
    )


def line_resourced(*, order: Order, recovered: Fulfillment, recovery: Recovery, actor) -> OrderEvent:
    return record_event(order=order, fulfillment=recovered, type=E.LINE_RESOURCED, actor=actor, data=dict(recovery))


def short_recovered(*, order: Order, fulfillment: Fulfillment, shortage: Shortage, actor) -> OrderEvent:
    """Missing here but not for the customer: staff's timeline only (nothing refunded, no "missing" message)."""
    return record_event(
        order=order, fulfillment=fulfillment, type=E.ITEM_SHORT_RECOVERED, actor=actor, data=dict(shortage)
    )


def item_missing(*, order: Order, fulfillment: Fulfillment, shortage: Shortage, amount, actor) -> OrderEvent:
    """Units missing and undecided: the customer is told a solution is being found; a case opens."""
    return record_event(
        order=order,
        fulfillment=fulfillment,
        type=E.ITEM_MISSING,
        actor=actor,
        data={**shortage, "amount": str(amount), "currency": order.currency},
    )


def promise_changed(*, order: Order, recovered: Fulfillment, what: E, recovery: Recovery, actor) -> OrderEvent:
    """The customer is told of an automatic recovery that changes the promise: one more parcel home, a pickup
    later, or (a case's decision) the missing item now comes from elsewhere."""
    if what not in (E.SECOND_PARCEL, E.PICKUP_DELAYED, E.COMPLETED_FROM_ELSEWHERE):
        raise ValueError(f"{what} is not a changed promise")
    return record_event(order=order, fulfillment=recovered, type=what, actor=actor, data=dict(recovery))


def item_refunded(*, order: Order, sku: str, quantity: int, refund, released, reason: str, actor) -> OrderEvent:
    """Missing units refunded (a case's decision); `released`: the part never charged."""
    return record_event(
        order=order,
        type=E.ITEM_REFUNDED,
        actor=actor,
        data={"sku": sku, "quantity": quantity, "refund": str(refund), "released": str(released), "reason": reason},
    )


def substitute_proposed(*, order: Order, sku: str, quantity: int, substitute: str, actor) -> OrderEvent:
    return record_event(
        order=order,
        type=E.SUBSTITUTE_PROPOSED,
        actor=actor,
        data={"sku": sku, "quantity": quantity, "substitute": substitute},
    )


def substitute_sent(*, order: Order, recovered: Fulfillment, recovery: Recovery, replaces: str, actor) -> OrderEvent:
    return record_event(
        order=order,
        fulfillment=recovered,
        type=E.SUBSTITUTE_SENT,
        actor=actor,
        data={**recovery, "replaces": replaces},
    )


def parcel_lost(*, fulfillment: Fulfillment, reason: str, lines: list[dict], actor) -> OrderEvent:
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PARCEL_LOST,
        actor=actor,
        data={"reason": reason, "lines": lines, "carrier": fulfillment.carrier},
    )


def parcel_back_in_stock(*, fulfillment: Fulfillment, lines: list[dict], actor) -> OrderEvent:
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PARCEL_BACK_IN_STOCK,
        actor=actor,
        data={"location": fulfillment.source_location.code, "lines": lines},
    )


def parcel_not_received(*, fulfillment: Fulfillment, store: str, actor) -> OrderEvent:
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PARCEL_NOT_RECEIVED,
        actor=actor,
        data={"store": store, "tracking_number": fulfillment.tracking_number},
    )


def parcel_overdue(*, fulfillment: Fulfillment, store: str) -> OrderEvent:
    shipped_at = fulfillment.shipped_at
    return record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type=E.PARCEL_OVERDUE,
        data={"store": store, "shipped_at": shipped_at.isoformat() if shipped_at else ""},
    )
