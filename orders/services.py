"""Writes for orders: placing, fulfilling, cancelling (DESIGN.md sections 5-7).

Every state change goes through `transition_fulfillment`, which locks the row, checks TRANSITIONS and
writes the event; every event is sent as the `order_event` signal inside the transaction. Stock moves only
through inventory.services; money only through the payment adapter.
"""

import secrets
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.errors import InsufficientStock
from inventory.models import SKU, StockHold, StockLevel, StockMovement
from omnichannel.errors import InvalidTransition, NotFound
from orders import sourcing
from orders.errors import (
    InvalidOrder,
    MethodNotOffered,
    OrderNotChangeable,
    PaymentMismatch,
    WrongPickupCode,
)
from orders.models import (
    Customer,
    Fulfillment,
    FulfillmentLine,
    FulfillmentMethod,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
)
from orders.payments import adapter_for
from orders.signals import order_event
from stores.models import Location, SalesChannel
from stores.selectors import network_snapshot

S = Fulfillment.Status
CENTS = Decimal("0.01")

# Allowed moves per fulfillment flow: {flow: {from: {to, …}}} (DESIGN.md section 6). The table is the documentation.
TRANSITIONS = {
    Fulfillment.Flow.SHIP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION},
        S.IN_TRANSIT: {S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION},
        S.OUT_FOR_DELIVERY: {S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_EXCEPTION},
        S.DELIVERY_EXCEPTION: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
    },
    Fulfillment.Flow.PICKUP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.READY_FOR_PICKUP, S.CANCELLED},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
    Fulfillment.Flow.SHIP_TO_STORE: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.RECEIVED_IN_STORE},
        S.IN_TRANSIT: {S.RECEIVED_IN_STORE},
        S.RECEIVED_IN_STORE: {S.READY_FOR_PICKUP},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
}
TERMINAL = {S.DELIVERED, S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED}
# What a pickup store needs to offer for each in-store method.
PICKUP_CAPABILITY = {
    FulfillmentMethod.STORE_PICKUP: "click_and_collect",
    FulfillmentMethod.CURBSIDE: "curbside",
    FulfillmentMethod.SHIP_TO_STORE: "ship_to_store",
}


# ------------------------------------------------------------------------------------------------- events


def record_event(*, order: Order, type: str, fulfillment: Fulfillment | None = None, data=None, actor=None):
    event = OrderEvent.objects.create(
        order=order, fulfillment=fulfillment, type=type, data=data or {}, actor=_user(actor)
    )
    order_event.send(sender=OrderEvent, event=event)
    return event


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


# ------------------------------------------------------------------------------------------------- placing


def upsert_customer(
    *, email: str, phone: str = "", name: str = "", locale: str = "", marketing_consent=None, notify_by: str = ""
):
    """One customer across channels, matched by email (case-insensitively); newer details win."""
    email = email.strip().lower()
    customer = Customer.objects.filter(email=email).first()
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    email=email,
                    phone=phone,
                    name=name,
                    locale=locale or "it",
                    marketing_consent=bool(marketing_consent),
                    notify_by=notify_by or Customer.NotifyBy.EMAIL_AND_SMS,
                )
        except IntegrityError:  # created meanwhile by a concurrent order of the same customer
            customer = Customer.objects.get(email=email)
    changed = []
    for field_name, value in (("phone", phone), ("name", name), ("locale", locale), ("notify_by", notify_by)):
        if value and getattr(customer, field_name) != value:
            setattr(customer, field_name, value)
            changed.append(field_name)
    if marketing_consent is not None and customer.marketing_consent != marketing_consent:
        customer.marketing_consent = marketing_consent
        changed.append("marketing_consent")
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _new_order_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
    return f"{settings.ORDER_NUMBER_PREFIX}-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _load_candidates(*, sku_ids: list[int], extra_location_ids: set[int]) -> dict[int, sourcing.Candidate]:
    """Every active location that can send parcels, plus the pickup location, with what it has of the SKUs.
    The locations come from the per-process network snapshot; one stock query whatever their number."""
    network = network_snapshot()
    points = [
        point
        for point in network.locations.values()
        if point.id in extra_location_ids or {"ships", "ship_from_store"} & point.capabilities
    ]
    available: dict[int, dict[int, int]] = defaultdict(dict)
    levels = StockLevel.objects.filter(sku_id__in=sku_ids, location_id__in=[point.id for point in points]).values_list(
        "location_id", "sku_id", "on_hand", "committed", "safety_stock"
    )
    for location_id, sku_id, on_hand, committed, safety in levels:
        available[location_id][sku_id] = max(on_hand - committed - safety, 0)
    return {
        point.id: sourcing.Candidate(
            location_id=point.id,
            code=point.code,
            kind=point.kind,
            latitude=point.latitude,
            longitude=point.longitude,
            priority=point.priority,
            capabilities=point.capabilities,
            available=dict(available[point.id]),
        )
        for point in points
    }


def _validate_lines(lines: list[dict]) -> tuple[list[tuple[SKU, int, Decimal]], Decimal]:
    if not lines:
        raise InvalidOrder(_("An order needs at least one line."), details={"lines": "empty"})
    codes = [line["sku"] for line in lines]
    if len(set(codes)) != len(codes):
        raise InvalidOrder(_("Each SKU may appear on one line only."), details={"lines": "duplicate SKU"})
    skus = {sku.code: sku for sku in SKU.objects.filter(code__in=codes, active=True)}
    unknown = [code for code in codes if code not in skus]
    if unknown:
        raise NotFound(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(unknown)}, details={"skus": unknown})
    validated, total = [], Decimal("0")
    for line in lines:
        quantity, price = line["quantity"], Decimal(line["unit_price"])
        if quantity <= 0 or price < 0:
            raise InvalidOrder(_("Quantities must be positive and prices not negative."), details={"sku": line["sku"]})
        validated.append((skus[line["sku"]], quantity, price))
        total += price * quantity
    return validated, total.quantize(CENTS)


def _pickup_location(fulfillment: dict) -> Location | None:
    method = fulfillment["method"]
    if method == FulfillmentMethod.HOME_DELIVERY:
        return None
    code = fulfillment.get("pickup_location")
    if not code:
        raise InvalidOrder(_("This method needs a pickup_location."), details={"pickup_location": None})
    location = Location.objects.active().filter(code=code).first()
    if location is None:
        raise NotFound(_("Unknown location: %(code)s") % {"code": code}, details={"pickup_location": code})
    if method == FulfillmentMethod.LOCKER:
        if location.kind != Location.Kind.LOCKER:
            raise MethodNotOffered(_("%(code)s is not a locker.") % {"code": code}, details={"pickup_location": code})
    elif not location.has_capability(PICKUP_CAPABILITY[method]):
        raise MethodNotOffered(
            _("%(code)s does not offer %(method)s.") % {"code": code, "method": method},
            details={"pickup_location": code, "method": method, "capabilities": location.capabilities},
        )
    return location


def place_order(
    *,
    channel: SalesChannel,
    customer: dict,
    lines: list[dict],
    fulfillment: dict,
    payment: dict,
    external_id: str = "",
    shipping_price: Decimal = Decimal("0"),
    actor=None,
) -> Order:
    """Validate, source, hold every unit and write the order, all or nothing.

    When a hold is refused because stock moved since it was read, the order is re-planned once with fresh
    numbers; a second refusal (or a plan that cannot cover the lines) is `InsufficientStock` with per-line
    requested/available. Queries: a constant number plus one hold UPDATE per line.
    """
    method = fulfillment["method"]
    speed = fulfillment.get("speed") or ("standard" if method == FulfillmentMethod.HOME_DELIVERY else "")
    validated, lines_total = _validate_lines(lines)
    shipping_price = Decimal(shipping_price).quantize(CENTS)
    total = lines_total + shipping_price
    amount, currency = Decimal(payment["amount"]).quantize(CENTS), payment["currency"].upper()
    if amount != total or currency != channel.currency:
        raise PaymentMismatch(
            details={
                "expected": {"amount": str(total), "currency": channel.currency},
                "got": {"amount": str(amount), "currency": currency},
            }
        )
    pickup = _pickup_location(fulfillment)
    address = fulfillment.get("address") or {}
    destination = None
    if method == FulfillmentMethod.HOME_DELIVERY:
        if address.get("lat") is not None and address.get("lon") is not None:
            destination = (float(address["lat"]), float(address["lon"]))
        if speed == "same_day" and destination is None:
            raise InvalidOrder(_("Same-day delivery needs the address's lat and lon."), details={"address": "lat/lon"})
    elif pickup is not None:
        destination = (pickup.latitude, pickup.longitude)

    plan_lines = [sourcing.Line(sku.pk, sku.code, qty) for sku, qty, _price in validated]
    policy = sourcing.Policy(same_day_radius_km=settings.SAME_DAY_RADIUS_KM)

    def make_plan():
        candidates = _load_candidates(
            sku_ids=[line.sku_id for line in plan_lines], extra_location_ids={pickup.pk} if pickup else set()
        )
        in_store = method in PICKUP_CAPABILITY
        plan = sourcing.plan_sourcing(
            lines=plan_lines,
            method=method,
            speed=speed,
            destination=destination,
            pickup=candidates.get(pickup.pk) if (pickup and in_store) else None,
            candidates=list(candidates.values()),
            policy=policy,
        )
        if not plan.ok:
            raise InsufficientStock(plan.shortfalls)
        return plan

    for attempt in (1, 2):
        plan = make_plan()
        try:
            with transaction.atomic():
                return _write_order(
                    channel=channel,
                    customer=customer,
                    validated=validated,
                    plan=plan,
                    method=method,
                    speed=speed,
                    pickup=pickup,
                    address=address,
                    lines_total=lines_total,
                    shipping_price=shipping_price,
                    total=total,
                    payment=payment,
                    currency=currency,
                    external_id=external_id,
                    actor=actor,
                )
        except InsufficientStock:
            if attempt == 2:
                make_plan()  # raises with per-SKU network figures when the stock is really gone
                raise
    raise AssertionError("unreachable")


def _write_order(
    *,
    channel,
    customer,
    validated,
    plan,
    method,
    speed,
    pickup,
    address,
    lines_total,
    shipping_price,
    total,
    payment,
    currency,
    external_id,
    actor,
) -> Order:
    customer_row = upsert_customer(
        email=customer["email"],
        phone=customer.get("phone", ""),
        name=customer.get("name", ""),
        locale=customer.get("locale", ""),
        marketing_consent=customer.get("marketing_consent"),
        notify_by=customer.get("notify_by", ""),
    )
    order = Order.objects.create(
        number=_new_order_number(),
        channel=channel,
        external_id=external_id,
        customer=customer_row,
        method=method,
        speed=speed,
        pickup_location=pickup,
        shipping_address=address,
        currency=currency,
        lines_total=lines_total,
        shipping_price=shipping_price,
        total=total,
        sourcing={"explanation": plan.explanation},
    )
    order_lines = {
        sku.pk: line
        for sku, line in zip(
            [sku for sku, _q, _p in validated],
            OrderLine.objects.bulk_create(
                [OrderLine(order=order, sku=sku, quantity=qty, unit_price=price) for sku, qty, price in validated]
            ),
            strict=True,
        )
    }
    # One hold call for the whole order: rows locked in (location, sku) order across every fulfillment.
    holds = stock.hold_stock(
        lines=[(planned.source_id, sku_id, qty) for planned in plan.fulfillments for sku_id, qty in planned.lines],
        kind=StockHold.Kind.ALLOCATION,
        reference=f"order:{order.number}",
    )
    hold_by_pair = {(h.location_id, h.sku_id): h for h in holds}
    # Every fulfillment in one INSERT, every fulfillment line in another: the query count does not grow
    # with the number of sources.
    flows = {"ship": Fulfillment.Flow.SHIP, "pickup": Fulfillment.Flow.PICKUP}
    fulfillments = Fulfillment.objects.bulk_create(
        [
            Fulfillment(
                order=order,
                source_location_id=planned.source_id,
                method=method,
                flow=flows.get(planned.flow, Fulfillment.Flow.SHIP_TO_STORE),
                pickup_location=pickup if planned.flow != "ship" or method == FulfillmentMethod.LOCKER else None,
            )
            for planned in plan.fulfillments
        ]
    )
    FulfillmentLine.objects.bulk_create(
        [
            FulfillmentLine(
                fulfillment=fulfillment,
                order_line=order_lines[sku_id],
                quantity=qty,
                hold=hold_by_pair[(planned.source_id, sku_id)],
            )
            for planned, fulfillment in zip(plan.fulfillments, fulfillments, strict=True)
            for sku_id, qty in planned.lines
        ]
    )
    Payment.objects.create(
        order=order,
        provider=payment.get("provider", "manual"),
        reference=payment.get("reference", ""),
        currency=currency,
        authorized_amount=total,
    )
    record_event(
        order=order,
        type="order_placed",
        actor=actor,
        data={"total": str(total), "currency": currency, "fulfillments": len(plan.fulfillments)},
    )
    return order


# ------------------------------------------------------------------------------------------------- fulfilling


def _locked(fulfillment: Fulfillment | int) -> Fulfillment:
    return (
        Fulfillment.objects.select_for_update().select_related("order").get(pk=getattr(fulfillment, "pk", fulfillment))
    )


def transition_fulfillment(*, fulfillment: Fulfillment | int, to: str, actor=None, data=None) -> Fulfillment:
    """Move a fulfillment to `to` if TRANSITIONS allows it from its current state; write the event and the
    order's derived status. The row is re-read under a lock, so two clicks cannot both move it."""
    fulfillment = _locked(fulfillment)
    allowed = TRANSITIONS[fulfillment.flow].get(fulfillment.status, set())
    if to not in allowed:
        raise InvalidTransition(current=fulfillment.status, wanted=to, allowed=allowed)
    fulfillment.status = to
    now = timezone.now()
    if to == S.SHIPPED:
        fulfillment.shipped_at = now
    if to in TERMINAL:
        fulfillment.completed_at = now
    fulfillment.save()
    record_event(order=fulfillment.order, fulfillment=fulfillment, type=to, actor=actor, data=data or {})
    _refresh_order_status(fulfillment.order)
    return fulfillment


def _refresh_order_status(order: Order) -> None:
    statuses = [s for s in order.fulfillments.values_list("status", flat=True) if s != S.CANCELLED]
    OS = Order.Status
    if not statuses:
        status = OS.CANCELLED
    elif all(s in (S.DELIVERED, S.COLLECTED) for s in statuses):
        status = OS.COMPLETED
    elif all(s in TERMINAL for s in statuses):
        status = OS.NOT_COLLECTED if S.NOT_COLLECTED in statuses else OS.COMPLETED
    elif S.READY_FOR_PICKUP in statuses and all(s in TERMINAL | {S.READY_FOR_PICKUP} for s in statuses):
        status = OS.READY_FOR_PICKUP
    elif all(s in TERMINAL | {S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION} for s in statuses):
        status = OS.SHIPPED
    elif all(s == S.PENDING for s in statuses):
        status = OS.PLACED
    else:
        status = OS.IN_PROGRESS
    if order.status != status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])


def _open_amount(fulfillment: Fulfillment) -> Decimal:
    return sum(
        (line.quantity_open * line.order_line.unit_price for line in fulfillment.lines.select_related("order_line")),
        Decimal("0"),
    ).quantize(CENTS)


def _capture(fulfillment: Fulfillment, actor) -> None:
    """Money for what leaves: the fulfillment's open lines, plus the shipping price with the first capture."""
    payment = Payment.objects.select_for_update().get(order_id=fulfillment.order_id)
    amount = _open_amount(fulfillment)
    if payment.captured_amount == 0:
        amount += fulfillment.order.shipping_price
    amount = min(amount, payment.authorized_amount - payment.captured_amount - payment.refunded_amount)
    if amount <= 0:
        return
    reference = adapter_for(payment.provider).capture(payment=payment, amount=amount)
    payment.captured_amount += amount
    payment.save(update_fields=["captured_amount", "updated_at"])
    record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type="payment_captured",
        actor=actor,
        data={"amount": str(amount), "currency": payment.currency, "reference": reference},
    )


def _refund(order: Order, amount: Decimal, *, reason: str, actor, fulfillment=None) -> Decimal:
    """Give back (or release, while uncaptured) `amount`; never more than is still outstanding."""
    payment = Payment.objects.select_for_update().get(order_id=order.pk)
    amount = min(Decimal(amount).quantize(CENTS), payment.authorized_amount - payment.refunded_amount)
    if amount <= 0:
        return Decimal("0")
    reference = adapter_for(payment.provider).refund(payment=payment, amount=amount)
    payment.refunded_amount += amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    record_event(
        order=order,
        fulfillment=fulfillment,
        type="payment_refunded",
        actor=actor,
        data={"amount": str(amount), "currency": payment.currency, "reason": reason, "reference": reference},
    )
    return amount


def _settle_if_finished(order: Order, actor) -> None:
    """Once nothing is left to ship or hand over, release what was authorized and will never be captured
    (the shipping price of an order cancelled before anything shipped, say)."""
    if order.fulfillments.exclude(status__in=TERMINAL).exists():
        return
    payment = Payment.objects.select_for_update().get(order_id=order.pk)
    outstanding = payment.authorized_amount - payment.captured_amount - payment.refunded_amount
    if outstanding > 0:
        _refund(order, outstanding, reason="nothing left to fulfil", actor=actor)


def _release_open_holds(fulfillment: Fulfillment) -> None:
    for line in fulfillment.lines.select_related("hold"):
        if line.hold and line.hold.status == StockHold.Status.ACTIVE:
            stock.release_hold(hold=line.hold)


@transaction.atomic
def start_picking(*, fulfillment, actor=None) -> Fulfillment:
    return transition_fulfillment(fulfillment=fulfillment, to=S.PICKING, actor=actor)


@transaction.atomic
def mark_packed(*, fulfillment, actor=None) -> Fulfillment:
    return transition_fulfillment(fulfillment=fulfillment, to=S.PACKED, actor=actor)


@transaction.atomic
def ship_fulfillment(*, fulfillment, carrier: str, tracking_number: str, actor=None) -> Fulfillment:
    """The parcel leaves: its units leave the source's stock; a parcel to the customer is paid now."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidOrder(_("Give the carrier and the tracking number."), details={"carrier": carrier})
    fulfillment = _locked(fulfillment)
    fulfillment.carrier, fulfillment.tracking_number = carrier.strip(), tracking_number.strip()
    fulfillment.save(update_fields=["carrier", "tracking_number", "updated_at"])
    fulfillment = transition_fulfillment(
        fulfillment=fulfillment,
        to=S.SHIPPED,
        actor=actor,
        data={"carrier": fulfillment.carrier, "tracking_number": fulfillment.tracking_number},
    )
    to_store = fulfillment.flow == Fulfillment.Flow.SHIP_TO_STORE
    for line in fulfillment.lines.select_related("hold"):
        if line.quantity_open:
            stock.consume_hold(
                hold=line.hold,
                reason=StockMovement.Reason.TRANSFER_OUT if to_store else StockMovement.Reason.SALE,
                reference=f"order:{fulfillment.order.number}",
                actor=_user(actor),
            )
    if not to_store:
        _capture(fulfillment, actor)
    return fulfillment


@transaction.atomic
def mark_delivered(*, fulfillment, actor=None, data=None) -> Fulfillment:
    return transition_fulfillment(fulfillment=fulfillment, to=S.DELIVERED, actor=actor, data=data)


@transaction.atomic
def receive_in_store(*, fulfillment, actor=None) -> Fulfillment:
    """A ship-to-store parcel arrived at the pickup store: its units enter that store's stock and are held
    there for the customer (walk-in safety stock does not apply: these units are already sold)."""
    fulfillment = transition_fulfillment(fulfillment=fulfillment, to=S.RECEIVED_IN_STORE, actor=actor)
    store = fulfillment.pickup_location
    for line in fulfillment.lines.select_related("order_line__sku"):
        if not line.quantity_open:
            continue
        stock.receive_stock(
            location=store,
            sku=line.order_line.sku,
            quantity=line.quantity_open,
            reason=StockMovement.Reason.TRANSFER_IN,
            reference=f"order:{fulfillment.order.number}",
            actor=_user(actor),
        )
        (line.hold,) = stock.hold_stock(
            lines=[(store, line.order_line.sku, line.quantity_open)],
            kind=StockHold.Kind.ALLOCATION,
            reference=f"order:{fulfillment.order.number}",
            respect_safety_stock=False,
        )
        line.save(update_fields=["hold"])
    return fulfillment


@transaction.atomic
def mark_ready_for_pickup(*, fulfillment, actor=None) -> Fulfillment:
    fulfillment = _locked(fulfillment)
    fulfillment.pickup_code = f"{secrets.randbelow(10**6):06d}"
    fulfillment.pickup_deadline = timezone.now() + settings.PICKUP_WINDOW
    fulfillment.save(update_fields=["pickup_code", "pickup_deadline", "updated_at"])
    return transition_fulfillment(
        fulfillment=fulfillment,
        to=S.READY_FOR_PICKUP,
        actor=actor,
        data={"pickup_deadline": fulfillment.pickup_deadline.isoformat(), "store": fulfillment_store(fulfillment).code},
    )


def fulfillment_store(fulfillment: Fulfillment) -> Location:
    """Where the customer collects: the pickup store for ship-to-store, else the source store."""
    return fulfillment.pickup_location or fulfillment.source_location


@transaction.atomic
def hand_over(*, fulfillment, pickup_code: str, actor=None) -> Fulfillment:
    """The customer collects with their code: the units leave the store's stock and the order is paid."""
    locked = _locked(fulfillment)
    if not secrets.compare_digest((pickup_code or "").strip(), locked.pickup_code or "-"):
        raise WrongPickupCode()
    fulfillment = transition_fulfillment(fulfillment=locked, to=S.COLLECTED, actor=actor)
    for line in fulfillment.lines.select_related("hold"):
        if line.quantity_open:
            stock.consume_hold(
                hold=line.hold,
                reason=StockMovement.Reason.SALE,
                reference=f"order:{fulfillment.order.number}",
                actor=_user(actor),
            )
    _capture(fulfillment, actor)
    return fulfillment


@transaction.atomic
def mark_not_collected(*, fulfillment, actor=None, reason: str = "pickup window passed") -> Fulfillment:
    """The customer never came: stock back to sale, the authorization released."""
    fulfillment = transition_fulfillment(
        fulfillment=fulfillment, to=S.NOT_COLLECTED, actor=actor, data={"reason": reason}
    )
    _release_open_holds(fulfillment)
    _refund(fulfillment.order, _open_amount(fulfillment), reason="not collected", actor=actor, fulfillment=fulfillment)
    _settle_if_finished(fulfillment.order, actor)
    return fulfillment


def expire_uncollected_pickups(*, now=None) -> int:
    """Scheduled job: pickups past their window become not collected. Idempotent; each row in its own
    transaction with `skip_locked`, so two runs at once never handle the same pickup twice."""
    now = now or timezone.now()
    done = 0
    for pk in Fulfillment.objects.filter(status=S.READY_FOR_PICKUP, pickup_deadline__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            row = (
                Fulfillment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=S.READY_FOR_PICKUP, pickup_deadline__lt=now)
                .first()
            )
            if row is None:
                continue
            mark_not_collected(fulfillment=row)
            done += 1
    return done


def send_pickup_reminders(*, now=None) -> int:
    """Scheduled job: pickups due within PICKUP_REMINDER_BEFORE get one `pickup_reminder` event (the outbox
    turns it into messages). Exactly once: `reminded_at` is set by a conditional UPDATE, in the same
    transaction as the event, so two runs at once remind each pickup once."""
    now = now or timezone.now()
    due = Fulfillment.objects.filter(
        status=S.READY_FOR_PICKUP,
        reminded_at__isnull=True,
        pickup_deadline__lte=now + settings.PICKUP_REMINDER_BEFORE,
        pickup_deadline__gt=now,
    ).values_list("pk", flat=True)
    reminded = 0
    for pk in due:
        with transaction.atomic():
            if not Fulfillment.objects.filter(pk=pk, reminded_at__isnull=True, status=S.READY_FOR_PICKUP).update(
                reminded_at=now
            ):
                continue  # another run reminded it, or it was collected meanwhile
            fulfillment = Fulfillment.objects.select_related("order").get(pk=pk)
            record_event(
                order=fulfillment.order,
                fulfillment=fulfillment,
                type="pickup_reminder",
                data={"pickup_deadline": fulfillment.pickup_deadline.isoformat()},
            )
            reminded += 1
    return reminded


@transaction.atomic
def report_missing(*, fulfillment_line: FulfillmentLine | int, quantity: int, actor=None) -> FulfillmentLine:
    """Picking found fewer units than held: release them, refund them, and tell customer care (`item_missing`)."""
    line = FulfillmentLine.objects.select_related("order_line", "hold").get(
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
    stock.release_hold(hold=line.hold, quantity=quantity)
    line.quantity_short += quantity
    line.save(update_fields=["quantity_short"])
    order_line = OrderLine.objects.select_for_update().get(pk=line.order_line_id)
    order_line.quantity_short += quantity
    order_line.save(update_fields=["quantity_short", "updated_at"])
    refund = _refund(
        fulfillment.order, order_line.unit_price * quantity, reason="item missing", actor=actor, fulfillment=fulfillment
    )
    record_event(
        order=fulfillment.order,
        fulfillment=fulfillment,
        type="item_missing",
        actor=actor,
        data={
            "sku": line.order_line.sku.code,
            "quantity": quantity,
            "location": fulfillment.source_location.code,
            "refund": str(refund),
            "method": fulfillment.method,
            "flow": fulfillment.flow,
        },
    )
    if not any(fl.quantity_open for fl in fulfillment.lines.all()):
        transition_fulfillment(
            fulfillment=fulfillment, to=S.CANCELLED, actor=actor, data={"reason": "every item missing"}
        )
        _settle_if_finished(fulfillment.order, actor)
    return line


@transaction.atomic
def cancel_order(*, order: Order, lines: dict[str, int] | None = None, actor=None, reason: str = "") -> Order:
    """Cancel the whole order, or `lines` ({sku code: quantity}), while those units have not shipped.

    Holds are released and the amount refunded; a fulfillment left with nothing becomes cancelled. Any unit
    that already left (or is ready in store for ship-to-store after shipping) makes the call a 409.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    cancellable = {S.PENDING, S.PICKING, S.PACKED, S.READY_FOR_PICKUP}
    fulfillment_lines = list(
        FulfillmentLine.objects.filter(fulfillment__order=order)
        .select_related("fulfillment", "order_line__sku", "hold")
        .order_by("fulfillment_id", "id")
    )
    wanted = lines or {fl.order_line.sku.code: None for fl in fulfillment_lines if fl.quantity_open}
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
    for fl, quantity in plan:
        stock.release_hold(hold=fl.hold, quantity=quantity)
        fl.quantity_cancelled += quantity
        fl.save(update_fields=["quantity_cancelled"])
        OrderLine.objects.filter(pk=fl.order_line_id).update(quantity_cancelled=F("quantity_cancelled") + quantity)
        refund_total += fl.order_line.unit_price * quantity
    refund = _refund(order, refund_total, reason=reason or "cancelled", actor=actor)
    record_event(
        order=order,
        type="order_cancelled" if lines is None else "lines_cancelled",
        actor=actor,
        data={
            "lines": [{"sku": fl.order_line.sku.code, "quantity": q} for fl, q in plan],
            "refund": str(refund),
            "reason": reason,
        },
    )
    for fulfillment in {fl.fulfillment_id for fl, _q in plan}:
        if (
            not FulfillmentLine.objects.filter(fulfillment_id=fulfillment)
            .exclude(quantity=F("quantity_cancelled") + F("quantity_short"))
            .exists()
        ):
            transition_fulfillment(fulfillment=fulfillment, to=S.CANCELLED, actor=actor, data={"reason": reason})
    _settle_if_finished(order, actor)
    order.refresh_from_db()
    return order


@transaction.atomic
def change_shipping_address(*, order: Order, address: dict, actor=None) -> Order:
    """A new delivery address while nothing has shipped yet."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.method != FulfillmentMethod.HOME_DELIVERY:
        raise OrderNotChangeable(_("Only home deliveries have a shipping address."))
    if order.fulfillments.filter(shipped_at__isnull=False).exists():
        raise OrderNotChangeable(_("Part of this order has shipped: the address can no longer change."))
    old = order.shipping_address
    order.shipping_address = address
    order.save(update_fields=["shipping_address", "updated_at"])
    record_event(order=order, type="address_changed", actor=actor, data={"from": old, "to": address})
    return order


# ------------------------------------------------------------------------------------------------- tracking

# Carrier status → fulfillment status. Every report is kept; it moves the fulfillment only where the table
# allows (a ship-to-store parcel "delivered" to the store still waits for the store to confirm receipt).
TRACKING_STATUSES = {
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "delivery_exception": S.DELIVERY_EXCEPTION,
}


@transaction.atomic
def record_tracking_event(
    *,
    carrier: str,
    tracking_number: str,
    event_id: str,
    status: str,
    occurred_at,
    location: str = "",
    description: str = "",
    actor=None,
):
    """A carrier (or a store associate, by hand) reports a parcel's progress.

    Idempotent on (carrier, event id): a repeated report returns the first one and changes nothing.
    Returns (tracking event, created)."""
    from orders.models import TrackingEvent

    if status not in TRACKING_STATUSES:
        raise InvalidOrder(
            _("Unknown tracking status: %(status)s") % {"status": status},
            details={"status": status, "allowed": sorted(TRACKING_STATUSES)},
        )
    if occurred_at is None:
        raise InvalidOrder(_("Say when the carrier saw the parcel."), details={"occurred_at": None})
    existing = TrackingEvent.objects.filter(carrier=carrier, event_id=event_id).first()
    if existing:
        return existing, False
    fulfillment = (
        Fulfillment.objects.select_for_update()
        .filter(carrier__iexact=carrier, tracking_number=tracking_number)
        .order_by("-id")
        .first()
    )
    if fulfillment is None:
        raise NotFound(
            _("No parcel with tracking number %(number)s for %(carrier)s.")
            % {"number": tracking_number, "carrier": carrier},
            details={"carrier": carrier, "tracking_number": tracking_number},
        )
    try:
        with transaction.atomic():
            event = TrackingEvent.objects.create(
                fulfillment=fulfillment,
                carrier=carrier,
                event_id=event_id,
                status=status,
                location=location,
                description=description,
                occurred_at=occurred_at,
            )
    except IntegrityError:
        # The same report arriving twice at once is answered like a repeat; any other violation is a bug.
        duplicate = TrackingEvent.objects.filter(carrier=carrier, event_id=event_id).first()
        if duplicate is None:
            raise
        return duplicate, False
    wanted = TRACKING_STATUSES[status]
    data = {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "location": location,
        "description": description,
        "occurred_at": occurred_at.isoformat(),
    }
    if wanted in TRANSITIONS[fulfillment.flow].get(fulfillment.status, set()):
        transition_fulfillment(fulfillment=fulfillment, to=wanted, actor=actor, data=data)
    else:
        record_event(
            order=fulfillment.order,
            fulfillment=fulfillment,
            type="tracking_update",
            actor=actor,
            data={**data, "status": status},
        )
    return event, True
