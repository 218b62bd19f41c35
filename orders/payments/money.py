"""An order's money, all its rules in one place (DESIGN.md sections 3 and 6): what the channel authorized, what
is captured when goods leave, what goes back (released while never captured, refunded of what was), and the
settlement once nothing is left to send. The payment row is locked last (orders/locks.py)."""

from decimal import Decimal

from orders.fulfillment.models import TERMINAL, S
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderLine,
    Payment,
)
from orders.payments import events
from orders.payments.adapters import adapter_for

CENTS = Decimal("0.01")


def authorize(*, order: Order, provider: str, reference: str, currency: str, amount: Decimal) -> Payment:
    """Record what the channel's payment service authorized for a new order (the OMS never sees card data)."""
    return Payment.objects.create(
        order=order, provider=provider, reference=reference, currency=currency, authorized_amount=amount
    )


def locked_payment(order: Order) -> Payment:
    """The order's payment, locked: the last row a write locks (orders/locks.py)."""
    return Payment.objects.select_for_update(no_key=True).get(order_id=order.pk)


def locked_payments(order_ids) -> dict[int, Payment]:
    """Several orders' payments, locked in order id order (two writes over the same orders wait in turn)."""
    rows = Payment.objects.select_for_update(no_key=True).filter(order_id__in=sorted(set(order_ids)))
    return {payment.order_id: payment for payment in rows.order_by("order_id")}


def capture(*, order: Order, amount: Decimal, fulfillment=None, actor) -> Decimal:
    """Capture the money for goods that leave (shipped, handed over): `amount` for their units, plus the order's
    shipping price with the first capture; never more than the authorization still holds. Returns what was
    captured."""
    payment = locked_payment(order)
    if payment.captured_amount == 0:
        amount += order.shipping_price
    amount = min(amount, open_authorization(payment))
    if amount <= 0:
        return Decimal("0")
    reference = adapter_for(payment.provider).capture(payment=payment, amount=amount)
    payment.captured_amount += amount
    payment.save(update_fields=["captured_amount", "updated_at"])
    events.payment_captured(payment=payment, amount=amount, reference=reference, fulfillment=fulfillment, actor=actor)
    return amount


# Until these moves a fulfillment's money is only authorized: a parcel home is captured when it ships, a pickup
# (ship-to-store included) when it is handed over.
_UNCAPTURED: dict[str, set[str]] = {
    Fulfillment.Flow.SHIP: {S.PENDING, S.PICKING, S.PACKED},
    Fulfillment.Flow.PICKUP: set(S.values) - TERMINAL,
    Fulfillment.Flow.SHIP_TO_STORE: set(S.values) - TERMINAL,
}


def still_authorized_for(order: Order, payment: Payment) -> Decimal:
    """What the uncaptured authorization must keep: units still to be captured, missing units nobody has decided
    about (their money waits for the case), the shipping price until the first capture. Never more than is open."""
    needed, coming = Decimal("0"), False
    lines = FulfillmentLine.objects.filter(fulfillment__order_id=order.pk).select_related("fulfillment", "order_line")
    for line in lines:
        if line.fulfillment.status in _UNCAPTURED[line.fulfillment.flow] and line.quantity_open:
            needed += line.quantity_open * line.order_line.unit_price
            coming = True
    needed += sum(
        (line.quantity_short_open * line.unit_price for line in OrderLine.objects.filter(order_id=order.pk)),
        Decimal("0"),
    )
    if coming and payment.captured_amount == 0:
        needed += order.shipping_price
    return min(needed, open_authorization(payment))


def open_authorization(payment: Payment) -> Decimal:
    """The authorization neither captured nor released."""
    return payment.authorized_amount - payment.captured_amount - payment.released_amount


def money_back(order: Order, payment: Payment, amount: Decimal, *, release_only: bool = False):
    """How `amount` goes back on this (locked) payment, as (released, refunded): first what the authorization
    holds beyond what it still needs (never charged: a release), then what was captured and not yet refunded.
    Callers change the units first (cancelled, not collected, refunded missing), so they no longer count."""
    amount = max(Decimal(amount).quantize(CENTS), Decimal("0"))
    released = min(amount, max(open_authorization(payment) - still_authorized_for(order, payment), Decimal("0")))
    refunded = (
        Decimal("0") if release_only else min(amount - released, payment.captured_amount - payment.refunded_amount)
    )
    return released, max(refunded, Decimal("0"))


def give_money_back(
    order: Order, amount: Decimal, *, reason: str, actor, fulfillment=None, payment=None, release_only=False
) -> Decimal:
    """Give back `amount`: released while never captured, refunded from what was; never more than is
    outstanding. `payment`: the order's payment when the caller already holds it locked. Returns the total."""
    payment = payment or locked_payment(order)
    released, refunded = money_back(order, payment, amount, release_only=release_only)
    return give_back(order, payment, released, refunded, reason=reason, actor=actor, fulfillment=fulfillment)


def give_back(
    order: Order, payment: Payment, released: Decimal, refunded: Decimal, *, reason: str, actor, fulfillment=None
) -> Decimal:
    """Carry out a split `money_back` worked out (for callers that first tell the customer how the money comes
    back): each part through the payment's adapter, with its event. Returns the total."""
    adapter = adapter_for(payment.provider)
    parts = (
        (True, released, adapter.release, "released_amount"),
        (False, refunded, adapter.refund, "refunded_amount"),
    )
    for is_release, part, send, field in parts:
        if part <= 0:
            continue
        reference = send(payment=payment, amount=part)
        setattr(payment, field, getattr(payment, field) + part)
        events.money_given_back(
            payment=payment,
            released=is_release,
            amount=part,
            reason=reason,
            reference=reference,
            fulfillment=fulfillment,
            actor=actor,
        )
    if released or refunded:
        payment.save(update_fields=["released_amount", "refunded_amount", "updated_at"])
    return released + refunded


def settle_if_finished(order: Order, actor) -> None:
    """Once nothing is left to ship or hand over, release what was authorized and will never be captured
    (the shipping price of an order cancelled before anything shipped, say). Missing units nobody has decided
    about yet keep their money: their case refunds them, sends them from elsewhere or substitutes them."""
    if order.fulfillments.exclude(status__in=TERMINAL).exists():
        return
    payment = locked_payment(order)
    left = open_authorization(payment)
    if left > 0:
        give_money_back(order, left, reason="nothing left to fulfil", actor=actor, payment=payment, release_only=True)


def paid_and_not_refunded(payment) -> Decimal:
    """What the customer paid (captured) and has not had back; a release of the never-captured authorization was
    never paid, so it is not part of it."""
    return max(payment.captured_amount - payment.refunded_amount, Decimal(0))
