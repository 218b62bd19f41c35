"""Writes of the customer-care console: what an agent (or head office) does for a customer, through the same
order services the API uses. Every action needs the customer-care right, names its reason, lands on the order's
or reservation's timeline with the person, and writes a row of the read-only audit log (before → after)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from inventory.models import ChannelListing
from notifications import services as outbox
from notifications.models import Notification
from omnichannel.errors import InvalidInput
from orders import services as orders
from orders.models import Customer, Order, RefundRequest, Reservation
from stores.models import SalesChannel
from stores.roles import Right, require_right
from stores.services import audit

CALL_CENTER = "call_center"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Say why: the order's timeline and the audit log keep the reason."), details={"reason": ""}
        )
    return reason[:500]


@transaction.atomic
def change_address(*, order: Order, address: dict, reason: str, actor) -> Order:
    require_right(actor, Right.WORK_CASES)
    reason = _reason(reason)
    before = dict(order.shipping_address)
    order = orders.change_shipping_address(order=order, address=address, actor=actor)
    audit(
        actor=actor,
        action="change_address",
        target=f"order:{order.number}",
        before=before,
        after=address,
        reason=reason,
    )
    return order


@transaction.atomic
def cancel(*, order: Order, lines: dict[str, int] | None, reason: str, actor) -> Order:
    """The whole order (`lines` None) or some units of some lines: stock released, refunded, customer told."""
    require_right(actor, Right.WORK_CASES)
    reason = _reason(reason)
    before = {"status": order.status, "lines": _open_units(order)}
    order = orders.cancel_order(order=order, lines=lines, actor=actor, reason=reason)
    audit(
        actor=actor,
        action="cancel_order" if lines is None else "cancel_lines",
        target=f"order:{order.number}",
        before=before,
        after={"status": order.status, "lines": _open_units(order)},
        reason=reason,
    )
    return order


def _open_units(order: Order) -> dict:
    return {line.sku.code: line.quantity_open for line in order.lines.select_related("sku")}


@transaction.atomic
def refund(*, order: Order, amount, reason: str, kind: str, actor) -> RefundRequest:
    """A refund or goodwill credit: at once within the agent's limit (or by head office), else a request that
    waits for head office with nothing refunded yet."""
    reason = _reason(reason)
    payment_before = _money(order)
    request = orders.refund_order(order=order, amount=amount, reason=reason, kind=kind, actor=actor)
    audit(
        actor=actor,
        action=f"{kind}_requested" if request.status == RefundRequest.Status.PENDING else kind,
        target=f"order:{order.number}",
        before=payment_before,
        after={**_money(order), "request": request.pk, "amount": str(request.amount), "status": request.status},
        reason=reason,
    )
    return request


@transaction.atomic
def decide_refund(*, request: RefundRequest, approve: bool, actor, note: str = "") -> RefundRequest:
    before = _money(request.order)
    request = orders.decide_refund(request=request, approve=approve, actor=actor, note=note)
    audit(
        actor=actor,
        action="refund_approved" if approve else "refund_rejected",
        target=f"order:{request.order.number}",
        before={**before, "request": request.pk, "status": "pending"},
        after={**_money(request.order), "request": request.pk, "status": request.status},
        reason=note or request.reason,
    )
    return request


def _money(order: Order) -> dict:
    payment = order.payment
    payment.refresh_from_db()
    return {
        "captured": str(payment.captured_amount),
        "refunded": str(payment.refunded_amount),
        "released": str(payment.released_amount),
    }


@transaction.atomic
def extend_pickup(*, order: Order, days: int, reason: str, actor):
    reason = _reason(reason)
    waiting = order.fulfillments.filter(status="ready_for_pickup", pickup_deadline__isnull=False)
    fulfillment = waiting.order_by("id").first()
    if fulfillment is None or fulfillment.pickup_deadline is None:
        raise InvalidInput(_("No pickup of this order is waiting in store."), details={"days": days})
    before = fulfillment.pickup_deadline.isoformat()
    fulfillment = orders.extend_pickup(fulfillment=fulfillment, days=days, reason=reason, actor=actor)
    after = fulfillment.pickup_deadline
    audit(
        actor=actor,
        action="extend_pickup",
        target=f"order:{order.number}",
        before={"pickup_deadline": before},
        after={"pickup_deadline": after.isoformat() if after else ""},
        reason=reason,
    )
    return fulfillment


@transaction.atomic
def extend_reservation(*, reservation: Reservation, hours: int, reason: str, actor) -> Reservation:
    reason = _reason(reason)
    before = reservation.expires_at.isoformat()
    reservation = orders.extend_reservation(reservation=reservation, hours=hours, reason=reason, actor=actor)
    audit(
        actor=actor,
        action="extend_reservation",
        target=f"reservation:{reservation.number}",
        before={"expires_at": before},
        after={"expires_at": reservation.expires_at.isoformat()},
        reason=reason,
    )
    return reservation


@transaction.atomic
def resend(*, order: Order, what: str, actor) -> None:
    orders.resend_message(order=order, what=what, actor=actor)
    audit(actor=actor, action=f"resend_{what}", target=f"order:{order.number}", reason="customer asked")


@transaction.atomic
def fix_contact(*, record: Order | Reservation, email: str = "", phone: str = "", reason: str, actor) -> list:
    """Correct the order's (or reservation's) email or phone, however the phone was typed (the order service
    normalizes it), and send again every
    message that failed for good on that channel, to the corrected contact. Returns the new outbox rows."""
    require_right(actor, Right.WORK_CASES)
    reason = _reason(reason)
    before = {"email": record.contact_email, "phone": record.contact_phone}
    is_order = isinstance(record, Order)
    if isinstance(record, Order):
        changed = orders.change_contact_details(order=record, email=email, phone=phone, actor=actor)
    else:
        changed = orders.change_contact_details(reservation=record, email=email, phone=phone, actor=actor)
    failed = Notification.objects.filter(
        **({"order": record} if is_order else {"reservation": record}), status=Notification.Status.FAILED
    )
    resent = []
    for notification in failed:
        if notification.channel == Notification.Channel.SMS and phone:
            resent.append(outbox.resend_notification(notification=notification, recipient=changed.contact_phone))
        elif notification.channel == Notification.Channel.EMAIL and email:
            resent.append(outbox.resend_notification(notification=notification, recipient=changed.contact_email))
    audit(
        actor=actor,
        action="fix_contact",
        target=f"{'order' if is_order else 'reservation'}:{record.number}",
        before=before,
        after={"email": changed.contact_email, "phone": changed.contact_phone, "resent": [n.pk for n in resent]},
        reason=reason,
    )
    return resent


def call_center_channel() -> SalesChannel:
    channel = SalesChannel.objects.filter(code=CALL_CENTER, active=True).first()
    if channel is None:
        raise InvalidInput(
            _("There is no active %(code)s sales channel: head office creates it in the admin.")
            % {"code": CALL_CENTER},
            details={"channel": CALL_CENTER},
        )
    return channel


def phone_prices(*, channel: SalesChannel, skus) -> dict[str, Decimal]:
    """The call-center channel's price of each SKU, else the web shop's (the price the customer sees online);
    SKUs with neither are left out. One query."""
    found: dict[str, Decimal] = {}
    listings = ChannelListing.objects.filter(sku__code__in=list(skus)).filter(
        Q(channel=channel) | Q(channel__kind="web", currency=channel.currency)
    )
    # The call center's own listing wins over the web shop's.
    for code, price, own in listings.values_list("sku__code", "price", "channel_id").order_by("sku__code", "id"):
        if own == channel.pk or code not in found:
            found[code] = price
    return found


def _priced_lines(channel: SalesChannel, lines: list[dict]) -> list[dict]:
    prices = phone_prices(channel=channel, skus=[line["sku"] for line in lines])
    unpriced = [line["sku"] for line in lines if line["sku"] not in prices]
    if unpriced:
        raise InvalidInput(
            _("%(sku)s has no price on any channel.") % {"sku": ", ".join(unpriced)}, details={"skus": unpriced}
        )
    return [{**line, "unit_price": prices[line["sku"]]} for line in lines]


@transaction.atomic
def order_on_behalf(*, customer: Customer, lines: list[dict], fulfillment: dict, pay_by_link: str, actor) -> Order:
    """A phone order of one or more items (`lines`: [{"sku", "quantity"}]) placed by an agent through the same
    placement as the API, on the call-center channel, paid by a pay-by-link whose reference the manual payment
    adapter records."""
    require_right(actor, Right.WORK_CASES)
    if not (pay_by_link or "").strip():
        raise InvalidInput(_("Give the pay-by-link reference sent to the customer."), details={"pay_by_link": ""})
    channel = call_center_channel()
    priced = _priced_lines(channel, lines)
    total = sum((line["unit_price"] * line["quantity"] for line in priced), Decimal("0")).quantize(Decimal("0.01"))
    order = orders.place_order(
        channel=channel,
        customer=_customer_details(customer),
        lines=priced,
        fulfillment=fulfillment,
        payment={
            "provider": "pay_by_link",
            "reference": pay_by_link.strip()[:120],
            "amount": total,
            "currency": channel.currency,
        },
        actor=actor,
    )
    audit(
        actor=actor,
        action="order_on_behalf",
        target=f"order:{order.number}",
        after={"customer": customer.pk, "lines": lines, "method": order.method, "total": str(total)},
        reason="phone order",
    )
    return order


@transaction.atomic
def reserve_on_behalf(*, customer: Customer, lines: list[dict], location: str, actor) -> Reservation:
    require_right(actor, Right.WORK_CASES)
    reservation = orders.reserve_items(
        channel=call_center_channel(), customer=_customer_details(customer), location=location, lines=lines, actor=actor
    )
    audit(
        actor=actor,
        action="reserve_on_behalf",
        target=f"reservation:{reservation.number}",
        after={"customer": customer.pk, "lines": lines, "location": location},
        reason="phone reservation",
    )
    return reservation


def _customer_details(customer: Customer) -> dict:
    return {
        "email": customer.email,
        "phone": customer.phone,
        "name": customer.name,
        "locale": customer.locale or settings.LANGUAGE_CODE,
    }
