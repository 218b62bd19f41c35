"""Money a person gives back: customer care's refunds and goodwill credits, within CARE_REFUND_LIMIT per order and
CARE_REFUND_DAILY_LIMIT per agent and day, and head office's decisions on the requests above them."""

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from omnichannel.errors import InvalidTransition
from omnichannel.formats import money
from orders.errors import InvalidOrder
from orders.models import Order, RefundRequest
from orders.payments import events
from orders.payments.adapters import adapter_for
from orders.payments.money import CENTS, locked_payment, paid_and_not_refunded
from stores.roles import NotAllowed, Right, has_right, require_right


def _checked_amount(amount, payment, reason: str) -> Decimal:
    if not (reason or "").strip():
        raise InvalidOrder(_("Say why (the customer sees the amount, the timeline keeps the reason)."))
    try:
        amount = Decimal(str(amount)).quantize(CENTS)
    except ArithmeticError:
        raise InvalidOrder(_("The amount is not a number."), details={"amount": str(amount)}) from None
    if amount <= 0:
        raise InvalidOrder(_("The amount must be above zero."), details={"amount": str(amount)})
    available = paid_and_not_refunded(payment)
    if amount > available:
        raise InvalidOrder(
            _("%(amount)s is more than what was paid and not yet refunded (%(available)s %(currency)s).")
            % {"amount": money(amount), "available": money(available), "currency": payment.currency},
            details={"amount": str(amount), "refundable": str(available)},
        )
    return amount


@transaction.atomic
def refund_order(*, order: Order, amount, reason: str, kind: str = RefundRequest.Kind.REFUND, actor) -> RefundRequest:
    """Give money back on a paid order: a refund, or a goodwill credit without a return. Never more than was paid
    and not yet refunded. An agent past CARE_REFUND_LIMIT on the order (counting what was refunded and what waits)
    or past CARE_REFUND_DAILY_LIMIT for the day gets a request waiting for head office (nothing is refunded yet);
    head office refunds at once."""
    require_right(actor, Right.WORK_CASES)
    if kind not in RefundRequest.Kind.values:
        raise InvalidOrder(_("Unknown kind of refund."), details={"kind": kind})
    head_office = has_right(actor, Right.APPROVE_REFUND_OVER_LIMIT)
    if not head_office:
        _lock_agent_refunds(actor)
    payment = locked_payment(order)
    amount = _checked_amount(amount, payment, reason)
    over = None if head_office else _over_limit(order=order, agent=actor, amount=amount)
    request = RefundRequest.objects.create(
        order=order, kind=kind, amount=amount, reason=reason.strip()[:500], requested_by=actor
    )
    if over is None:
        return _pay_back(request, payment=payment, actor=actor)
    events.refund_requested(request=request, over=over, actor=actor)
    return request


_COUNTED = (RefundRequest.Status.PENDING, RefundRequest.Status.REFUNDED)


def _over_limit(*, order: Order, agent, amount: Decimal) -> dict | None:
    """Which limit `amount` would pass, with what is already refunded or waiting (None: within both). Per order,
    every care refund and credit counts, whoever asked, so splitting one refund into several changes nothing;
    per agent, everything they asked today (the local day), on any order."""
    on_order = RefundRequest.objects.filter(order_id=order.pk, status__in=_COUNTED).aggregate(s=Sum("amount"))["s"]
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = RefundRequest.objects.filter(
        requested_by=agent, status__in=_COUNTED, created_at__gte=start_of_day
    ).aggregate(s=Sum("amount"))["s"]
    on_order, today = (on_order or Decimal(0)) + amount, (today or Decimal(0)) + amount
    if on_order > Decimal(str(settings.CARE_REFUND_LIMIT)):
        return {"limit": "order", "counted": str(on_order), "limit_amount": str(settings.CARE_REFUND_LIMIT)}
    if today > Decimal(str(settings.CARE_REFUND_DAILY_LIMIT)):
        return {"limit": "agent_day", "counted": str(today), "limit_amount": str(settings.CARE_REFUND_DAILY_LIMIT)}
    return None


def _lock_agent_refunds(agent) -> None:
    """One agent's refunds one at a time (their day's total is read, then added to): a transaction-long advisory
    lock, taken before the payment's row lock. The SQLite demo has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7002, %s)", [agent.pk])


@transaction.atomic
def decide_refund(*, request: RefundRequest | int, approve: bool, actor, note: str = "") -> RefundRequest:
    """Head office approves (the money goes back now, if it still can) or rejects a request above the limit."""
    require_right(actor, Right.APPROVE_REFUND_OVER_LIMIT)
    request = (
        RefundRequest.objects.select_for_update(no_key=True)
        .select_related("order")
        .get(pk=getattr(request, "pk", request))
    )
    if request.requested_by_id == actor.pk:
        raise NotAllowed(
            _("A request is decided by someone other than the person who asked for it."),
            details={"request": request.pk},
        )
    if request.status != RefundRequest.Status.PENDING:
        raise InvalidTransition(
            current=request.status,
            wanted="refunded" if approve else "rejected",
            allowed=[],
            message=_("This request was already decided."),
        )
    if not approve:
        request.status, request.decided_by, request.decided_at = RefundRequest.Status.REJECTED, actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        events.refund_rejected(request=request, note=note, actor=actor)
        return request
    payment = locked_payment(request.order)
    _checked_amount(request.amount, payment, request.reason)
    return _pay_back(request, payment=payment, actor=actor)


def _pay_back(request: RefundRequest, *, payment, actor) -> RefundRequest:
    reference = adapter_for(payment.provider).refund(payment=payment, amount=request.amount)
    payment.refunded_amount += request.amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    request.status, request.decided_by, request.decided_at = RefundRequest.Status.REFUNDED, actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    events.refund_paid(request=request, reference=reference, actor=actor)
    return request
