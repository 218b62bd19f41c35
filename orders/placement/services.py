"""Placing an order: validate, source, hold every unit, write it all or nothing."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.errors import InsufficientStock, StockMoved
from inventory.models import SKU, StockHold, has_stock_to_sell
from omnichannel.db import compiled_rows
from omnichannel.errors import NotFound
from omnichannel.localtime import add_open_hours
from orders.errors import (
    InvalidOrder,
    MethodNotOffered,
    PaymentMismatch,
    PriceMismatch,
)
from orders.fulfillment import sourcing
from orders.fulfillment.sourcing import LEVEL_FIELDS, shipping_points, stock_candidates
from orders.models import (
    Customer,
    Fulfillment,
    FulfillmentLine,
    FulfillmentMethod,
    Order,
    OrderLine,
)
from orders.payments import money
from orders.payments.money import CENTS
from orders.placement import events
from stores.models import Location, SalesChannel
from stores.selectors import network_snapshot

# What a pickup store needs to offer for each in-store method.
PICKUP_CAPABILITY = {
    FulfillmentMethod.STORE_PICKUP: "click_and_collect",
    FulfillmentMethod.CURBSIDE: "curbside",
    FulfillmentMethod.SHIP_TO_STORE: "ship_to_store",
}


def human_number(prefix: str) -> str:
    """An order or reservation number people read over the phone: no 0/O or 1/I, e.g. `BR-7KQ3X9M2`."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(8))


def upsert_customer(
    *,
    channel: SalesChannel,
    email: str,
    phone: str = "",
    name: str = "",
    locale: str = "",
    marketing_consent=None,
    notify_by: str = "",
) -> tuple[Customer, dict]:
    """The shared customer record for `email` (case-insensitive) and the contact details the order or
    reservation keeps (the `ContactDetails` fields), as one channel's request gives them.

    A new customer belongs to `channel`. Only the owning channel's newer details change the record, and only it
    sets marketing consent (with the time and the channel as its source); another channel's request is linked
    to the customer but changes nothing on it, and its messages go to the details it gave."""
    email = email.strip().lower()
    # The email is unique: no ORDER BY (`first()` would add one, and compiling it costs more than the read).
    customer = next(iter(Customer.objects.filter(email=email)[:1]), None)
    now = timezone.now()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    email=email,
                    phone=phone,
                    name=name,
                    locale=locale or "it",
                    marketing_consent=bool(marketing_consent),
                    marketing_consent_at=now if marketing_consent is not None else None,
                    marketing_consent_source=f"channel:{channel.code}" if marketing_consent is not None else "",
                    notify_by=notify_by or Customer.NotifyBy.EMAIL_AND_SMS,
                    owner_channel=channel,
                )
        except IntegrityError:  # created meanwhile by a concurrent order of the same customer
            customer = Customer.objects.get(email=email)
    if customer.owner_channel_id != channel.id:
        contact = {
            "contact_email": email,
            "contact_phone": phone,
            "contact_name": name,
            "contact_locale": locale or customer.locale,
            "notify_by": notify_by or Customer.NotifyBy.EMAIL_AND_SMS,
        }
        return customer, contact
    changed = []
    for field_name, value in (("phone", phone), ("name", name), ("locale", locale), ("notify_by", notify_by)):
        if value and getattr(customer, field_name) != value:
            setattr(customer, field_name, value)
            changed.append(field_name)
    if marketing_consent is not None and customer.marketing_consent != marketing_consent:
        customer.marketing_consent = marketing_consent
        customer.marketing_consent_at = now
        customer.marketing_consent_source = f"channel:{channel.code}"
        changed += ["marketing_consent", "marketing_consent_at", "marketing_consent_source"]
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer, contact_of(customer)


def contact_of(customer: Customer) -> dict:
    """The customer record's own details as an order's or reservation's contact details."""
    return {
        "contact_email": customer.email,
        "contact_phone": customer.phone,
        "contact_name": customer.name,
        "contact_locale": customer.locale,
        "notify_by": customer.notify_by,
    }


def _skus_with_stock_to_sell(params: list):
    """Each active SKU of `params[1:]` (codes) with the channel `params[0]`'s listing price (NULL: not listed) and
    its stock rows that have units to sell (the SKU alone, with NULLs, when none has):
    (id, code, listing price, *LEVEL_FIELDS)."""
    channel_id, codes = params[0], params[1:]
    return (
        SKU.objects.filter(code__in=codes, active=True)
        .annotate(
            level=FilteredRelation("stock_levels", condition=has_stock_to_sell("stock_levels__")),
            listing=FilteredRelation("listings", condition=Q(listings__channel_id=channel_id)),
        )
        .values_list("id", "code", "listing__price", *(f"level__{field}" for field in LEVEL_FIELDS))
    )


def _read_lines(lines: list[dict], extra_location_ids: set[int], channel: SalesChannel):
    """The order's SKUs, the channel's listing prices and the stock rows with something to sell, in one query
    (SKUs LEFT JOIN those rows): validated lines, their total, the sourcing candidates, and the lines priced below
    the channel's listing (less ORDER_PRICE_TOLERANCE_PERCENT)."""
    if not lines:
        raise InvalidOrder(_("An order needs at least one line."), details={"lines": "empty"})
    codes = [line["sku"] for line in lines]
    if len(set(codes)) != len(codes):
        raise InvalidOrder(_("Each SKU may appear on one line only."), details={"lines": "duplicate SKU"})
    rows = compiled_rows("order SKUs, listing and stock to sell", _skus_with_stock_to_sell, [channel.id, *codes])
    skus = {code: sku_id for sku_id, code, *_rest in rows}
    # Raw rows: PostgreSQL gives a Decimal, the SQLite demo a float; the listing price in cents either way.
    listed = {code: Decimal(str(price)).quantize(CENTS) for _id, code, price, *_level in rows if price is not None}
    unknown = [code for code in codes if code not in skus]
    if unknown:
        raise NotFound(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(unknown)}, details={"skus": unknown})
    validated, total, below = [], Decimal("0"), []
    floor = 1 - Decimal(str(settings.ORDER_PRICE_TOLERANCE_PERCENT)) / 100
    for line in lines:
        quantity, price = line["quantity"], Decimal(line["unit_price"])
        if quantity <= 0 or price < 0:
            raise InvalidOrder(_("Quantities must be positive and prices not negative."), details={"sku": line["sku"]})
        validated.append((skus[line["sku"]], line["sku"], quantity, price))
        total += price * quantity
        listing = listed.get(line["sku"])
        if listing is not None and price < (listing * floor).quantize(CENTS, ROUND_HALF_UP):
            below.append({"sku": line["sku"], "unit_price": str(price), "listing_price": str(listing)})
    candidates = stock_candidates(shipping_points(extra_location_ids), [row[3:] for row in rows])
    return validated, total.quantize(CENTS), candidates, below


def _pickup_location(fulfillment: dict) -> Location | None:
    """The pickup store or locker, from the per-process network snapshot (no query): a Location carrying the
    id, code, kind, coordinates and capabilities placement needs."""
    method = fulfillment["method"]
    if method == FulfillmentMethod.HOME_DELIVERY:
        return None
    code = fulfillment.get("pickup_location")
    if not code:
        raise InvalidOrder(_("This method needs a pickup_location."), details={"pickup_location": None})
    network = network_snapshot()
    point = network.locations.get(network.location_ids_by_code.get(code))
    if point is None:
        raise NotFound(_("Unknown location: %(code)s") % {"code": code}, details={"pickup_location": code})
    if method == FulfillmentMethod.LOCKER:
        if point.kind != Location.Kind.LOCKER:
            raise MethodNotOffered(_("%(code)s is not a locker.") % {"code": code}, details={"pickup_location": code})
    elif PICKUP_CAPABILITY[method] not in point.capabilities:
        raise MethodNotOffered(
            _("%(code)s does not offer %(method)s.") % {"code": code, "method": method},
            details={"pickup_location": code, "method": method, "capabilities": sorted(point.capabilities)},
        )
    return Location(
        id=point.id,
        code=point.code,
        kind=point.kind,
        latitude=point.latitude,
        longitude=point.longitude,
        capabilities=sorted(point.capabilities),
    )


def _checked_amounts(*, lines_total: Decimal, shipping_price, discount, payment: dict, channel) -> tuple:
    """(shipping price, discount, total) in cents, if the discount fits the lines and the channel's payment
    authorized exactly the total in the channel's currency."""
    shipping_price = Decimal(shipping_price).quantize(CENTS)
    discount = Decimal(discount).quantize(CENTS)
    if not 0 <= discount <= lines_total:
        raise InvalidOrder(
            _("The discount must be between 0 and the lines' total (%(total)s).") % {"total": lines_total},
            details={"discount": str(discount), "lines_total": str(lines_total)},
        )
    total = lines_total - discount + shipping_price
    amount, currency = Decimal(payment["amount"]).quantize(CENTS), payment["currency"].upper()
    if amount != total or currency != channel.currency:
        raise PaymentMismatch(
            details={
                "expected": {"amount": str(total), "currency": channel.currency},
                "got": {"amount": str(amount), "currency": currency},
            }
        )
    return shipping_price, discount, total


def _destination(method: str, speed: str, address: dict, pickup: Location | None) -> tuple[float, float] | None:
    """Where the goods go, for the distances: the customer's address (same day needs it) or the pickup store."""
    destination = None
    if method == FulfillmentMethod.HOME_DELIVERY:
        if address.get("lat") is not None and address.get("lon") is not None:
            destination = (float(address["lat"]), float(address["lon"]))
        if speed == "same_day" and destination is None:
            raise InvalidOrder(_("Same-day delivery needs the address's lat and lon."), details={"address": "lat/lon"})
    elif pickup is not None:
        destination = (pickup.latitude, pickup.longitude)
    return destination


def place_order(
    *,
    channel: SalesChannel,
    customer: dict,
    lines: list[dict],
    fulfillment: dict,
    payment: dict,
    external_id: str = "",
    shipping_price: Decimal = Decimal("0"),
    discount: Decimal = Decimal("0"),
    actor=None,
) -> Order:
    """Validate, source, hold every unit and write the order, all or nothing, set-based: the SKUs and their
    stock rows read once, every stock row changed by one conditional statement, each kind of row one INSERT, no
    savepoint. When a hold is refused because stock moved since it was read: at the top level, re-planned once
    in a new transaction; inside a caller's transaction (an Idempotency-Key record), `StockMoved` rolls it back
    and the request is run again once (`omnichannel.db.retry_once_on_lock_conflict`). A plan that cannot cover
    the lines is `InsufficientStock` with per-line requested/available.
    """
    method = fulfillment["method"]
    speed = fulfillment.get("speed") or ("standard" if method == FulfillmentMethod.HOME_DELIVERY else "")
    pickup = _pickup_location(fulfillment)
    extra = {pickup.pk} if pickup else set()
    validated, lines_total, candidates, below_listing = _read_lines(lines, extra, channel)
    if below_listing and not channel.pricing_authority:
        # A price below the listing is a reduction the channel must state (`discount`), not a unit price.
        raise PriceMismatch(
            _("%(sku)s is listed at %(price)s on this channel: give reductions as the order's discount.")
            % {"sku": below_listing[0]["sku"], "price": below_listing[0]["listing_price"]},
            details={"lines": below_listing},
        )
    shipping_price, discount, total = _checked_amounts(
        lines_total=lines_total, shipping_price=shipping_price, discount=discount, payment=payment, channel=channel
    )
    address = fulfillment.get("address") or {}
    destination = _destination(method, speed, address, pickup)

    plan_lines = [sourcing.Line(sku_id, code, qty) for sku_id, code, qty, _price in validated]
    policy = sourcing.Policy(same_day_radius_km=settings.SAME_DAY_RADIUS_KM)

    def make_plan(candidates):
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

    new = NewOrder(
        channel=channel,
        customer=customer,
        validated=validated,
        method=method,
        speed=speed,
        pickup=pickup,
        address=address,
        lines_total=lines_total,
        discount=discount,
        shipping_price=shipping_price,
        total=total,
        payment=payment,
        currency=channel.currency,  # the payment's, checked above
        external_id=external_id,
        actor=actor,
        below_listing=below_listing,
    )
    plan = make_plan(candidates)  # not enough stock anywhere: InsufficientStock with per-SKU network figures
    if transaction.get_connection().in_atomic_block:
        # Inside the caller's transaction: no savepoint; a refused hold is `StockMoved` for the caller to retry.
        return _write_order(new=new, plan=plan)
    try:
        with transaction.atomic():
            return _write_order(new=new, plan=plan)
    except StockMoved:
        pass  # stock moved between reading and holding it: re-plan once with fresh numbers
    _validated, _total, candidates, _below = _read_lines(lines, extra, channel)
    try:
        with transaction.atomic():
            return _write_order(new=new, plan=make_plan(candidates))
    except StockMoved as moved:
        raise InsufficientStock(moved.lines) from None


@dataclass(frozen=True)
class NewOrder:
    """What a validated order request becomes before it is written: the same for the first try and the re-plan
    after stock moved (only the plan changes)."""

    channel: SalesChannel
    customer: dict
    validated: list  # (sku id, code, quantity, unit price) per line
    method: str
    speed: str
    pickup: Location | None
    address: dict | None
    lines_total: Decimal
    discount: Decimal
    shipping_price: Decimal
    total: Decimal
    payment: dict
    currency: str
    external_id: str
    actor: object
    below_listing: list


def _write_order(*, new: NewOrder, plan) -> Order:
    """The order's rows, one INSERT per kind, and every stock row in one statement. The objects written carry
    what the 201 answer shows (lines, parcels, payment, event), so nothing is read back."""
    customer_row, contact = upsert_customer(channel=new.channel, **new.customer)
    given = new.customer.get("marketing_consent")
    order = Order.objects.create(
        **contact,
        # What this order's channel said (or, not saying, what its own customer record says): never another
        # channel's consent.
        marketing_consent=bool(given)
        if given is not None
        else customer_row.owner_channel_id == new.channel.id and customer_row.marketing_consent,
        number=human_number(settings.ORDER_NUMBER_PREFIX),
        channel=new.channel,
        external_id=new.external_id,
        customer=customer_row,
        method=new.method,
        speed=new.speed,
        pickup_location=new.pickup,
        shipping_address=new.address,
        currency=new.currency,
        lines_total=new.lines_total,
        discount=new.discount,
        shipping_price=new.shipping_price,
        total=new.total,
        sourcing={"explanation": plan.explanation},
        # The channel priced below its listing and is the pricing authority (it collected the money): placed,
        # and head office reviews it.
        price_review=bool(new.below_listing),
    )
    skus = {sku_id: SKU(id=sku_id, code=code) for sku_id, code, _q, _p in new.validated}
    order_lines = OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, sku=skus[sku_id], quantity=qty, unit_price=price)
            for sku_id, _c, qty, price in new.validated
        ]
    )
    line_by_sku = {line.sku_id: line for line in order_lines}
    network = network_snapshot()
    flows = {"ship": Fulfillment.Flow.SHIP, "pickup": Fulfillment.Flow.PICKUP}
    fulfillments = Fulfillment.objects.bulk_create(
        [
            Fulfillment(
                order=order,
                source_location=_point_location(network, planned),
                method=new.method,
                flow=flows.get(planned.flow, Fulfillment.Flow.SHIP_TO_STORE),
                pickup_location=new.pickup
                if planned.flow != "ship" or new.method == FulfillmentMethod.LOCKER
                else None,
                promised_by=promised_by(
                    method=new.method,
                    speed=new.speed,
                    flow=planned.flow,
                    acting=network.locations.get(_acting_location_id(planned, new.pickup)),
                    placed_at=order.created_at,
                ),
            )
            for planned in plan.fulfillments
        ]
    )
    order.payment = money.authorize(
        order=order,
        provider=new.payment.get("provider", "manual"),
        reference=new.payment.get("reference", ""),
        currency=new.currency,
        amount=new.total,
    )
    event = events.order_placed(
        order=order,
        total=new.total,
        currency=new.currency,
        parcels=len(plan.fulfillments),
        below_listing=new.below_listing,
        actor=new.actor,
    )
    # The stock rows last: from the hold to the COMMIT they are locked, and a popular item's next order waits for
    # them. Everything that does not need the holds is written before; only the parcel lines (which name their
    # hold) follow.
    try:
        # One statement for every stock row of the order, locked in (location, sku) order across its parcels.
        holds = stock.hold_stock(
            lines=[(planned.source_id, sku_id, qty) for planned in plan.fulfillments for sku_id, qty in planned.lines],
            kind=StockHold.Kind.ALLOCATION,
            reference=f"order:{order.number}",
            savepoint=False,
        )
    except InsufficientStock as refused:
        raise StockMoved(refused.lines) from None
    hold_by_pair = {(h.location_id, h.sku_id): h for h in holds}
    parcel_lines = FulfillmentLine.objects.bulk_create(
        [
            FulfillmentLine(
                fulfillment=fulfillment,
                order_line=line_by_sku[sku_id],
                quantity=qty,
                hold=hold_by_pair[(planned.source_id, sku_id)],
            )
            for planned, fulfillment in zip(plan.fulfillments, fulfillments, strict=True)
            for sku_id, qty in planned.lines
        ]
    )
    # What the 201 answer shows, as written (`orders.selectors.placed_order_detail` turns it into the detail).
    order.written = {
        "lines": order_lines,
        "fulfillments": fulfillments,
        "parcel_lines": parcel_lines,
        "events": [event],
    }
    return order


def _acting_location_id(planned, pickup: Location | None) -> int:
    """Whose opening hours a parcel's promise counts: the pickup store's for a parcel that travels there, else
    the source's."""
    return pickup.pk if planned.flow == "ship_to_store" and pickup is not None else planned.source_id


def promised_by(*, method: str, speed: str, flow: str, acting, placed_at) -> datetime | None:
    """When a parcel is promised to ship (home, locker) or be ready (pickups): FULFILLMENT_PROMISE_OPEN_HOURS of
    `acting`'s opening hours (the source, or the pickup store for a parcel that travels there) after placement.
    None when no promise is set for the method (the parcel is left out of on-time)."""
    hours = settings.FULFILLMENT_PROMISE_OPEN_HOURS
    key = "ship_to_store" if flow == "ship_to_store" else f"{method}:{speed}" if speed else method
    promise = hours.get(key, hours.get(method))
    if promise is None or acting is None:
        return None
    return add_open_hours(start=placed_at, hours=promise, opening_hours=acting.opening_hours, tz_name=acting.tz_name)


def _point_location(network, planned) -> Location:
    """The source as the answer shows it, from the snapshot (a location deactivated since the read is still the
    source this order was planned with)."""
    point = network.locations.get(planned.source_id)
    if point is None:
        return Location(id=planned.source_id, code=planned.source)
    return Location(id=point.id, code=point.code, kind=point.kind, latitude=point.latitude, longitude=point.longitude)
