"""Changes to an order after it was placed, asked by the customer's channel or by customer care: cancelling lines
or the whole order (holds released in lock order, refunded, fulfillments closed), a new delivery address before
anything ships, corrected contact details."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from inventory import services as stock
from omnichannel.errors import InvalidTransition
from orders import locks
from orders.errors import InvalidOrder, OrderNotChangeable
from orders.fulfillment.models import S
from orders.fulfillment.services import transition_fulfillment
from orders.fulfillment.status import refresh_order_status
from orders.models import FulfillmentLine, FulfillmentMethod, Order, OrderLine
from orders.payments.money import give_back, locked_payment, money_back, settle_if_finished
from orders.placement import events


@transaction.atomic
def cancel_order(*, order: Order, lines: dict[str, int] | None = None, actor=None, reason: str = "") -> Order:
    """Cancel the whole order, or `lines` ({sku code: quantity}), while those units have not shipped.

    Holds are released and the amount refunded; a fulfillment left with nothing becomes cancelled. Any unit
    that already left (or is ready in store for ship-to-store after shipping) makes the call a 409.
    """
    order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    locks.lock_fulfillments(order.fulfillments.values_list("pk", flat=True))  # its parcels before any stock row
    cancellable = {S.PENDING, S.PICKING, S.PACKED, S.READY_FOR_PICKUP}
    fulfillment_lines = list(
        FulfillmentLine.objects.filter(fulfillment__order=order)
        .select_related("fulfillment", "order_line__sku", "hold")
        .order_by("fulfillment_id", "id")
    )
    wanted: dict[str, int | None] = (
        dict(lines) if lines else {fl.order_line.sku.code: None for fl in fulfillment_lines if fl.quantity_open}
    )
    if not wanted:
        # Nothing left to cancel: a repeated cancel is refused, so it never tells the customer twice.
        if order.status == Order.Status.CANCELLED:
            raise InvalidTransition(
                current=order.status,
                wanted=Order.Status.CANCELLED,
                allowed=[],
                message=_("This order is already cancelled."),
            )
        raise OrderNotChangeable(_("Nothing on this order can be cancelled any more."), details={"order": order.number})
    if lines:
        known = {fl.order_line.sku.code for fl in fulfillment_lines}
        unknown = [code for code in lines if code not in known]
        if unknown:
            raise InvalidOrder(
                _("Not on this order: %(codes)s") % {"codes": ", ".join(unknown)}, details={"skus": unknown}
            )
    plan = []  # (fulfillment line, quantity)
    for code, quantity in wanted.items():
        open_lines = [fl for fl in fulfillment_lines if fl.order_line.sku.code == code and fl.quantity_open]
        movable = [fl for fl in open_lines if fl.fulfillment.status in cancellable]
        want = sum(fl.quantity_open for fl in open_lines) if quantity is None else quantity
        if want <= 0 or want > sum(fl.quantity_open for fl in movable):
            raise OrderNotChangeable(
                _("%(sku)s: %(want)s cannot be cancelled; %(can)s can (the rest has shipped or is not on the order).")
                % {"sku": code, "want": want, "can": sum(fl.quantity_open for fl in movable)},
                details={"sku": code, "requested": want, "cancellable": sum(fl.quantity_open for fl in movable)},
            )
        for fl in movable:
            take = min(want, fl.quantity_open)
            if take:
                plan.append((fl, take))
                want -= take
    refund_total = Decimal("0")
    plan = stock.in_lock_order(plan, hold_of=lambda step: step[0].hold)
    for fl, quantity in plan:
        stock.release_hold(hold=fl.held, quantity=quantity)
        fl.quantity_cancelled += quantity
        fl.save(update_fields=["quantity_cancelled"])
        OrderLine.objects.filter(pk=fl.order_line_id).update(quantity_cancelled=F("quantity_cancelled") + quantity)
        refund_total += fl.order_line.unit_price * quantity
    payment = locked_payment(order)
    released, refunded = money_back(order, payment, refund_total)
    events.cancelled(
        order=order,
        whole=lines is None,
        lines=[{"sku": fl.order_line.sku.code, "quantity": q} for fl, q in plan],
        refund=released + refunded,
        released=released,
        reason=reason,
        actor=actor,
    )
    give_back(order, payment, released, refunded, reason=reason or "cancelled", actor=actor)
    for fulfillment in {fl.fulfillment_id for fl, _q in plan}:
        if (
            not FulfillmentLine.objects.filter(fulfillment_id=fulfillment)
            .exclude(quantity=F("quantity_cancelled") + F("quantity_short"))
            .exists()
        ):
            transition_fulfillment(fulfillment=fulfillment, to=S.CANCELLED, actor=actor, data={"reason": reason})
    settle_if_finished(order, actor)
    refresh_order_status(order)
    order.refresh_from_db()
    return order


@transaction.atomic
def change_shipping_address(*, order: Order, address: dict, actor=None) -> Order:
    """A new delivery address while nothing has shipped yet."""
    order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    if order.method != FulfillmentMethod.HOME_DELIVERY:
        raise OrderNotChangeable(_("Only home deliveries have a shipping address."))
    if order.fulfillments.filter(shipped_at__isnull=False).exists():
        raise OrderNotChangeable(_("Part of this order has shipped: the address can no longer change."))
    old = order.shipping_address
    order.shipping_address = address
    order.save(update_fields=["shipping_address", "updated_at"])
    events.address_changed(order=order, before=old, after=address, actor=actor)
    return order
