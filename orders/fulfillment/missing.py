"""Missing units: short picks, lost parcels, and what settles them (DESIGN.md sections 5, 6 and 11).

A short pick is a stock fact first (the units leave the hold and the location's on-hand). Then the placement
policy is asked again for just those units: for an order collected in store, the pickup store's own shelf first
(the unit held there at once, a store task asks the associate to confirm it), otherwise the best other source
that keeps the order's promise. A new fulfillment and its hold are written in the same transaction. When nothing
can cover the units they stay *missing and undecided* on the order line (`quantity_short_open`): nothing is
refunded, their money stays authorized, and the support playbook opens a case whose resolutions call the
services below (refund, another source, a substitute). Stock rows are written in location order, as everywhere.
"""

from dataclasses import replace

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import services as stock
from inventory.errors import InsufficientStock
from inventory.models import SKU, StockHold, StockMovement
from omnichannel.errors import InvalidTransition
from omnichannel.jobs import for_each_claimed
from orders.errors import InvalidOrder, SourceNoLongerAvailable
from orders.events import OrderEventType as E
from orders.fulfillment import events, sourcing
from orders.fulfillment.models import S
from orders.fulfillment.services import _locked, fulfillment_store, transition_fulfillment
from orders.fulfillment.sourcing import load_candidates
from orders.fulfillment.status import refresh_order_status
from orders.models import Fulfillment, FulfillmentLine, FulfillmentMethod, Order, OrderLine
from orders.payments.money import give_back, locked_payment, money_back, settle_if_finished

F_ = Fulfillment.Flow


FLOWS = {"ship": F_.SHIP, "pickup": F_.PICKUP, "ship_to_store": F_.SHIP_TO_STORE}


def recovery_plan(
    *, order: Order, sku: SKU, quantity: int, exclude: frozenset[int] | set[int] = frozenset(), only: int | None = None
):
    """Where `quantity` units of `sku` for this order could come from now, keeping its promise (same method and
    speed; same-day only within its radius; for orders collected in store, the pickup store's shelf first):
    one location for all of them, or None. `exclude`: locations that just proved not to have them; `only`: the
    one location a person chose. Read only: nothing is held here."""
    candidates = load_candidates(
        sku_ids=[sku.pk], extra_location_ids={order.pickup_location_id} if order.pickup_location_id else set()
    )
    return _plan(order=order, sku=sku, quantity=quantity, candidates=candidates, exclude=exclude, only=only)


def recovery_options(
    *, order: Order, sku: SKU, quantity: int, limit: int = 3, candidates: dict | None = None, missed_at=None
) -> list[dict]:
    """Every location that could send `quantity` units of `sku` for this order on its own, keeping its promise,
    best first (the pickup store's shelf, then the closest): what a case suggests. Locations where this order
    already missed the item are left out (their count is in doubt). Two queries, or none when the caller read
    `candidates` and `missed_at` for several orders at once (`recovery_candidates`, `missed_locations`)."""
    if candidates is None:
        candidates = load_candidates(
            sku_ids=[sku.pk], extra_location_ids={order.pickup_location_id} if order.pickup_location_id else set()
        )
    if missed_at is None:
        missed_at = already_missed_at(order=order, sku=sku)
    options = []
    for location_id, candidate in candidates.items():
        if candidate.available.get(sku.pk, 0) < quantity or location_id in missed_at:
            continue
        plan = _plan(order=order, sku=sku, quantity=quantity, candidates=candidates, only=location_id)
        if plan is None:
            continue
        chosen = next(entry for entry in plan.explanation if entry["chosen"])
        options.append(
            {
                "location_id": location_id,
                "location": candidate.code,
                "flow": plan.fulfillments[0].flow,
                "from_shelf": location_id == order.pickup_location_id,
                "distance_km": chosen["distance_km"],
                "available": candidate.available.get(sku.pk, 0),
            }
        )
    options.sort(key=lambda o: (not o["from_shelf"], o["distance_km"] or 0, o["location"]))
    return options[:limit]


def recovery_candidates(*, orders: list[Order], sku_ids: list[int]) -> dict[int, dict]:
    """`recovery_options`' candidates for several orders at once, by order id: every location that sends parcels,
    and the order's own pickup location, with what each has of `sku_ids`. One query."""
    every = load_candidates(
        sku_ids=sku_ids, extra_location_ids={order.pickup_location_id for order in orders if order.pickup_location_id}
    )
    senders = {location_id: c for location_id, c in every.items() if sourcing.sends_parcels(c.capabilities)}
    return {
        order.pk: senders
        | ({order.pickup_location_id: every[order.pickup_location_id]} if order.pickup_location_id in every else {})
        for order in orders
    }


def already_missed_at(*, order: Order, sku: SKU) -> set[int]:
    """The locations where this order's units of `sku` were reported missing: not asked again for them."""
    return missed_locations([order.pk]).get((order.pk, sku.pk), set())


def missed_locations(order_ids) -> dict[tuple[int, int], set[int]]:
    """Where the units of these orders were reported missing, by (order id, sku id). One query. A parcel the
    carrier lost does not count: its source had the units and sent them, so it may send them again."""
    missed: dict[tuple[int, int], set[int]] = {}
    for order_id, sku_id, location_id in (
        FulfillmentLine.objects.filter(fulfillment__order_id__in=order_ids, quantity_short__gt=0)
        .exclude(fulfillment__status=S.LOST)
        .values_list("fulfillment__order_id", "order_line__sku_id", "fulfillment__source_location_id")
    ):
        missed.setdefault((order_id, sku_id), set()).add(location_id)
    return missed


def _plan(*, order: Order, sku: SKU, quantity: int, candidates: dict, exclude=frozenset(), only=None):
    pickup_id = order.pickup_location_id
    pickup = candidates.get(pickup_id) if pickup_id else None
    if pickup is not None and (pickup_id in exclude or (only is not None and only != pickup_id)):
        pickup = replace(pickup, available={})  # still the point the parcel travels to, but not a source
    others = [
        c
        for c in candidates.values()
        if c.location_id not in exclude and c.location_id != pickup_id and (only is None or c.location_id == only)
    ]
    address = order.shipping_address or {}
    destination = None
    if (
        order.method == FulfillmentMethod.HOME_DELIVERY
        and address.get("lat") is not None
        and address.get("lon") is not None
    ):
        destination = (float(address["lat"]), float(address["lon"]))
    plan = sourcing.plan_sourcing(
        lines=[sourcing.Line(sku.pk, sku.code, quantity)],
        method=order.method,
        speed=order.speed,
        destination=destination,
        pickup=pickup,
        candidates=others,
        policy=sourcing.Policy(same_day_radius_km=settings.SAME_DAY_RADIUS_KM),
    )
    return plan if plan.ok and len(plan.fulfillments) == 1 else None


def _hold(*, plan, sku: SKU, quantity: int, order: Order):
    """The recovery's hold, or None when the stock it counted on was sold meanwhile."""
    try:
        with transaction.atomic():
            (hold,) = stock.hold_stock(
                lines=[(plan.fulfillments[0].source_id, sku.pk, quantity)],
                kind=StockHold.Kind.ALLOCATION,
                reference=f"order:{order.number}",
            )
            return hold
    except InsufficientStock:
        return None


def _resource(*, order: Order, order_line: OrderLine, quantity: int, hold, plan, actor, instead_of: str):
    """The new fulfillment for recovered units, its line on the order line, and the timeline's `line_resourced`
    (with the sourcing explanation; a shelf recovery at the pickup store asks its staff through a store task)."""
    planned = plan.fulfillments[0]
    flow = FLOWS[planned.flow]
    recovered = Fulfillment.objects.create(
        order=order,
        source_location_id=planned.source_id,
        method=order.method,
        flow=flow,
        pickup_location=order.pickup_location
        if flow != Fulfillment.Flow.SHIP or order.method == FulfillmentMethod.LOCKER
        else None,
    )
    FulfillmentLine.objects.create(fulfillment=recovered, order_line=order_line, quantity=quantity, hold=hold)
    recovery: events.Recovery = {
        "sku": order_line.sku.code,
        "quantity": quantity,
        "from": planned.source,
        "instead_of": instead_of,
        "flow": flow,
        "from_shelf": flow == Fulfillment.Flow.PICKUP,
        "explanation": plan.explanation,
    }
    events.line_resourced(order=order, recovered=recovered, recovery=recovery, actor=actor)
    return recovered, recovery


@transaction.atomic
def report_missing(*, fulfillment_line: FulfillmentLine | int, quantity: int, actor=None) -> FulfillmentLine:
    """Picking found fewer units than held: the stock fact, then automatic recovery, else the units stay missing
    and undecided (`item_missing`: the customer is told we are finding a solution; a case opens)."""
    line = FulfillmentLine.objects.select_related("order_line__sku", "hold").get(
        pk=getattr(fulfillment_line, "pk", fulfillment_line)
    )
    fulfillment = _locked(line.fulfillment_id)
    if fulfillment.status not in (S.PENDING, S.PICKING):
        raise InvalidTransition(
            current=fulfillment.status,
            wanted="item_missing",
            allowed=[S.PENDING, S.PICKING],
            message=_("Missing items are reported while picking."),
        )
    if not 0 < quantity <= line.quantity_open:
        raise InvalidOrder(
            _("Missing quantity must be between 1 and %(open)s.") % {"open": line.quantity_open},
            details={"quantity": quantity, "open": line.quantity_open},
        )
    order = fulfillment.order
    sku = line.order_line.sku
    source = fulfillment.source_location
    plan = recovery_elsewhere(order=order, sku=sku, quantity=quantity, source_id=source.pk)
    writes = [(source.pk, "short")] + ([(plan.fulfillments[0].source_id, "hold")] if plan else [])
    recovery_hold = None
    for _location_id, write in sorted(writes):  # (location, sku) order: the one lock order of every stock write
        if write == "short":
            stock.record_short_pick(hold=line.held, quantity=quantity, reference=f"order:{order.number}", actor=actor)
        else:
            recovery_hold = _hold(plan=plan, sku=sku, quantity=quantity, order=order)
    _units_gone(
        line=line, fulfillment=fulfillment, quantity=quantity, plan=plan, recovery_hold=recovery_hold, actor=actor
    )
    return line


def _units_gone(*, line, fulfillment, quantity: int, plan, recovery_hold, actor, cause: str = "") -> None:
    """After the stock fact at the source (units not found, or sold at its till): the fulfillment line gives them
    up; they are sent from the recovery's source when its hold was granted, else they stay missing and
    undecided on the order line (`item_missing`: the customer is told, a case opens). A fulfillment left with
    nothing to prepare is cancelled. `cause` ("till_sale") travels in the events' data."""
    order = fulfillment.order
    sku = line.order_line.sku
    source = fulfillment.source_location
    line.quantity_short += quantity
    line.save(update_fields=["quantity_short"])
    shortage: events.Shortage = {
        "sku": sku.code,
        "quantity": quantity,
        "location": source.code,
        "method": fulfillment.method,
        "flow": fulfillment.flow,
    }
    if cause:
        shortage["cause"] = cause
    if recovery_hold is not None:
        recovered, recovery = _resource(
            order=order,
            order_line=line.order_line,
            quantity=quantity,
            hold=recovery_hold,
            plan=plan,
            actor=actor,
            instead_of=source.code,
        )
        events.short_recovered(order=order, fulfillment=fulfillment, shortage=shortage, actor=actor)
        _tell_if_promise_changed(order=order, short=fulfillment, recovered=recovered, recovery=recovery, actor=actor)
    else:
        order_line = OrderLine.objects.select_for_update(no_key=True).get(pk=line.order_line_id)
        order_line.quantity_short += quantity
        order_line.save(update_fields=["quantity_short", "updated_at"])
        amount = order_line.unit_price * quantity
        events.item_missing(order=order, fulfillment=fulfillment, shortage=shortage, amount=amount, actor=actor)
    if not any(fl.quantity_open for fl in fulfillment.lines.all()):
        transition_fulfillment(
            fulfillment=fulfillment, to=S.CANCELLED, actor=actor, data={"reason": "every item missing"}
        )
        settle_if_finished(order, actor)
    else:
        refresh_order_status(order)


def till_sale_candidates(*, location_id: int, sku_ids, among=None) -> list[FulfillmentLine]:
    """Units a till may take when its shelf has none free (DESIGN.md section 5): lines of this location's
    fulfillments nobody has started picking (pending), still holding units, newest order first. Never picked,
    packed or ready units, nor reservations: those are set aside physically. `among`: only these fulfillments."""
    lines = (
        FulfillmentLine.objects.filter(fulfillment_id__in=list(among)) if among is not None else FulfillmentLine.objects
    )
    return list(
        lines.filter(
            fulfillment__source_location_id=location_id,
            fulfillment__status=S.PENDING,
            order_line__sku_id__in=list(sku_ids),
            hold__status=StockHold.Status.ACTIVE,
            hold__kind=StockHold.Kind.ALLOCATION,
        )
        .select_related("hold", "order_line__sku", "fulfillment__order", "fulfillment__source_location")
        .order_by("-fulfillment__order__created_at", "-fulfillment__order_id", "-id")
    )


def recovery_elsewhere(*, order: Order, sku: SKU, quantity: int, source_id: int):
    """The automatic recovery of units a source no longer has (not found while picking, or sold at its till): the
    recovery plan without that source nor the places this order already missed them; None when automatic
    recovery is off or nothing covers them. Read only."""
    if not settings.AUTO_RECOVER_SHORT_LINES:
        return None
    missed_at = already_missed_at(order=order, sku=sku) | {source_id}
    return recovery_plan(order=order, sku=sku, quantity=quantity, exclude=missed_at)


def give_way_to_till_sale(*, line: FulfillmentLine, quantity: int, plan, actor=None) -> None:
    """`quantity` units held for this pending line were sold over the counter (the till is the truth): the hold
    gives them back (the till's `pos_sale` takes them from on-hand), then the order is sourced again without this
    store (`plan`, from `recovery_elsewhere`), else its case opens. The caller holds the order, the fulfillment
    and every stock row involved (the recovery's too) locked, in the one lock order."""
    fulfillment = line.fulfillment
    stock.release_hold(hold=line.held, quantity=quantity)
    sku = line.order_line.sku
    recovery_hold = _hold(plan=plan, sku=sku, quantity=quantity, order=fulfillment.order) if plan else None
    _units_gone(
        line=line,
        fulfillment=fulfillment,
        quantity=quantity,
        plan=plan,
        recovery_hold=recovery_hold,
        actor=actor,
        cause="till_sale",
    )


@transaction.atomic
def cannot_fulfil(*, fulfillment: Fulfillment | int, actor=None) -> Fulfillment:
    """The location cannot prepare this fulfillment at all (a store rejecting an order): every open line is
    reported missing, in SKU order, with the same stock truth, recovery and cases as a short pick."""
    fulfillment = _locked(fulfillment)
    lines = list(fulfillment.lines.select_related("order_line").order_by("order_line__sku_id", "id"))
    if not any(line.quantity_open for line in lines):
        raise InvalidOrder(
            _("Nothing is left to prepare on this fulfillment."), details={"fulfillment": fulfillment.pk}
        )
    for line in lines:
        if line.quantity_open:
            report_missing(fulfillment_line=line, quantity=line.quantity_open, actor=actor)
    fulfillment.refresh_from_db()
    return fulfillment


def _tell_if_promise_changed(
    *, order: Order, short: Fulfillment, recovered: Fulfillment, recovery: events.Recovery, actor
) -> None:
    """The customer hears of an automatic recovery only when what they were promised changes: one more parcel
    home, or an item that now travels to the pickup store instead of waiting on its shelf (a later date)."""
    if recovered.flow == Fulfillment.Flow.SHIP:
        if any(fl.quantity_open for fl in short.lines.all()):
            events.promise_changed(
                order=order, recovered=recovered, what=E.SECOND_PARCEL, recovery=recovery, actor=actor
            )
    elif recovered.flow == Fulfillment.Flow.SHIP_TO_STORE and short.flow == Fulfillment.Flow.PICKUP:
        events.promise_changed(order=order, recovered=recovered, what=E.PICKUP_DELAYED, recovery=recovery, actor=actor)


def _open_short_line(order: Order, sku: str, quantity: int) -> OrderLine:
    """The order line of `sku`, locked, with at least `quantity` missing units nobody has decided about."""
    order_line = (
        OrderLine.objects.select_for_update(no_key=True, of=("self",))
        .select_related("sku__product")
        .filter(order_id=order.pk, sku__code=sku)
        .first()
    )
    if order_line is None:
        raise InvalidOrder(_("Not on this order: %(codes)s") % {"codes": sku}, details={"skus": [sku]})
    if not 0 < quantity <= order_line.quantity_short_open:
        raise InvalidOrder(
            _("%(sku)s: %(open)s missing units wait for a decision, not %(quantity)s.")
            % {"sku": sku, "open": order_line.quantity_short_open, "quantity": quantity},
            details={"sku": sku, "quantity": quantity, "open": order_line.quantity_short_open},
        )
    return order_line


@transaction.atomic
def refund_missing_units(*, order: Order, sku: str, quantity: int, actor=None, reason: str = "item missing"):
    """Give back the money of missing units (released while uncaptured), never more than was paid and never
    twice: the units become settled on their line. The customer is told the amount and the item's name."""
    order_line = _open_short_line(order, sku, quantity)
    payment = locked_payment(order)
    order_line.quantity_short_refunded += quantity
    order_line.save(update_fields=["quantity_short_refunded", "updated_at"])
    released, refunded = money_back(order, payment, order_line.unit_price * quantity)
    amount = released + refunded
    events.item_refunded(
        order=order, sku=sku, quantity=quantity, refund=amount, released=released, reason=reason, actor=actor
    )
    give_back(order, payment, released, refunded, reason=reason, actor=actor)
    settle_if_finished(order, actor)
    refresh_order_status(order)
    return amount


@transaction.atomic
def resource_missing_units(*, order: Order, sku: str, quantity: int, location_id: int, actor=None) -> Fulfillment:
    """Send missing units from the location a person chose (a case's suggestion): held there now, a new
    fulfillment, and the customer told the item is coming after all. Refused with `SourceNoLongerAvailable`
    when that location cannot send them any more (sold meanwhile)."""
    order_line = _open_short_line(order, sku, quantity)
    plan = recovery_plan(order=order, sku=order_line.sku, quantity=quantity, only=location_id)
    hold = _hold(plan=plan, sku=order_line.sku, quantity=quantity, order=order) if plan else None
    if hold is None:
        raise SourceNoLongerAvailable(details={"sku": sku, "quantity": quantity, "location_id": location_id})
    order_line.quantity_short -= quantity
    order_line.save(update_fields=["quantity_short", "updated_at"])
    recovered, recovery = _resource(
        order=order, order_line=order_line, quantity=quantity, hold=hold, plan=plan, actor=actor, instead_of=""
    )
    events.promise_changed(
        order=order, recovered=recovered, what=E.COMPLETED_FROM_ELSEWHERE, recovery=recovery, actor=actor
    )
    refresh_order_status(order)
    return recovered


@transaction.atomic
def substitute_missing_units(*, order: Order, sku: str, quantity: int, substitute: str, actor=None) -> Fulfillment:
    """The customer accepted another size or colour of the same product for missing units: a new line at the
    price they paid, held at the best source now, sent like the rest of the order; the missing units are
    settled as substituted (nothing refunded, nothing more charged)."""
    order_line = _open_short_line(order, sku, quantity)
    replacement = SKU.objects.filter(code=substitute, active=True, product_id=order_line.sku.product_id).first()
    if replacement is None or replacement.pk == order_line.sku_id:
        raise InvalidOrder(
            _("%(substitute)s is not another size or colour of this item.") % {"substitute": substitute},
            details={"substitute": substitute},
        )
    if OrderLine.objects.filter(order_id=order.pk, sku=replacement).exists():
        raise InvalidOrder(
            _("%(substitute)s is already on this order.") % {"substitute": substitute},
            details={"substitute": substitute},
        )
    plan = recovery_plan(order=order, sku=replacement, quantity=quantity)
    hold = _hold(plan=plan, sku=replacement, quantity=quantity, order=order) if plan else None
    if hold is None:
        raise SourceNoLongerAvailable(details={"sku": substitute, "quantity": quantity})
    new_line = OrderLine.objects.create(
        order=order, sku=replacement, quantity=quantity, unit_price=order_line.unit_price
    )
    order_line.quantity_short_substituted += quantity
    order_line.save(update_fields=["quantity_short_substituted", "updated_at"])
    recovered, recovery = _resource(
        order=order, order_line=new_line, quantity=quantity, hold=hold, plan=plan, actor=actor, instead_of=""
    )
    recovery["sku"] = substitute
    events.substitute_sent(order=order, recovered=recovered, recovery=recovery, replaces=sku, actor=actor)
    refresh_order_status(order)
    return recovered


# Why a parcel is declared lost, as its timeline and its case say it.
LOST_REASONS = {
    "lost": gettext_lazy("lost by the carrier"),
    "damaged": gettext_lazy("damaged in transit"),
    "returned_to_sender": gettext_lazy("returned to sender"),
    "not_received": gettext_lazy("never reached the store"),
}


@transaction.atomic
def declare_parcel_lost(*, fulfillment: Fulfillment | int, reason: str, actor=None) -> Fulfillment:
    """The carrier lost (or destroyed, or sent back) a parcel: it becomes `lost` and every unit it carried is
    missing and undecided, like a short pick, so its case sends them again or refunds them. No stock moves: the
    units left the source's stock when the parcel shipped."""
    fulfillment = _locked(fulfillment)
    lost = []
    # Its units become missing before the move, so the order's status goes straight to on hold.
    for line in fulfillment.lines.select_related("order_line__sku").order_by("order_line_id"):
        units = line.quantity_open
        if not units:
            continue
        line.quantity_short += units
        line.save(update_fields=["quantity_short"])
        OrderLine.objects.filter(pk=line.order_line_id).update(quantity_short=F("quantity_short") + units)
        lost.append({"sku": line.order_line.sku.code, "quantity": units})
    fulfillment = transition_fulfillment(fulfillment=fulfillment, to=S.LOST, actor=actor, data={"reason": reason})
    events.parcel_lost(fulfillment=fulfillment, reason=reason, lines=lost, actor=actor)
    return fulfillment


@transaction.atomic
def receive_parcel_back(*, fulfillment: Fulfillment | int, actor=None) -> Fulfillment:
    """A parcel declared lost came back to its source (the carrier returned it to the sender, or found it): its
    units are booked back into the source's stock (a `return` ledger row per SKU) and sold again; once per parcel.
    What the customer gets is not changed here: the case of the lost parcel already sent them again or refunded
    them."""
    fulfillment = _locked(fulfillment)
    if fulfillment.status != S.LOST or fulfillment.back_in_stock_at is not None:
        raise InvalidTransition(
            current=fulfillment.status,
            wanted="back_in_stock",
            allowed=[S.LOST],
            message=_("Only a parcel declared lost, and not yet back in stock, can be booked back in."),
        )
    lost = fulfillment.events.filter(type=E.PARCEL_LOST).order_by("-at", "-id").values_list("data", flat=True).first()
    sku_ids = dict(fulfillment.lines.values_list("order_line__sku__code", "order_line__sku_id"))
    units = [(sku_ids[line["sku"]], line["quantity"]) for line in (lost or {}).get("lines", [])]
    if units:
        stock.receive_units(
            location=fulfillment.source_location,
            lines=units,
            reason=StockMovement.Reason.RETURN,
            reference=f"fulfillment:{fulfillment.pk}",
            actor=actor,
        )
    fulfillment.back_in_stock_at = timezone.now()
    fulfillment.save(update_fields=["back_in_stock_at", "updated_at"])
    events.parcel_back_in_stock(fulfillment=fulfillment, lines=(lost or {}).get("lines", []), actor=actor)
    return fulfillment


@transaction.atomic
def report_parcel_not_received(*, fulfillment: Fulfillment | int, actor=None) -> Fulfillment:
    """The pickup store says a ship-to-store parcel has not arrived (the store's "not received")."""
    fulfillment = _locked(fulfillment)
    if fulfillment.flow != Fulfillment.Flow.SHIP_TO_STORE or fulfillment.status not in (S.SHIPPED, S.IN_TRANSIT):
        raise InvalidTransition(
            current=fulfillment.status,
            wanted="not_received",
            allowed=[S.SHIPPED, S.IN_TRANSIT],
            message=_("Only a parcel on its way to the store can be reported as not received."),
        )
    events.parcel_not_received(fulfillment=fulfillment, store=fulfillment_store(fulfillment).code, actor=actor)
    return fulfillment


def flag_overdue_parcels(*, now=None) -> int:
    """Scheduled job: ship-to-store parcels still not received SHIP_TO_STORE_DUE_AFTER after shipping get one
    `parcel_overdue` event (exactly once: `overdue_at` is claimed by a conditional UPDATE)."""
    now = now or timezone.now()
    due = Fulfillment.objects.filter(
        flow=Fulfillment.Flow.SHIP_TO_STORE,
        status__in=[S.SHIPPED, S.IN_TRANSIT],
        overdue_at__isnull=True,
        shipped_at__lt=now - settings.SHIP_TO_STORE_DUE_AFTER,
    )

    def flag(pk):
        fulfillment = Fulfillment.objects.select_related("order", "pickup_location").get(pk=pk)
        events.parcel_overdue(fulfillment=fulfillment, store=fulfillment.pickup_location.code)

    return for_each_claimed(due, claim={"overdue_at": now}, act=flag)
