"""Receiving a return (DESIGN.md section 9): count what arrived at the receiving location, give each unit one
disposition (restocked here: a `return` movement, on sale at once; sent to the returns centre: counted here and
held for the transfer; quarantined; written off), then pay the refund of what really came back, once, and order an
exchange's replacement. Missing or damaged units are an event the playbook opens a case for."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import StockHold, StockMovement
from omnichannel.errors import DomainError, InvalidInput, InvalidTransition
from orders.models import (
    ExchangeLine,
    OrderLine,
    Return,
    ReturnLine,
)
from orders.payments.breakdown import paid_unit_price, refund_breakdown
from orders.payments.money import CENTS, give_money_back, locked_payments
from orders.returns import events
from orders.returns.common import (
    RS,
    ensure_move,
    give_back_units,
    locked_return,
    move_return,
    returns_centre,
)
from orders.returns.exchanges import order_exchange, release_exchange
from stores.models import Location

DISPOSITIONS = ("restock_here", "send_to_warehouse", "quarantine", "write_off")


# What a store's returns desk decides for damaged units: refund them now, or let customer care decide ("": not
# asked, e.g. nothing arrived damaged, or the warehouse, where customer care always decides).
DAMAGED_REFUND = ("", "now", "care")


# A case's decision on damaged units: the share of their price refunded.
DAMAGE_DECISIONS = {"refund": Decimal("1"), "partial": Decimal("0.5"), "refuse": Decimal("0")}


# Disposition -> the ReturnLine column that counts it.
DISPOSITION_FIELDS = {
    "restock_here": "restocked",
    "send_to_warehouse": "sent_to_warehouse",
    "quarantine": "quarantined",
    "write_off": "written_off",
}


def _checked_counts(return_request: Return, lines: dict, counts: list[dict]) -> dict[int, dict]:
    """{return line id: {"received": n, disposition: n, …}} from what the receiving person entered, or a 400."""
    result = {pk: {"received": 0, **dict.fromkeys(DISPOSITIONS, 0)} for pk in lines.values()}
    is_warehouse = return_request.location.kind == Location.Kind.WAREHOUSE
    seen = set()
    for item in counts:
        key = (item["order"], item["sku"])
        if key not in lines:
            raise InvalidInput(
                _("Not on this return: %(sku)s") % {"sku": item["sku"]}, details={"order": key[0], "sku": key[1]}
            )
        if key in seen:
            raise InvalidInput(_("Each item may appear once."), details={"order": key[0], "sku": key[1]})
        seen.add(key)
        dispositions = item.get("dispositions") or {}
        unknown = sorted(set(dispositions) - set(DISPOSITIONS))
        if unknown:
            raise InvalidInput(
                _("Unknown disposition: %(names)s.") % {"names": ", ".join(unknown)},
                details={"dispositions": unknown, "allowed": list(DISPOSITIONS)},
            )
        row = {"received": int(item["received"]), **{name: int(dispositions.get(name, 0)) for name in DISPOSITIONS}}
        if any(value < 0 for value in row.values()):
            raise InvalidInput(_("Counts cannot be negative."), details={"sku": key[1]})
        if sum(row[name] for name in DISPOSITIONS) != row["received"]:
            raise InvalidInput(
                _("%(sku)s: give each of the %(received)s units received one destination.")
                % {"sku": key[1], "received": row["received"]},
                details={"sku": key[1], "received": row["received"]},
            )
        if row["send_to_warehouse"] and is_warehouse:
            raise InvalidInput(_("The returns centre restocks its own units."), details={"sku": key[1]})
        result[lines[key]] = row
    return result


def _checked_receipt(return_request: Return, return_lines: list, lines: list[dict], *, location, damaged_refund: str):
    """Each return line's counts ({line id: {"received", dispositions…}}), if they fit what was announced and the
    damaged units' refund is decided where it may be."""
    keys = {(line.order_line.order.number, line.order_line.sku.code): line.pk for line in return_lines}
    counts = _checked_counts(return_request, keys, lines)
    for line in return_lines:
        row = counts[line.pk]
        if row["received"] > line.quantity:
            raise InvalidInput(
                _("%(sku)s: %(received)s received but %(announced)s announced.")
                % {"sku": line.order_line.sku.code, "received": row["received"], "announced": line.quantity},
                details={"sku": line.order_line.sku.code, "received": row["received"], "announced": line.quantity},
            )
    at_store_desk = location.kind == Location.Kind.STORE
    damaged = sum(counts[line.pk]["quarantine"] + counts[line.pk]["write_off"] for line in return_lines)
    if damaged and at_store_desk and not damaged_refund:
        raise InvalidInput(
            _("%(units)s damaged unit(s): refund them now, or let customer care decide.") % {"units": damaged},
            details={"damaged_refund": None, "allowed": ["now", "care"]},
        )
    if damaged_refund == "now" and not at_store_desk:
        raise InvalidInput(
            _("Only a store's returns desk refunds damaged units on the spot: customer care decides here."),
            details={"damaged_refund": damaged_refund},
        )
    return counts


def _book_units(return_request: Return, return_lines: list, *, location, actor) -> None:
    """The counted units into stock here, the transfer's units held for the returns centre, the lines saved, and
    the units announced but not received free to be returned again."""
    # Every unit back on a shelf here (for sale, or waiting for the transfer) in one set-based receipt, the rows
    # locked in (location, sku) order; the transfer's units held in one call, so they are not for sale here.
    on_shelf = [(line.order_line.sku_id, line.restocked + line.sent_to_warehouse) for line in return_lines]
    stock.receive_units(
        location=location,
        lines=[(sku_id, units) for sku_id, units in on_shelf if units],
        reason=StockMovement.Reason.RETURN,
        reference=return_request.number,
        actor=actor,
    )
    onward = [
        (location, line.order_line.sku_id, line.sent_to_warehouse) for line in return_lines if line.sent_to_warehouse
    ]
    if onward:
        centre = returns_centre()
        holds = stock.hold_stock(
            lines=onward,
            kind=StockHold.Kind.TRANSFER,
            reference=f"return:{return_request.number}:to:{centre.code if centre else 'warehouse'}",
            respect_safety_stock=False,
        )
        hold_for_sku = {hold.sku_id: hold for hold in holds}
        for line in return_lines:
            if line.sent_to_warehouse:
                line.transfer_hold = hold_for_sku[line.order_line.sku_id]
    ReturnLine.objects.bulk_update(
        return_lines, ["quantity_received", *DISPOSITION_FIELDS.values(), "transfer_hold", "refund_waiting"]
    )
    # Units announced and not received may be returned again.
    give_back_units({line.order_line_id: line.quantity - line.quantity_received for line in return_lines})


@transaction.atomic
def receive_return(
    *, return_request: Return | int, location: Location, lines: list[dict], actor=None, damaged_refund: str = ""
) -> Return:
    """Count what arrived at `location` and give each unit its disposition (`lines`: [{"order", "sku", "received",
    "dispositions": {"restock_here": n, "send_to_warehouse": n, "quarantine": n, "write_off": n}}]; a line not
    listed arrived with no unit). Fewer units than announced is normal: those may be returned again and the
    playbook looks into it. Then the refund of what came back is paid and an exchange's replacement ordered.

    Damaged units (quarantined, written off) are refunded at receipt only when a store's returns desk decides so on
    the spot (`damaged_refund="now"`); otherwise (`"care"`, and always at the warehouse, for courier and locker
    returns) their refund waits for the return's case: refund, partial or refused, the full refund by default
    after its window. The return row is locked first: of two receipts at once, the second finds it received."""
    if damaged_refund not in DAMAGED_REFUND:
        raise InvalidInput(
            _("Damaged units are refunded now or decided by customer care."),
            details={"damaged_refund": damaged_refund, "allowed": [c for c in DAMAGED_REFUND if c]},
        )
    return_request = locked_return(return_request, received_at=location)
    ensure_move(return_request, RS.RECEIVED)
    return_lines = list(
        return_request.lines.select_related("order_line__sku__product", "order_line__order", "reason").order_by(
            "order_line__sku_id", "pk"
        )
    )
    counts = _checked_receipt(return_request, return_lines, lines, location=location, damaged_refund=damaged_refund)
    for line in return_lines:
        row = counts[line.pk]
        line.quantity_received = row["received"]
        for name, column in DISPOSITION_FIELDS.items():
            setattr(line, column, row[name])
        line.refund_waiting = 0 if damaged_refund == "now" else line.quarantined + line.written_off
    _book_units(return_request, return_lines, location=location, actor=actor)

    return_request.received_at = timezone.now()
    move_return(
        return_request,
        RS.RECEIVED,
        actor=actor,
        fields=("received_at",),
        data={
            "location": location.code,
            "lines": [
                {
                    "order": line.order_line.order.number,
                    "sku": line.order_line.sku.code,
                    "announced": line.quantity,
                    "received": line.quantity_received,
                    **{name: getattr(line, column) for name, column in DISPOSITION_FIELDS.items()},
                }
                for line in return_lines
            ],
        },
    )
    _problems(return_request, return_lines, actor=actor)
    if return_request.exchange_lines.exists() and return_request.exchange_order_id is None:
        _exchange_or_refund_instead(return_request, actor=actor)
    _pay_refund(return_request, return_lines, actor=actor)
    move_return(return_request, RS.CLOSED, actor=actor)
    return return_request


def _exchange_or_refund_instead(return_request: Return, *, actor) -> None:
    """Order the replacement; when it cannot be ordered any more (the SKU withdrawn meanwhile, say), the customer
    is refunded instead (the exchange is dropped, said on the timeline and to the customer): a receipt never
    fails because of the exchange."""
    try:
        with transaction.atomic():
            order_exchange(return_request, actor=actor)
    except DomainError as refused:
        rows = release_exchange(return_request)
        ExchangeLine.objects.filter(return_request=return_request).delete()
        events.exchange_unavailable(
            return_request=return_request,
            items=[{"sku": row.sku.code, "quantity": row.quantity} for row in rows],
            why=str(refused.message),
            actor=actor,
        )


def _problems(return_request: Return, return_lines: list[ReturnLine], *, actor) -> None:
    """Units missing from the parcel, or damaged beyond sale: an event the playbook opens a case for."""
    missing = [
        {
            "order": line.order_line.order.number,
            "sku": line.order_line.sku.code,
            "units": line.quantity - line.quantity_received,
        }
        for line in return_lines
        if line.quantity_received < line.quantity
    ]
    damaged = [
        {
            "order": line.order_line.order.number,
            "sku": line.order_line.sku.code,
            "units": line.written_off + line.quarantined,
            "reason": line.reason.code,
            "refund_waiting": line.refund_waiting,
        }
        for line in return_lines
        if line.written_off + line.quarantined
    ]
    if missing or damaged:
        events.received_with_problems(return_request=return_request, missing=missing, damaged=damaged, actor=actor)


def _pay_refund(return_request: Return, return_lines: list[ReturnLine], *, actor) -> None:
    """The refund of the units received (`return_lines`, as just counted), through each order's payment adapter;
    once (the return is locked and leaves `received` in this transaction)."""
    if return_request.refunded_at is not None:
        return
    # Each line carries its own copy of its order: every copy gets the order's lines (a whole return refunds the
    # shipping) and its payment, locked in order id order (refunds of two returns of one order wait in turn).
    copies = [line.order_line.order for line in return_lines]
    prefetch_related_objects(copies, Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
    orders = sorted({order.pk: order for order in copies}.values(), key=lambda o: o.pk)
    payments = locked_payments(order.pk for order in orders)
    for order in copies:
        if order.pk in payments:
            order.payment = payments[order.pk]
    # Damaged units whose refund waits for customer care are not paid here.
    breakdown = refund_breakdown(
        return_request,
        lines=return_lines,
        received={line.pk: line.quantity_received - line.refund_waiting for line in return_lines},
    )
    paid = Decimal("0.00")
    for order in orders:
        amount = breakdown.orders.get(order.number, Decimal("0.00"))
        if amount > 0 and order.pk in payments:
            paid += give_money_back(
                order, amount, reason=f"return {return_request.number}", actor=actor, payment=payments[order.pk]
            )
    return_request.refunded_amount, return_request.refunded_at = paid, timezone.now()
    return_request.save(update_fields=["refunded_amount", "refunded_at", "updated_at"])
    events.refunded(return_request=return_request, amount=paid, breakdown=breakdown.as_dict(), actor=actor)


@transaction.atomic
def decide_damaged_return_units(*, return_request: Return | int, decision: str, actor=None) -> Decimal:
    """Customer care's decision (or the case's default) on the damaged units of a return whose refund waited:
    "refund" their price paid, "partial" half of it, or "refuse". Once: the units stop waiting in this
    transaction, the return row locked first. The customer is told either way. Returns the amount refunded."""
    if decision not in DAMAGE_DECISIONS:
        raise InvalidInput(_("Unknown decision."), details={"decision": decision, "allowed": list(DAMAGE_DECISIONS)})
    return_request = locked_return(return_request)
    waiting = list(
        return_request.lines.filter(refund_waiting__gt=0)
        .select_related("order_line__order", "order_line__sku")
        .order_by("order_line__order_id", "pk")
    )
    if not waiting:
        raise InvalidTransition(
            current="decided",
            wanted=decision,
            allowed=[],
            message=_("No damaged unit of this return waits for a decision."),
        )
    share = DAMAGE_DECISIONS[decision]
    due: dict[int, Decimal] = {}
    orders = {}
    for line in waiting:
        order = line.order_line.order
        orders[order.pk] = order
        due[order.pk] = due.get(order.pk, Decimal("0")) + paid_unit_price(line.order_line, order) * line.refund_waiting
    paid = Decimal("0.00")
    for payment in locked_payments(due).values():
        amount = (due[payment.order_id] * share).quantize(CENTS)
        if amount > 0:
            paid += give_money_back(
                orders[payment.order_id],
                amount,
                reason=f"return {return_request.number}: damaged units, {decision}",
                actor=actor,
                payment=payment,
            )
    ReturnLine.objects.filter(pk__in=[line.pk for line in waiting]).update(refund_waiting=0)
    units = [{"sku": line.order_line.sku.code, "units": line.refund_waiting} for line in waiting]
    if paid > 0:
        return_request.refunded_amount += paid
        return_request.refunded_at = timezone.now()
        return_request.save(update_fields=["refunded_amount", "refunded_at", "updated_at"])
        events.refunded(return_request=return_request, amount=paid, damaged=units, decision=decision, actor=actor)
    else:
        events.damage_not_refunded(return_request=return_request, damaged=units, actor=actor)
    return paid
