"""Returns and exchanges (DESIGN.md section 9): one service for the API, the customer's page and the store counter.

A return is `requested → in_transit → received → closed` (or `cancelled`), by RETURN_TRANSITIONS, each move an
event on its timeline (the customer's messages and the playbook's cases follow the events). A unit comes back at
most once: the order lines are locked and `OrderLine.quantity_returned` is raised under the lock, with a CHECK
constraint behind it. At receipt each unit gets one disposition: restocked at the receiving location (a `return`
movement: on sale at once), sent to the returns centre (counted here, held for the transfer), quarantined or
written off; then the refund of what really came back is paid, once, and an exchange's replacement is ordered.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.errors import InsufficientStock
from inventory.models import SKU, StockHold, StockMovement
from omnichannel.errors import InvalidInput, InvalidTransition, NotFound
from orders.errors import AlreadyReturned, InvalidOrder, MethodNotOffered, NotReturnable
from orders.models import (
    ExchangeLine,
    Fulfillment,
    FulfillmentLine,
    FulfillmentMethod,
    Order,
    OrderLine,
    Payment,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
)
from orders.services.common import CENTS, human_number
from orders.services.fulfilling import _refund
from orders.services.placing import place_order
from orders.services.return_refunds import paid_unit_price, refund_breakdown
from orders.signals import return_event
from stores.actors import actor_fields
from stores.models import Location, SalesChannel

RS = Return.Status
RETURN_TRANSITIONS = {
    RS.REQUESTED: {RS.IN_TRANSIT, RS.RECEIVED, RS.CANCELLED},
    RS.IN_TRANSIT: {RS.RECEIVED},
    RS.RECEIVED: {RS.CLOSED},
}
DISPOSITIONS = ("restock_here", "send_to_warehouse", "quarantine", "write_off")
# Disposition -> the ReturnLine column that counts it.
DISPOSITION_FIELDS = {
    "restock_here": "restocked",
    "send_to_warehouse": "sent_to_warehouse",
    "quarantine": "quarantined",
    "write_off": "written_off",
}
DELIVERED = (Fulfillment.Status.DELIVERED, Fulfillment.Status.COLLECTED)


def record_return_event(*, return_request: Return, type: str, data=None, actor=None) -> ReturnEvent:
    event = ReturnEvent.objects.create(return_request=return_request, type=type, data=data or {}, **actor_fields(actor))
    return_event.send(sender=ReturnEvent, event=event)
    return event


def _move(return_request: Return, to: str, *, actor, data=None, fields=()) -> ReturnEvent:
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    if to not in allowed:
        raise InvalidTransition(current=return_request.status, wanted=to, allowed=allowed)
    return_request.status = to
    return_request.save(update_fields=["status", "updated_at", *fields])
    return record_return_event(return_request=return_request, type=to, data=data, actor=actor)


# ------------------------------------------------------------------------------------------------- policy


def returns_centre() -> Location | None:
    """Where courier and locker returns go: the first active warehouse that accepts returns."""
    return (
        Location.objects.active()
        .filter(kind=Location.Kind.WAREHOUSE)
        .with_capability("accepts_returns")
        .order_by("fulfillment_priority", "code")
        .first()
    )


@dataclass
class Returnable:
    """What of an order line may still come back, and why not when nothing may."""

    line: OrderLine
    delivered: int
    returnable: int
    refusal: str = ""  # "", "category", "not_delivered", "window", "already_returned"

    @property
    def refusal_text(self) -> str:
        return {
            "category": _("This item cannot be returned (hygiene)."),
            "not_delivered": _("Not delivered or collected yet."),
            "window": _("The %(days)s days to return it have passed.") % {"days": settings.RETURN_WINDOW_DAYS},
            "already_returned": _("Already on a return."),
        }.get(self.refusal, "")


def _returnable(line: OrderLine, parcel_lines, *, now) -> Returnable:
    """Units delivered or collected within the window, less those already on a return."""
    since = now - timedelta(days=settings.RETURN_WINDOW_DAYS)
    delivered = in_window = 0
    for parcel_line in parcel_lines:
        fulfillment = parcel_line.fulfillment
        if fulfillment.status in DELIVERED:
            delivered += parcel_line.quantity_open
            if fulfillment.completed_at and fulfillment.completed_at >= since:
                in_window += parcel_line.quantity_open
    returnable = max(0, min(in_window, delivered - line.quantity_returned))
    refusal = ""
    if line.sku.product.category in settings.RETURN_EXCLUDED_CATEGORIES:
        refusal, returnable = "category", 0
    elif delivered == 0:
        refusal = "not_delivered"
    elif in_window == 0:
        refusal = "window"
    elif returnable == 0:
        refusal = "already_returned"
    return Returnable(line=line, delivered=delivered, returnable=returnable, refusal=refusal)


def _parcel_lines_by_line(line_ids) -> dict[int, list]:
    by_line = defaultdict(list)
    for parcel_line in FulfillmentLine.objects.filter(order_line_id__in=line_ids).select_related("fulfillment"):
        by_line[parcel_line.order_line_id].append(parcel_line)
    return by_line


def returnable_lines(order: Order, *, now=None) -> list[Returnable]:
    """Each line of `order` with what may still come back (the customer's page, the store counter)."""
    lines = list(OrderLine.objects.filter(order=order).select_related("sku__product"))
    parcels = _parcel_lines_by_line([line.pk for line in lines])
    now = now or timezone.now()
    return [_returnable(line, parcels[line.pk], now=now) for line in lines]


def _receiving(how: str, location: Location | None, drop_off: Location | None) -> tuple[Location, Location | None]:
    """(receiving location, drop-off locker) for a way of returning, or a 422 naming what is missing."""
    if how == Return.How.IN_STORE:
        if location is None or not location.active or location.kind != Location.Kind.STORE:
            raise MethodNotOffered(_("Choose the store you will bring the items to."), details={"location": "store"})
        if not location.has_capability("accepts_returns"):
            raise MethodNotOffered(
                _("%(store)s does not take returns.") % {"store": location.name}, details={"location": location.code}
            )
        return location, None
    centre = returns_centre()
    if centre is None:
        raise MethodNotOffered(_("No warehouse takes returns by courier now."), details={"how": how})
    if how == Return.How.LOCKER:
        if drop_off is None or not drop_off.active or drop_off.kind != Location.Kind.LOCKER:
            raise MethodNotOffered(_("Choose the locker you will leave the parcel in."), details={"location": "locker"})
        return centre, drop_off
    return centre, None


# ------------------------------------------------------------------------------------------------- request


@transaction.atomic
def request_return(
    *,
    how: str,
    lines: list[dict],
    channel: SalesChannel | None = None,
    customer_email: str = "",
    location: Location | None = None,
    drop_off: Location | None = None,
    label: str = "",
    exchange: list[dict] = (),
    actor=None,
) -> Return:
    """Start a return of `lines` ([{"order", "sku", "quantity", "reason", "sub_reason", "note"}]).

    `channel`: a sales channel's request sees only that channel's orders (others are unknown: 404), and
    `customer_email`, when given, must be the orders' customer's. The units must have been delivered or collected
    within the window, of a returnable category, and not already on a return (409 `already_returned`: checked
    under the order lines' locks, so of ten requests for one unit at once exactly one gets it). `exchange`:
    [{"sku", "quantity"}] of the same products in another size or colour, held at once."""
    if how not in Return.How.values:
        raise InvalidInput(_("Unknown way of returning: %(how)s.") % {"how": how}, details={"how": how})
    if not lines:
        raise InvalidInput(_("Choose at least one item to return."), details={"lines": "empty"})
    wanted = {}
    for item in lines:
        key = (item["order"], item["sku"])
        if key in wanted:
            raise InvalidInput(_("Each item may appear once."), details={"order": key[0], "sku": key[1]})
        if int(item["quantity"]) <= 0:
            raise InvalidInput(_("Quantities must be positive."), details={"sku": item["sku"]})
        wanted[key] = item
    reasons = {reason.code: reason for reason in ReturnReason.objects.filter(active=True)}
    unknown = sorted({item["reason"] for item in lines} - set(reasons))
    if unknown:
        raise InvalidInput(
            _("Unknown return reason: %(reasons)s.") % {"reasons": ", ".join(unknown)},
            details={"reason": unknown, "allowed": sorted(reasons)},
        )
    orders = Order.objects.select_related("customer", "channel").filter(number__in={key[0] for key in wanted})
    if channel is not None:
        orders = orders.filter(channel=channel)
    orders = {order.number: order for order in orders}
    email = (customer_email or "").strip().lower()
    missing = sorted(
        number
        for number in {key[0] for key in wanted}
        if number not in orders or (email and orders[number].customer.email.lower() != email)
    )
    if missing:
        raise NotFound(_("Unknown order: %(numbers)s") % {"numbers": ", ".join(missing)}, details={"orders": missing})
    customers = {order.customer_id for order in orders.values()}
    if len(customers) > 1:
        raise InvalidOrder(_("One return covers orders of one customer."), details={"orders": sorted(orders)})
    receiving, locker = _receiving(how, location, drop_off)

    # The lines locked in id order: two requests for the same unit wait for each other, the second sees it taken.
    order_lines = {
        (line.order.number, line.sku.code): line
        for line in OrderLine.objects.select_for_update(no_key=True, of=("self",))
        .select_related("sku__product", "order")
        .filter(order__in=orders.values(), sku__code__in={key[1] for key in wanted})
        .order_by("pk")
    }
    not_on_order = [{"order": o, "sku": s} for o, s in wanted if (o, s) not in order_lines]
    if not_on_order:
        raise InvalidOrder(
            _("Not on that order: %(sku)s") % {"sku": not_on_order[0]["sku"]}, details={"lines": not_on_order}
        )
    parcels = _parcel_lines_by_line([line.pk for line in order_lines.values()])
    now = timezone.now()
    for key, item in wanted.items():
        line = order_lines[key]
        state = _returnable(line, parcels[line.pk], now=now)
        details = {"order": key[0], "sku": key[1], "requested": int(item["quantity"]), "returnable": state.returnable}
        if state.refusal in ("category", "not_delivered", "window"):
            raise NotReturnable(f"{key[1]}: {state.refusal_text}", details={**details, "why": state.refusal})
        if int(item["quantity"]) > state.returnable:
            raise AlreadyReturned(
                _("%(sku)s: %(returnable)s unit(s) of order %(order)s can still be returned.")
                % {"sku": key[1], "returnable": state.returnable, "order": key[0]},
                details=details,
            )
        line.quantity_returned += int(item["quantity"])
    OrderLine.objects.bulk_update(order_lines.values(), ["quantity_returned"])

    first = orders[sorted(orders)[0]]
    return_request = Return.objects.create(
        number=human_number(settings.RETURN_NUMBER_PREFIX),
        channel=first.channel,
        customer=first.customer,
        how=how,
        location=receiving,
        drop_off=locker,
        label=(label or "")[:80],
        fee=Decimal("0.00") if how == Return.How.IN_STORE else Decimal(settings.RETURN_FEE).quantize(CENTS),
        contact_email=first.contact_email,
        contact_phone=first.contact_phone,
        contact_name=first.contact_name,
        contact_locale=first.contact_locale,
        notify_by=first.notify_by,
    )
    return_lines = ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                return_request=return_request,
                order_line=order_lines[key],
                quantity=int(item["quantity"]),
                reason=reasons[item["reason"]],
                sub_reason=(item.get("sub_reason") or "")[:80],
                note=(item.get("note") or "")[:500],
            )
            for key, item in wanted.items()
        ]
    )
    if exchange:
        _hold_exchange(return_request, return_lines, exchange)
    record_return_event(
        return_request=return_request,
        type="requested",
        actor=actor,
        data={
            "how": how,
            "location": receiving.code,
            "drop_off": locker.code if locker else "",
            "lines": [{"order": o, "sku": s, "quantity": int(item["quantity"])} for (o, s), item in wanted.items()],
            "exchange": [{"sku": item["sku"], "quantity": int(item["quantity"])} for item in exchange],
        },
    )
    if exchange and settings.EXCHANGE_SHIPS_BEFORE_RETURN:
        _order_exchange(return_request, actor=actor)
    return return_request


def _hold_exchange(return_request: Return, return_lines: list[ReturnLine], exchange: list[dict]) -> None:
    """Hold each replacement where it will leave from: the receiving store for an in-store return (handed over
    there), else the first warehouse that ships and has it. Only another size or colour of a returned product, at
    most as many units, worth the price paid for the unit it replaces."""
    returned_by_product = defaultdict(list)
    for line in return_lines:
        returned_by_product[line.order_line.sku.product_id].append(line)
    skus = {sku.code: sku for sku in SKU.objects.filter(code__in={item["sku"] for item in exchange}, active=True)}
    units_left = {product: sum(line.quantity for line in lines) for product, lines in returned_by_product.items()}
    rows = []
    for item in exchange:
        sku, quantity = skus.get(item["sku"]), int(item["quantity"])
        if sku is None or sku.product_id not in returned_by_product:
            raise InvalidOrder(
                _("An exchange is another size or colour of an item you return: %(sku)s is not.")
                % {"sku": item["sku"]},
                details={"exchange": item["sku"]},
            )
        if quantity <= 0 or quantity > units_left[sku.product_id]:
            raise InvalidOrder(_("Exchange at most as many units as you return."), details={"exchange": item["sku"]})
        units_left[sku.product_id] -= quantity
        replaced = returned_by_product[sku.product_id][0].order_line
        rows.append(
            ExchangeLine(
                return_request=return_request,
                sku=sku,
                quantity=quantity,
                unit_price=paid_unit_price(replaced, replaced.order),
            )
        )
    if not settings.EXCHANGE_SHIPS_BEFORE_RETURN:
        # An in-store return's replacement waits in that store when it has one, else comes from a warehouse.
        sources = [return_request.location] if return_request.how == Return.How.IN_STORE else []
        sources += list(
            Location.objects.active()
            .filter(kind=Location.Kind.WAREHOUSE)
            .with_capability("ships")
            .order_by("fulfillment_priority", "code")
        )
        _hold_at_first_source(return_request, rows, sources)
    ExchangeLine.objects.bulk_create(rows)


def _hold_at_first_source(return_request: Return, rows: list[ExchangeLine], sources: list[Location]) -> None:
    refused = None
    for source in sources:
        try:
            holds = stock.hold_stock(
                lines=[(source, row.sku, row.quantity) for row in rows],
                # An allocation for the replacement order it becomes at receipt (not a click & reserve hold).
                kind=StockHold.Kind.ALLOCATION,
                reference=f"return:{return_request.number}:exchange",
            )
        except InsufficientStock as exc:
            refused = exc
            continue
        by_sku = {hold.sku_id: hold for hold in holds}
        for row in rows:
            row.hold = by_sku[row.sku_id]
        return
    raise refused or InsufficientStock([])


# ------------------------------------------------------------------------------------------------- changes


def _locked_return(return_request: Return | int) -> Return:
    return (
        Return.objects.select_for_update(no_key=True, of=("self",))
        .select_related("location", "channel", "customer")
        .get(pk=getattr(return_request, "pk", return_request))
    )


@transaction.atomic
def cancel_return(*, return_request: Return | int, actor=None, reason: str = "") -> Return:
    """The customer changed their mind before sending it: the units may be returned again, a held replacement goes
    back on sale."""
    return_request = _locked_return(return_request)
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    if RS.CANCELLED not in allowed:
        raise InvalidTransition(current=return_request.status, wanted=RS.CANCELLED, allowed=allowed)
    lines = list(return_request.lines.select_related("order_line").order_by("order_line_id"))
    order_lines = list(
        OrderLine.objects.select_for_update(no_key=True)
        .filter(pk__in=[line.order_line_id for line in lines])
        .order_by("pk")
    )
    announced = {line.order_line_id: line.quantity for line in lines}
    for order_line in order_lines:
        order_line.quantity_returned -= announced[order_line.pk]
    OrderLine.objects.bulk_update(order_lines, ["quantity_returned"])
    stock.release_active_holds(
        StockHold.objects.filter(pk__in=[row.hold_id for row in return_request.exchange_lines.all() if row.hold_id])
    )
    _move(return_request, RS.CANCELLED, actor=actor, data={"reason": reason[:200]})
    return return_request


@transaction.atomic
def mark_return_sent(*, return_request: Return | int, actor=None, data=None) -> Return:
    """The parcel left the customer (first carrier scan, or the locker was closed on it)."""
    return_request = _locked_return(return_request)
    return_request.in_transit_at = timezone.now()
    _move(return_request, RS.IN_TRANSIT, actor=actor, data=data, fields=("in_transit_at",))
    return return_request


def _checked_counts(return_request: Return, lines: dict, counts: list[dict]) -> dict[int, dict]:
    """{return line id: {"received": n, disposition: n, …}} from what the receiving person entered, or a 400."""
    result = {pk: {"received": 0, **dict.fromkeys(DISPOSITIONS, 0)} for pk in lines.values()}
    is_warehouse = return_request.location.kind == Location.Kind.WAREHOUSE
    for item in counts:
        key = (item["order"], item["sku"])
        if key not in lines:
            raise InvalidInput(
                _("Not on this return: %(sku)s") % {"sku": item["sku"]}, details={"order": key[0], "sku": key[1]}
            )
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


@transaction.atomic
def receive_return(*, return_request: Return | int, location: Location, lines: list[dict], actor=None) -> Return:
    """Count what arrived at `location` and give each unit its disposition (`lines`: [{"order", "sku", "received",
    "dispositions": {"restock_here": n, "send_to_warehouse": n, "quarantine": n, "write_off": n}}]; a line not
    listed arrived with no unit). Fewer units than announced is normal: those may be returned again and the
    playbook looks into it. Then the refund of what came back is paid and an exchange's replacement ordered.
    The return row is locked first: of two receipts at once, the second finds it received (409)."""
    return_request = _locked_return(return_request)
    if return_request.location_id != location.pk:
        raise NotFound(_("Unknown return: %(number)s") % {"number": return_request.number})
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    if RS.RECEIVED not in allowed:
        raise InvalidTransition(current=return_request.status, wanted=RS.RECEIVED, allowed=allowed)
    return_lines = list(
        return_request.lines.select_related("order_line__sku__product", "order_line__order", "reason").order_by(
            "order_line__sku_id", "pk"
        )
    )
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
    centre = returns_centre()
    # Stock rows in (location, sku) order: one location, lines sorted by SKU.
    for line in return_lines:
        row = counts[line.pk]
        line.quantity_received = row["received"]
        for name, column in DISPOSITION_FIELDS.items():
            setattr(line, column, row[name])
        to_shelf = row["restock_here"] + row["send_to_warehouse"]
        if to_shelf:
            stock.receive_stock(
                location=location,
                sku=line.order_line.sku,
                quantity=to_shelf,
                reference=return_request.number,
                reason=StockMovement.Reason.RETURN,
                actor=actor,
            )
        if row["send_to_warehouse"]:
            (line.transfer_hold,) = stock.hold_stock(
                lines=[(location, line.order_line.sku, row["send_to_warehouse"])],
                kind=StockHold.Kind.TRANSFER,
                reference=f"return:{return_request.number}:to:{centre.code if centre else 'warehouse'}",
                respect_safety_stock=False,
            )
    ReturnLine.objects.bulk_update(return_lines, ["quantity_received", *DISPOSITION_FIELDS.values(), "transfer_hold"])
    # Units announced and not received may be returned again.
    not_received = {line.order_line_id: line.quantity - line.quantity_received for line in return_lines}
    order_lines = list(
        OrderLine.objects.select_for_update(no_key=True)
        .filter(pk__in=[pk for pk, units in not_received.items() if units])
        .order_by("pk")
    )
    for order_line in order_lines:
        order_line.quantity_returned -= not_received[order_line.pk]
    OrderLine.objects.bulk_update(order_lines, ["quantity_returned"])

    return_request.received_at = timezone.now()
    _move(
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
    _pay_refund(return_request, actor=actor)
    if return_request.exchange_lines.exists() and return_request.exchange_order_id is None:
        _order_exchange(return_request, actor=actor)
    _move(return_request, RS.CLOSED, actor=actor)
    return return_request


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
        }
        for line in return_lines
        if line.written_off + line.quarantined
    ]
    if missing or damaged:
        record_return_event(
            return_request=return_request,
            type="received_with_problems",
            actor=actor,
            data={"missing": missing, "damaged": damaged},
        )


def _pay_refund(return_request: Return, *, actor) -> None:
    """The refund of the units received, through each order's payment adapter; once (the return is locked and
    leaves `received` in this transaction)."""
    if return_request.refunded_at is not None:
        return
    lines = (
        ReturnLine.objects.filter(return_request=return_request)
        .select_related("order_line__sku", "order_line__order__payment")
        .prefetch_related(Prefetch("order_line__order__lines", queryset=OrderLine.objects.order_by("pk")))
    )
    return_request._prefetched_objects_cache = {"lines": lines}
    received = {line.pk: line.quantity_received for line in lines}
    # Payments locked in order id order (refunds of two returns of one order wait for each other).
    orders = sorted({line.order_line.order_id: line.order_line.order for line in lines}.values(), key=lambda o: o.pk)
    payments = {
        payment.order_id: payment
        for payment in Payment.objects.select_for_update(no_key=True).filter(order__in=orders).order_by("order_id")
    }
    for order in orders:
        if order.pk in payments:
            order.payment = payments[order.pk]
    breakdown = refund_breakdown(return_request, received=received)
    del return_request._prefetched_objects_cache
    paid = Decimal("0.00")
    for order in orders:
        amount = breakdown.orders.get(order.number, Decimal("0.00"))
        if amount > 0 and order.pk in payments:
            paid += _refund(
                order, amount, reason=f"return {return_request.number}", actor=actor, payment=payments[order.pk]
            )
    return_request.refunded_amount, return_request.refunded_at = paid, timezone.now()
    return_request.save(update_fields=["refunded_amount", "refunded_at", "updated_at"])
    record_return_event(
        return_request=return_request,
        type="refunded",
        actor=actor,
        data={**breakdown.as_dict(), "amount": str(paid)},
    )


def _order_exchange(return_request: Return, *, actor) -> Order:
    """The replacement as an order of its own, paid by the returned units' value: released from its hold and
    placed in the same transaction (the units are still there), collected in the receiving store for an in-store
    return, else delivered where the first returned order went."""
    rows = list(return_request.exchange_lines.select_related("sku", "hold"))
    stock.release_active_holds([row.hold for row in rows])
    first_line = return_request.lines.select_related("order_line__order").order_by("pk").first()
    original = first_line.order_line.order
    if return_request.how == Return.How.IN_STORE:
        fulfillment = {"method": FulfillmentMethod.STORE_PICKUP, "pickup_location": return_request.location.code}
    elif original.shipping_address:
        fulfillment = {
            "method": FulfillmentMethod.HOME_DELIVERY,
            "speed": "standard",
            "address": original.shipping_address,
        }
    else:
        fulfillment = {"method": FulfillmentMethod.STORE_PICKUP, "pickup_location": original.pickup_location.code}
    total = sum((row.unit_price * row.quantity for row in rows), Decimal("0.00"))
    order = place_order(
        channel=return_request.channel,
        customer={
            "email": return_request.contact_email,
            "phone": return_request.contact_phone,
            "name": return_request.contact_name,
            "locale": return_request.contact_locale,
        },
        lines=[{"sku": row.sku.code, "quantity": row.quantity, "unit_price": row.unit_price} for row in rows],
        fulfillment=fulfillment,
        payment={
            "provider": "exchange",
            "reference": return_request.number,
            "amount": total,
            "currency": return_request.channel.currency,
        },
        external_id=f"exchange:{return_request.number}",
        actor=actor,
    )
    return_request.exchange_order = order
    return_request.save(update_fields=["exchange_order", "updated_at"])
    record_return_event(
        return_request=return_request,
        type="exchange_ordered",
        actor=actor,
        data={"order": order.number, "items": [{"sku": row.sku.code, "quantity": row.quantity} for row in rows]},
    )
    return order


# ------------------------------------------------------------------------------------------------- jobs


def flag_overdue_returns(*, now=None) -> int:
    """Courier and locker returns not received RETURN_DUE_DAYS after they were requested: one `overdue` event each
    (the playbook opens a case). The conditional update is the once-only guard, so two runs at once flag once."""
    now = now or timezone.now()
    due = Return.objects.filter(
        how__in=(Return.How.CARRIER, Return.How.LOCKER),
        status__in=(RS.REQUESTED, RS.IN_TRANSIT),
        overdue_at__isnull=True,
        created_at__lt=now - timedelta(days=settings.RETURN_DUE_DAYS),
    ).values_list("pk", flat=True)
    flagged = 0
    for pk in list(due):
        with transaction.atomic():
            if not Return.objects.filter(pk=pk, overdue_at__isnull=True).update(overdue_at=now):
                continue
            return_request = Return.objects.get(pk=pk)
            record_return_event(
                return_request=return_request,
                type="overdue",
                data={"requested_at": return_request.created_at.isoformat(), "days": settings.RETURN_DUE_DAYS},
            )
            flagged += 1
    return flagged
