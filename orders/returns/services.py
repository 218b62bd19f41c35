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
from django.utils import timezone
from django.utils.translation import gettext as _

from omnichannel.errors import InvalidInput, NotFound
from orders.errors import AlreadyReturned, InvalidOrder, MethodNotOffered, NotReturnable
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderLine,
    Return,
    ReturnLine,
    ReturnReason,
)
from orders.payments.money import CENTS
from orders.placement.services import human_number
from orders.returns import events
from orders.returns.common import (
    RS,
    ensure_move,
    give_back_units,
    locked_return,
    move_return,
    returns_centre,
)
from orders.returns.exchanges import hold_exchange, order_exchange, release_exchange
from stores.models import Location, SalesChannel

DELIVERED = (Fulfillment.Status.DELIVERED, Fulfillment.Status.COLLECTED)


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


def _wanted_lines(how: str, lines: list[dict]) -> tuple[dict[tuple[str, str], dict], dict[str, ReturnReason]]:
    """The request's lines by (order number, SKU), each once, with a positive quantity and a known reason; and
    the active reasons by code."""
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
    return wanted, reasons


def _orders_to_return(wanted: dict, *, channel, customer_email: str) -> dict[str, Order]:
    """The orders named, by number: the channel's own (others are unknown: 404), the customer's when an email is
    given, all of one customer."""
    found = Order.objects.select_related("customer", "channel").filter(number__in={key[0] for key in wanted})
    if channel is not None:
        found = found.filter(channel=channel)
    orders = {order.number: order for order in found}
    email = (customer_email or "").strip().lower()
    missing = sorted(
        number
        for number in {key[0] for key in wanted}
        if number not in orders or (email and orders[number].customer.email.lower() != email)
    )
    if missing:
        raise NotFound(_("Unknown order: %(numbers)s") % {"numbers": ", ".join(missing)}, details={"orders": missing})
    if len({order.customer_id for order in orders.values()}) > 1:
        raise InvalidOrder(_("One return covers orders of one customer."), details={"orders": sorted(orders)})
    return orders


def _take_returnable_units(wanted: dict, orders: dict[str, Order]) -> dict[tuple[str, str], OrderLine]:
    """Count the requested units on their order lines, if they can still be returned. The lines are locked in id
    order: two requests for the same unit wait for each other, the second sees it taken."""
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
    return order_lines


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
    exchange: list[dict] | tuple[dict, ...] = (),
    actor=None,
) -> Return:
    """Start a return of `lines` ([{"order", "sku", "quantity", "reason", "sub_reason", "note"}]).

    `channel`: a sales channel's request sees only that channel's orders (others are unknown: 404), and
    `customer_email`, when given, must be the orders' customer's. The units must have been delivered or collected
    within the window, of a returnable category, and not already on a return (409 `already_returned`: checked
    under the order lines' locks, so of ten requests for one unit at once exactly one gets it). `exchange`:
    [{"sku", "quantity"}] of the same products in another size or colour, held at once."""
    wanted, reasons = _wanted_lines(how, lines)
    orders = _orders_to_return(wanted, channel=channel, customer_email=customer_email)
    receiving, locker = _receiving(how, location, drop_off)
    order_lines = _take_returnable_units(wanted, orders)

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
        hold_exchange(return_request, return_lines, list(exchange))
    events.requested(
        return_request=return_request,
        how=how,
        location=receiving.code,
        drop_off=locker.code if locker else "",
        lines=[{"order": o, "sku": s, "quantity": int(item["quantity"])} for (o, s), item in wanted.items()],
        exchange=[{"sku": item["sku"], "quantity": int(item["quantity"])} for item in exchange],
        actor=actor,
    )
    if exchange and settings.EXCHANGE_SHIPS_BEFORE_RETURN:
        order_exchange(return_request, actor=actor)
    return return_request


@transaction.atomic
def cancel_return(*, return_request: Return | int, actor=None, reason: str = "") -> Return:
    """The customer changed their mind before sending it: the units may be returned again, a held replacement goes
    back on sale."""
    return_request = locked_return(return_request)
    ensure_move(return_request, RS.CANCELLED)
    give_back_units(dict(return_request.lines.values_list("order_line_id", "quantity")))
    release_exchange(return_request)
    move_return(return_request, RS.CANCELLED, actor=actor, data={"reason": reason[:200]})
    return return_request


@transaction.atomic
def mark_return_sent(*, return_request: Return | int, actor=None, data=None) -> Return:
    """The parcel left the customer (first carrier scan, or the locker was closed on it)."""
    return_request = locked_return(return_request)
    return_request.in_transit_at = timezone.now()
    move_return(return_request, RS.IN_TRANSIT, actor=actor, data=data, fields=("in_transit_at",))
    return return_request


def flag_overdue_returns(*, now=None) -> int:
    """Courier and locker returns not received RETURN_DUE_DAYS after they were requested: one `overdue` event each
    (the playbook opens a case). The conditional update is the once-only guard, so two runs at once flag once."""
    now = now or timezone.now()
    due = Return.objects.filter(
        how__in=(Return.How.CARRIER, Return.How.LOCKER),
        status__in=Return.EXPECTED,
        overdue_at__isnull=True,
        created_at__lt=now - timedelta(days=settings.RETURN_DUE_DAYS),
    ).values_list("pk", flat=True)
    flagged = 0
    for pk in list(due):
        with transaction.atomic():
            if not Return.objects.filter(pk=pk, overdue_at__isnull=True).update(overdue_at=now):
                continue
            return_request = Return.objects.get(pk=pk)
            events.overdue(return_request=return_request, days=settings.RETURN_DUE_DAYS)
            flagged += 1
    return flagged
