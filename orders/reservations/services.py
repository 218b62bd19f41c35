"""Click & reserve: hold items in a store for the customer to try on, no payment (DESIGN.md section 8).

held → purchased (bought at the till: the hold is consumed as a `pos_sale`) | declined (came, did not buy) |
expired (no show, by the scheduled job) | cancelled. Every move goes through `transition_reservation`, which
locks the row, checks RESERVATION_TRANSITIONS and writes the event; the event is sent as `reservation_event`
inside the transaction, so the customer's messages commit with the change.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import SKU, ChannelListing, PosReceiptLine, StockHold, StockMovement
from omnichannel import localtime
from omnichannel.errors import InvalidInput, NotFound
from omnichannel.jobs import for_each_claimed, for_each_due
from omnichannel.transitions import apply_transition
from orders.errors import MethodNotOffered, ReservationLimit
from orders.models import Customer, Reservation, ReservationLine
from orders.placement.services import human_number, upsert_customer
from orders.reservations import events
from stores.models import Capability, Location, SalesChannel

RS = Reservation.Status


# Allowed moves: {from: {to, …}}. Every end state is final; the table is the documentation.
RESERVATION_TRANSITIONS = {RS.HELD: {RS.PURCHASED, RS.DECLINED, RS.EXPIRED, RS.CANCELLED}}


# Closed: the states with no move out of them.
RESERVATION_CLOSED = frozenset(RS.values) - RESERVATION_TRANSITIONS.keys()


def reservation_window(*, location: Location, start) -> tuple:
    """(expires_at, remind_at) for a reservation made at `start` in `location`.

    The hold runs RESERVATION_HOLD, but ends at the store's closing time when that moment falls after it
    (the customer can still come that day). The reminder is due RESERVATION_REMINDER_BEFORE the end; at night
    in the store's time zone it moves to the next morning, or to the evening before when the morning would be
    less than an hour before the end. None when no daytime moment fits after `start`."""
    tz_name = location.tz_name
    expires_at = localtime.open_until(
        start=start, end=start + settings.RESERVATION_HOLD, opening_hours=location.opening_hours, tz_name=tz_name
    )
    due = expires_at - settings.RESERVATION_REMINDER_BEFORE
    if due <= start:
        return expires_at, None
    if not localtime.is_night(due, tz_name):
        return expires_at, due
    morning = localtime.after_quiet_hours(due, tz_name)
    if morning <= expires_at - timedelta(hours=1):
        return expires_at, morning
    evening = localtime.evening_before_night(due, tz_name)
    return expires_at, (evening if evening > start else None)


def _validated_lines(lines: list[dict]) -> list[tuple[SKU, int]]:
    if not lines:
        raise InvalidInput(_("A reservation needs at least one item."), details={"lines": "empty"})
    quantities: dict[str, int] = defaultdict(int)
    for line in lines:
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            raise InvalidInput(_("Quantities must be positive whole numbers."), details={"sku": line.get("sku")})
        quantities[line["sku"]] += quantity
    limit = settings.RESERVATION_MAX_UNITS_PER_LINE
    over = [code for code, quantity in quantities.items() if quantity > limit]
    if over:
        raise ReservationLimit(
            _("At most %(max)s units of one item can be reserved.") % {"max": limit},
            details={"limit": "units_per_line", "max": limit, "skus": over},
        )
    skus = {sku.code: sku for sku in SKU.objects.filter(code__in=list(quantities), active=True)}
    unknown = [code for code in quantities if code not in skus]
    if unknown:
        raise NotFound(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(unknown)}, details={"skus": unknown})
    return [(skus[code], quantity) for code, quantity in quantities.items()]


def _reserving_store(code: str) -> Location:
    location = Location.objects.active().filter(code=code).first()
    if location is None:
        raise NotFound(_("Unknown location: %(code)s") % {"code": code}, details={"location": code})
    if not location.has_capability(Capability.CLICK_AND_RESERVE):
        raise MethodNotOffered(
            _("%(code)s does not offer click & reserve.") % {"code": code},
            details={"location": code, "capabilities": location.capabilities},
        )
    return location


@transaction.atomic
def reserve_items(
    *, channel: SalesChannel, customer: dict, location: str, lines: list[dict], actor=None
) -> Reservation:
    """Hold every item in the store for the customer, or nothing: 404 unknown store or SKU, 422 a store
    without click & reserve or a limit passed (`details.limit` names it), 409 `insufficient_stock` with
    per-line requested/available."""
    store = _reserving_store(location)
    validated = _validated_lines(lines)
    customer_row, contact = upsert_customer(channel=channel, **customer)
    # One customer's reservations are taken one at a time, so two at once cannot both pass the limit.
    Customer.objects.select_for_update(no_key=True).filter(pk=customer_row.pk).first()
    limit = settings.RESERVATION_MAX_OPEN_PER_CUSTOMER
    # Counted per channel: another channel's reservations (or a channel posting someone else's email) never
    # use up this customer's reservations here.
    if Reservation.objects.filter(customer=customer_row, channel=channel, status=RS.HELD).count() >= limit:
        raise ReservationLimit(
            _("You already have %(max)s reservations waiting in store.") % {"max": limit},
            details={"limit": "open_reservations_per_customer", "max": limit},
        )
    now = timezone.now()
    expires_at, remind_at = reservation_window(location=store, start=now)
    number = human_number(settings.RESERVATION_NUMBER_PREFIX)
    reservation = Reservation.objects.create(
        **contact,
        number=number,
        channel=channel,
        customer=customer_row,
        location=store,
        expires_at=expires_at,
        remind_at=remind_at,
    )
    events.held(
        reservation=reservation,
        expires_at=expires_at,
        lines=[{"sku": sku.code, "quantity": quantity} for sku, quantity in validated],
        actor=actor,
    )
    # The stock row last, as in placement: from the hold to the COMMIT it is locked, and the next reservation of
    # a popular item waits for it; only the lines (which name their holds) follow. A refused hold rolls all of
    # this back with the reservation's transaction (no savepoint of its own).
    holds = stock.hold_stock(
        lines=[(store.pk, sku.pk, quantity) for sku, quantity in validated],
        kind=StockHold.Kind.RESERVATION,
        reference=f"reservation:{number}",
        expires_at=expires_at,
        savepoint=False,
    )
    hold_by_sku = {hold.sku_id: hold for hold in holds}
    # The listing price of each item now: what head office's figures count as the value of a reservation bought.
    price_by_sku = dict(
        ChannelListing.objects.filter(channel=channel, sku__in=[sku for sku, _q in validated]).values_list(
            "sku_id", "price"
        )
    )
    ReservationLine.objects.bulk_create(
        [
            ReservationLine(
                reservation=reservation,
                sku=sku,
                quantity=quantity,
                hold=hold_by_sku[sku.pk],
                unit_price=price_by_sku.get(sku.pk),
            )
            for sku, quantity in validated
        ]
    )
    return reservation


def transition_reservation(*, reservation: Reservation | int, to: str, actor=None, data=None) -> Reservation:
    """Move a reservation to `to` if the table allows it; re-read under a lock, so two clicks cannot both move it."""
    reservation = (
        Reservation.objects.select_for_update(no_key=True)
        .select_related("location", "customer")
        .get(pk=getattr(reservation, "pk", reservation))
    )
    apply_transition(
        reservation,
        to=to,
        table=RESERVATION_TRANSITIONS,
        changes={"closed_at": timezone.now()} if to in RESERVATION_CLOSED else {},
        record=lambda moved: events.moved(reservation=reservation, to=moved, data=data, actor=actor),
    )
    return reservation


def _release_holds(reservation: Reservation) -> None:
    stock.release_active_holds(line.hold for line in reservation.lines.select_related("hold"))


@transaction.atomic
def mark_purchased(
    *,
    reservation: Reservation | int,
    pos_receipt: str = "",
    bought: dict[int, int] | None = None,
    actor=None,
    from_till: bool = False,
) -> Reservation:
    """The customer bought at the till: the bought units leave on a `pos_sale` movement (referenced by the till
    receipt when given), the rest goes back on sale. `bought` maps line id → units (default: everything).

    One path with the till feed, whichever arrives second: when the store's button names a receipt the till already
    sent, the units that receipt booked as an ordinary sale already left stock, so the reservation's hold is
    released for them instead of consumed (and units the till could not book are consumed now); `from_till`: the
    till feed itself is buying the reservation (its lines are not booked separately)."""
    receipt = pos_receipt.strip()
    reservation_pk: int = reservation.pk if isinstance(reservation, Reservation) else reservation
    if receipt and not from_till:
        location_id = Reservation.objects.filter(pk=reservation_pk).values_list("location_id", flat=True).first()
        if location_id is not None:
            stock.lock_receipts(location_id=location_id, receipts=[receipt])
    lines = list(ReservationLine.objects.filter(reservation_id=reservation_pk).select_related("hold", "sku"))
    bought = {line.pk: line.quantity for line in lines} if bought is None else bought
    unknown = set(bought) - {line.pk for line in lines}
    if unknown:
        raise InvalidInput(_("These items are not in the reservation."), details={"lines": sorted(unknown)})
    for line in lines:
        quantity = bought.get(line.pk, 0)
        if not 0 <= quantity <= line.quantity:
            raise InvalidInput(
                _("Between 0 and %(max)s units of %(sku)s can be bought.")
                % {"max": line.quantity, "sku": line.sku.code},
                details={"line": line.pk, "quantity": quantity},
            )
    if sum(bought.values()) <= 0:
        raise InvalidInput(_("Nothing was bought: record the reservation as not bought instead."))
    sold = [{"sku": line.sku.code, "quantity": bought[line.pk]} for line in lines if bought.get(line.pk)]
    reservation = transition_reservation(
        reservation=reservation_pk, to=RS.PURCHASED, actor=actor, data={"pos_receipt": receipt, "bought": sold}
    )
    rung_up = {} if from_till or not receipt else _rung_up_at_till(reservation, receipt, lines)
    for line in stock.in_lock_order(lines, hold_of=lambda line: line.hold):
        quantity = bought.get(line.pk, 0)
        if quantity:
            sold_already, consume = _split_by_till(rung_up.get(line.sku_id, []), quantity, reservation.number)
            if sold_already:
                stock.release_hold(hold=line.hold, quantity=sold_already)
            if consume:
                stock.consume_hold(
                    hold=line.hold,
                    quantity=consume,
                    reason=StockMovement.Reason.POS_SALE,
                    reference=f"pos:{receipt}" if receipt else f"reservation:{reservation.number}",
                    actor=actor,
                )
            line.quantity_purchased = quantity
            line.save(update_fields=["quantity_purchased"])
        if quantity < line.quantity:
            stock.release_hold(hold=line.hold)
    reservation.pos_receipt = receipt
    reservation.save(update_fields=["pos_receipt", "updated_at"])
    return reservation


def _rung_up_at_till(reservation: Reservation, receipt: str, lines) -> dict[int, list[PosReceiptLine]]:
    """The lines of till receipt `receipt` at the reservation's store that sold its items as ordinary sales (the
    till did not name the reservation), by SKU: what the till already booked."""
    found: dict[int, list[PosReceiptLine]] = defaultdict(list)
    for till_line in PosReceiptLine.objects.filter(
        location_id=reservation.location_id,
        receipt=receipt,
        reservation="",
        quantity__gt=0,
        sku_id__in=[line.sku_id for line in lines],
    ).order_by("register", "line"):
        if till_line.sku_id is not None:  # always: the filter names SKUs
            found[till_line.sku_id].append(till_line)
    return found


def _split_by_till(till_lines: list[PosReceiptLine], quantity: int, number: str) -> tuple[int, int]:
    """(units the till already took from stock, units the reservation's hold must still give up) for `quantity`
    bought units; the till lines used are marked as settled by this reservation."""
    sold_already = 0
    remaining = quantity
    for till_line in till_lines:
        if remaining <= 0:
            break
        booked = till_line.quantity - till_line.reserved_units - till_line.quantity_unbooked
        used = min(booked, remaining)
        remaining -= used
        # Units the till sold but could not book (they were this reservation's): its hold gives them up now.
        from_unbooked = min(till_line.quantity_unbooked, remaining)
        remaining -= from_unbooked
        sold_already += used
        till_line.reservation = number
        till_line.reserved_units += used + from_unbooked
        till_line.quantity_unbooked -= from_unbooked
        till_line.save(update_fields=["reservation", "reserved_units", "quantity_unbooked"])
    return sold_already, quantity - sold_already


@transaction.atomic
def mark_declined(*, reservation: Reservation | int, actor=None, reason: str = "") -> Reservation:
    """The customer came and did not buy: everything goes back on sale."""
    reservation = transition_reservation(reservation=reservation, to=RS.DECLINED, actor=actor, data={"reason": reason})
    _release_holds(reservation)
    return reservation


@transaction.atomic
def cancel_reservation(*, reservation: Reservation | int, actor=None, reason: str = "", by: str = "customer"):
    """Cancelled by the customer (API) or the store: stock back on sale, the customer told."""
    reservation = transition_reservation(
        reservation=reservation, to=RS.CANCELLED, actor=actor, data={"reason": reason, "by": by}
    )
    _release_holds(reservation)
    return reservation


def expire_reservations(*, now=None) -> int:
    """Scheduled job: held reservations past their end become no-shows and give their stock back.
    Each in its own transaction, picked with `skip_locked` and re-checked, so two runs at once expire each
    reservation once (and the customer gets one message)."""
    now = now or timezone.now()

    def expire(row):
        # No free-text reason: the event type says it (and reads in the page's language).
        reservation = transition_reservation(reservation=row, to=RS.EXPIRED, data={})
        _release_holds(reservation)

    return for_each_due(Reservation.objects.filter(status=RS.HELD, expires_at__lte=now), expire)


def send_reservation_reminders(*, now=None) -> int:
    """Scheduled job: one `reminder` event per held reservation whose reminder is due (the outbox turns it into
    messages). Never at night in the store's time zone: a due reminder waits for the morning. Exactly once:
    `reminded_at` is set by a conditional UPDATE in the event's transaction."""
    now = now or timezone.now()
    at_night = [
        location.pk for location in Location.objects.only("pk", "timezone") if localtime.is_night(now, location.tz_name)
    ]
    due = Reservation.objects.filter(
        status=RS.HELD, reminded_at__isnull=True, remind_at__lte=now, expires_at__gt=now
    ).exclude(location_id__in=at_night)

    def remind(pk):
        reservation = Reservation.objects.get(pk=pk)
        events.reminder(reservation=reservation)

    return for_each_claimed(due, claim={"reminded_at": now}, act=remind)
