"""A return's timeline, one function per event (the Saleor shape), all through `record_return_event`, the one
writer: the row, then `orders.signals.return_event` in the same transaction (the customer's message, the
channel's webhook, the return's case). The return's moves (in transit, received, closed, cancelled) are written by
`moved`, named by the status they reach."""

from orders.events import ReturnEventType
from orders.events import ReturnEventType as RT
from orders.models import Return, ReturnEvent
from orders.signals import return_event
from stores.actors import actor_fields


def record_return_event(*, return_request: Return, type: ReturnEventType, data=None, actor=None) -> ReturnEvent:
    """One event of the return's timeline; a type `ReturnEventType` does not name is refused (ValueError)."""
    event = ReturnEvent.objects.create(
        return_request=return_request, type=ReturnEventType(type), data=data or {}, **actor_fields(actor)
    )
    return_event.send(sender=ReturnEvent, event=event)
    return event


def moved(*, return_request: Return, to: str, data: dict | None = None, actor) -> ReturnEvent:
    return record_return_event(return_request=return_request, type=RT(to), data=data, actor=actor)


def requested(
    *, return_request: Return, how: str, location: str, drop_off: str, lines: list[dict], exchange: list[dict], actor
) -> ReturnEvent:
    """`lines`: [{"order", "sku", "quantity"}] coming back; `exchange`: [{"sku", "quantity"}] held instead."""
    return record_return_event(
        return_request=return_request,
        type=RT.REQUESTED,
        actor=actor,
        data={"how": how, "location": location, "drop_off": drop_off, "lines": lines, "exchange": exchange},
    )


def overdue(*, return_request: Return, days: int) -> ReturnEvent:
    return record_return_event(
        return_request=return_request,
        type=RT.OVERDUE,
        data={"requested_at": return_request.created_at.isoformat(), "days": days},
    )


def reminder(*, return_request: Return, actor) -> ReturnEvent:
    """Customer care reminded the customer to send the parcel."""
    return record_return_event(return_request=return_request, type=RT.REMINDER, actor=actor)


def exchange_ordered(*, return_request: Return, order_number: str, items: list[dict], actor) -> ReturnEvent:
    return record_return_event(
        return_request=return_request,
        type=RT.EXCHANGE_ORDERED,
        actor=actor,
        data={"order": order_number, "items": items},
    )


def exchange_unavailable(*, return_request: Return, items: list[dict], why: str, actor) -> ReturnEvent:
    """The replacement could not be ordered any more: the customer is refunded instead."""
    return record_return_event(
        return_request=return_request,
        type=RT.EXCHANGE_UNAVAILABLE,
        actor=actor,
        data={"items": items, "why": why},
    )


def received_with_problems(*, return_request: Return, missing: list, damaged: list, actor) -> ReturnEvent:
    return record_return_event(
        return_request=return_request,
        type=RT.RECEIVED_WITH_PROBLEMS,
        actor=actor,
        data={"missing": missing, "damaged": damaged},
    )


def refunded(*, return_request: Return, amount, breakdown: dict | None = None, damaged=None, decision: str = "", actor):
    """The refund paid at receipt (with its breakdown), or later for damaged units (with care's decision)."""
    data = {**(breakdown or {}), "amount": str(amount)}
    if damaged is not None:
        data |= {"damaged": damaged, "decision": decision}
    return record_return_event(return_request=return_request, type=RT.REFUNDED, actor=actor, data=data)


def damage_not_refunded(*, return_request: Return, damaged: list, actor) -> ReturnEvent:
    return record_return_event(
        return_request=return_request, type=RT.DAMAGE_NOT_REFUNDED, actor=actor, data={"damaged": damaged}
    )


def transfer(*, return_request: Return, shipped: bool, location: str, lines: list[dict], actor) -> ReturnEvent:
    """Units a store sends on to the returns centre (`shipped`, `to` the centre), or booked in there (`at`)."""
    return record_return_event(
        return_request=return_request,
        type=RT.TRANSFER_SHIPPED if shipped else RT.TRANSFER_RECEIVED,
        actor=actor,
        data={"to" if shipped else "at": location, "lines": lines},
    )
