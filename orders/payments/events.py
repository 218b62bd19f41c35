"""The money's events on an order's timeline, one function each (the Saleor shape): each says what its event
carries, typed, and writes the same `data` keys the messages, the pages and the playbook read. Every money event
of the order timeline is written here, and nowhere else."""

from decimal import Decimal

from orders.events import OrderEventType as E
from orders.models import OrderEvent, Payment, RefundRequest
from orders.timeline import record_event

# A person's refund or credit, once paid: its event (a refund of what was paid, or a goodwill credit).
EVENT_FOR_KIND: dict[str, E] = {
    RefundRequest.Kind.REFUND: E.REFUND_ISSUED,
    RefundRequest.Kind.GOODWILL: E.GOODWILL_CREDIT,
}


def payment_captured(*, payment: Payment, amount: Decimal, reference: str, fulfillment=None, actor) -> OrderEvent:
    return record_event(
        order=payment.order,
        fulfillment=fulfillment,
        type=E.PAYMENT_CAPTURED,
        actor=actor,
        data={"amount": str(amount), "currency": payment.currency, "reference": reference},
    )


def money_given_back(
    *, payment: Payment, released: bool, amount: Decimal, reason: str, reference: str, fulfillment=None, actor
) -> OrderEvent:
    """`payment_released` (never charged: the authorization let go) or `payment_refunded` (of what was captured)."""
    return record_event(
        order=payment.order,
        fulfillment=fulfillment,
        type=E.PAYMENT_RELEASED if released else E.PAYMENT_REFUNDED,
        actor=actor,
        data={"amount": str(amount), "currency": payment.currency, "reason": reason, "reference": reference},
    )


def refund_requested(*, request: RefundRequest, over: dict, actor) -> OrderEvent:
    """A person's refund above a limit waits for head office; `over` says which limit and what it counted."""
    return record_event(
        order=request.order,
        type=E.REFUND_REQUESTED,
        actor=actor,
        data={
            "request": request.pk,
            "amount": str(request.amount),
            "kind": request.kind,
            "reason": request.reason,
            **over,
        },
    )


def refund_rejected(*, request: RefundRequest, note: str, actor) -> OrderEvent:
    return record_event(
        order=request.order,
        type=E.REFUND_REJECTED,
        actor=actor,
        data={"request": request.pk, "amount": str(request.amount), "note": note},
    )


def refund_paid(*, request: RefundRequest, reference: str, actor) -> OrderEvent:
    """A person's refund or goodwill credit, paid (at once, or once head office approved it)."""
    return record_event(
        order=request.order,
        type=EVENT_FOR_KIND[request.kind],
        actor=actor,
        data={
            "request": request.pk,
            "refund": str(request.amount),
            "reason": request.reason,
            "reference": reference,
            "asked_by": request.requested_by.get_username() if request.requested_by else "",
        },
    )
