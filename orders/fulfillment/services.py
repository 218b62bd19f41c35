"""Fulfilling an order: picking, shipping, pickups, ship-to-store, payments (cancellations: changes.py; missing
units: missing.py)."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import StockHold, StockMovement
from omnichannel import localtime
from omnichannel.errors import InvalidTransition
from omnichannel.jobs import for_each_claimed, for_each_due
from omnichannel.transitions import apply_transition
from orders.errors import (
    InvalidOrder,
    PickupCodeLocked,
    TrackingNumberInUse,
    WrongPickupCode,
)
from orders.events import OrderEventType as E
from orders.fulfillment import events
from orders.fulfillment.models import ACTIVE_PARCEL, TERMINAL, TRANSITIONS, S
from orders.fulfillment.status import refresh_order_status
from orders.locks import locked_fulfillment
from orders.models import (
    Fulfillment,
)
from orders.payments.money import (
    CENTS,
    capture,
    give_money_back,
    settle_if_finished,
)
from stores.models import Location
from stores.roles import Right, require_right


@transaction.atomic
def resend_pickup_code(*, fulfillment: Fulfillment | int, actor) -> Fulfillment:
    """The store sends a waiting customer their pickup code again (the same code: nothing changes at the till)."""
    fulfillment = _locked(fulfillment)
    require_right(actor, Right.RENEW_PICKUP_CODE, location=fulfillment_store(fulfillment))
    if fulfillment.status != S.READY_FOR_PICKUP:
        raise InvalidTransition(
            current=fulfillment.status,
            wanted="pickup_code_resent",
            allowed=[],
            message=_("This pickup is not waiting."),
        )
    events.pickup_code(fulfillment=fulfillment, what=E.PICKUP_CODE_RESENT, actor=actor)
    return fulfillment


def _locked(fulfillment: Fulfillment | int) -> Fulfillment:
    """The parcel, locked after its order (orders/locks.py)."""
    return locked_fulfillment(fulfillment)


def transition_fulfillment(*, fulfillment: Fulfillment | int, to: str, actor=None, data=None) -> Fulfillment:
    """Move a fulfillment to `to` if TRANSITIONS allows it from its current state; write the event and the
    order's derived status. The row is re-read under a lock, so two clicks cannot both move it."""
    fulfillment = _locked(fulfillment)
    now = timezone.now()
    changes = {"shipped_at": now} if to == S.SHIPPED else {}
    changes |= {"completed_at": now} if to in TERMINAL else {}
    apply_transition(
        fulfillment,
        to=to,
        table=TRANSITIONS[fulfillment.flow],
        changes=changes,
        record=lambda moved: events.moved(fulfillment=fulfillment, to=moved, actor=actor, data=data),
    )
    refresh_order_status(fulfillment.order)
    return fulfillment


def _open_amount(fulfillment: Fulfillment) -> Decimal:
    return sum(
        (line.quantity_open * line.order_line.unit_price for line in fulfillment.lines.select_related("order_line")),
        Decimal("0"),
    ).quantize(CENTS)


def _capture(fulfillment: Fulfillment, actor) -> None:
    """Money for what leaves: the fulfillment's open lines (the shipping price comes with the first capture)."""
    capture(order=fulfillment.order, amount=_open_amount(fulfillment), fulfillment=fulfillment, actor=actor)


def _release_open_holds(fulfillment: Fulfillment) -> None:
    stock.release_active_holds(line.hold for line in fulfillment.lines.select_related("hold"))


def _consume_open_holds(fulfillment: Fulfillment, *, reason: str, actor) -> None:
    """The fulfillment's open units leave the location (shipped, or handed over at the till)."""
    open_lines = [line for line in fulfillment.lines.select_related("hold") if line.quantity_open]
    for line in stock.in_lock_order(open_lines, hold_of=lambda line: line.hold):
        if line.quantity_open:
            stock.consume_hold(
                hold=line.hold, reason=reason, reference=f"order:{fulfillment.order.number}", actor=actor
            )


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
    if (
        Fulfillment.objects.filter(
            carrier__iexact=fulfillment.carrier, tracking_number=fulfillment.tracking_number, status__in=ACTIVE_PARCEL
        )
        .exclude(pk=fulfillment.pk)
        .exists()
    ):
        raise _tracking_number_in_use(fulfillment)
    fulfillment.save(update_fields=["carrier", "tracking_number", "updated_at"])
    try:
        with transaction.atomic():
            fulfillment = transition_fulfillment(
                fulfillment=fulfillment,
                to=S.SHIPPED,
                actor=actor,
                data={"carrier": fulfillment.carrier, "tracking_number": fulfillment.tracking_number},
            )
    except IntegrityError as error:
        # Two parcels shipped at once with one number: the partial unique index lets only the first through.
        if "fulfillment_active_tracking_number" not in str(error):
            raise
        raise _tracking_number_in_use(fulfillment) from error
    to_store = fulfillment.flow == Fulfillment.Flow.SHIP_TO_STORE
    _consume_open_holds(
        fulfillment, reason=StockMovement.Reason.TRANSFER_OUT if to_store else StockMovement.Reason.SALE, actor=actor
    )
    if not to_store:
        _capture(fulfillment, actor)
    return fulfillment


def _tracking_number_in_use(fulfillment: Fulfillment) -> TrackingNumberInUse:
    """The 409 for a tracking number another parcel of the carrier still travels with (ACTIVE_PARCEL)."""
    return TrackingNumberInUse(
        _("Tracking number %(number)s of %(carrier)s is already on a parcel on its way: check the label.")
        % {"number": fulfillment.tracking_number, "carrier": fulfillment.carrier},
        details={"carrier": fulfillment.carrier, "tracking_number": fulfillment.tracking_number},
    )


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
            actor=actor,
        )
        (line.hold,) = stock.hold_stock(
            lines=[(store, line.order_line.sku, line.quantity_open)],
            kind=StockHold.Kind.ALLOCATION,
            reference=f"order:{fulfillment.order.number}",
            respect_safety_stock=False,
        )
        line.save(update_fields=["hold"])
    return fulfillment


def pickup_deadline(store: Location, end):
    """When a pickup must be collected by: the store's first closing time from `end` (never 03:29, never a
    Sunday it is closed, never less time than the customer was given)."""
    return localtime.closing_time_from(end, opening_hours=store.opening_hours, tz_name=store.tz_name)


@transaction.atomic
def mark_ready_for_pickup(*, fulfillment, actor=None) -> Fulfillment:
    fulfillment = _locked(fulfillment)
    fulfillment.pickup_code = f"{secrets.randbelow(10**6):06d}"
    fulfillment.pickup_deadline = pickup_deadline(
        fulfillment_store(fulfillment), timezone.now() + settings.PICKUP_WINDOW
    )
    fulfillment.save(update_fields=["pickup_code", "pickup_deadline", "updated_at"])
    return transition_fulfillment(
        fulfillment=fulfillment,
        to=S.READY_FOR_PICKUP,
        actor=actor,
        data={"pickup_deadline": fulfillment.pickup_deadline.isoformat(), "store": fulfillment_store(fulfillment).code},
    )


def location_actions(*, fulfillment: Fulfillment, location: Location) -> set[str]:
    """What `location` may do to the fulfillment now: the source prepares and ships; the collecting store
    receives parcels and hands over. One rule for the store dashboard and the fulfillment API."""
    allowed = TRANSITIONS[fulfillment.flow].get(fulfillment.status, set())
    actions = set()
    if fulfillment.source_location_id == location.pk:
        actions |= _source_actions(fulfillment, allowed)
    if fulfillment.flow != Fulfillment.Flow.SHIP and fulfillment_store(fulfillment).pk == location.pk:
        actions |= _collecting_store_actions(fulfillment, allowed)
    return actions


def _source_actions(fulfillment: Fulfillment, allowed: set) -> set[str]:
    flow, status = fulfillment.flow, fulfillment.status
    actions = {
        action
        for action, move in (("start_picking", S.PICKING), ("pack", S.PACKED), ("ship", S.SHIPPED))
        if move in allowed
    }
    if status in (S.PENDING, S.PICKING):
        actions.add("report_missing")
    if S.READY_FOR_PICKUP in allowed and flow == Fulfillment.Flow.PICKUP:
        actions.add("ready")
    if flow == Fulfillment.Flow.SHIP and status in ACTIVE_PARCEL:
        actions.add("tracking")
    if status == S.LOST and fulfillment.back_in_stock_at is None:
        actions.add("back_in_stock")  # the carrier brought the lost parcel back
    return actions


def _collecting_store_actions(fulfillment: Fulfillment, allowed: set) -> set[str]:
    actions = set()
    if S.RECEIVED_IN_STORE in allowed:
        actions.add("receive")
        if fulfillment.status in (S.SHIPPED, S.IN_TRANSIT):
            actions.add("not_received")
    if S.READY_FOR_PICKUP in allowed and fulfillment.flow == Fulfillment.Flow.SHIP_TO_STORE:
        actions.add("ready")
    if S.COLLECTED in allowed:
        actions.update({"hand_over", "not_collected"})
    return actions


def fulfillment_store(fulfillment: Fulfillment) -> Location:
    """Where the customer collects: the pickup store for ship-to-store, else the source store."""
    return fulfillment.pickup_location or fulfillment.source_location


def hand_over(*, fulfillment, pickup_code: str, actor=None) -> Fulfillment:
    """The customer collects with their code: the units leave the store's stock and the order is paid.

    A wrong code is counted in the same transaction that compared it, under the row's lock, and that transaction
    commits (the count must stick although the hand-over fails): however many counters try at once, exactly
    PICKUP_CODE_MAX_ATTEMPTS codes are ever compared. Then the pickup is locked (`PickupCodeLocked`, 423) until a
    manager unlocks it or the customer is sent a new code, so the 6-digit code cannot be guessed at the counter."""
    outcome = _hand_over(fulfillment=fulfillment, pickup_code=pickup_code, actor=actor)
    if isinstance(outcome, Fulfillment):
        return outcome
    left = max(settings.PICKUP_CODE_MAX_ATTEMPTS - outcome, 0)
    if not left:
        raise PickupCodeLocked(details={"attempts": outcome})
    raise WrongPickupCode(
        _("The pickup code does not match this order (%(left)s attempts left).") % {"left": left},
        details={"attempts_left": left},
    )


@transaction.atomic
def _hand_over(*, fulfillment, pickup_code: str, actor) -> Fulfillment | int:
    """The fulfillment collected, or the number of wrong codes tried so far (this one counted)."""
    locked = _locked(fulfillment)
    if locked.pickup_code_attempts >= settings.PICKUP_CODE_MAX_ATTEMPTS:
        raise PickupCodeLocked(details={"attempts": locked.pickup_code_attempts})
    if not secrets.compare_digest((pickup_code or "").strip(), locked.pickup_code or "-"):
        return _count_wrong_pickup_code(locked, actor=actor)
    fulfillment = transition_fulfillment(fulfillment=locked, to=S.COLLECTED, actor=actor)
    _consume_open_holds(fulfillment, reason=StockMovement.Reason.SALE, actor=actor)
    _capture(fulfillment, actor)
    return fulfillment


def _count_wrong_pickup_code(locked: Fulfillment, *, actor) -> int:
    """One conditional update decides whether this attempt still counts: never past the limit."""
    counted = Fulfillment.objects.filter(
        pk=locked.pk, pickup_code_attempts__lt=settings.PICKUP_CODE_MAX_ATTEMPTS
    ).update(pickup_code_attempts=F("pickup_code_attempts") + 1, updated_at=timezone.now())
    if not counted:
        return settings.PICKUP_CODE_MAX_ATTEMPTS
    locked.pickup_code_attempts += 1
    if locked.pickup_code_attempts == settings.PICKUP_CODE_MAX_ATTEMPTS:
        events.pickup_code(
            fulfillment=locked, what=E.PICKUP_CODE_LOCKED, actor=actor, attempts=locked.pickup_code_attempts
        )
    return locked.pickup_code_attempts


@transaction.atomic
def unlock_pickup_code(*, fulfillment, actor) -> Fulfillment:
    """A manager (or head office) lets the customer try the code again, e.g. after checking their ID."""
    locked = _locked(fulfillment)
    require_right(actor, Right.UNLOCK_PICKUP_CODE, location=fulfillment_store(locked))
    locked.pickup_code_attempts = 0
    locked.save(update_fields=["pickup_code_attempts", "updated_at"])
    events.pickup_code(fulfillment=locked, what=E.PICKUP_CODE_UNLOCKED, actor=actor)
    return locked


@transaction.atomic
def renew_pickup_code(*, fulfillment, actor) -> Fulfillment:
    """A new code for a pickup waiting in store, sent to the customer; the old one stops working."""
    locked = _locked(fulfillment)
    require_right(actor, Right.RENEW_PICKUP_CODE, location=fulfillment_store(locked))
    if locked.status != S.READY_FOR_PICKUP:
        raise InvalidTransition(
            current=locked.status, wanted="pickup_code_renewed", allowed=[], message=_("This pickup is not waiting.")
        )
    locked.pickup_code = f"{secrets.randbelow(10**6):06d}"
    locked.pickup_code_attempts = 0
    locked.save(update_fields=["pickup_code", "pickup_code_attempts", "updated_at"])
    events.pickup_code(fulfillment=locked, what=E.PICKUP_CODE_RENEWED, actor=actor)
    return locked


@transaction.atomic
def mark_not_collected(*, fulfillment, actor=None, reason: str = "pickup window passed") -> Fulfillment:
    """The customer never came: stock back to sale, the authorization released."""
    fulfillment = transition_fulfillment(
        fulfillment=fulfillment, to=S.NOT_COLLECTED, actor=actor, data={"reason": reason}
    )
    _release_open_holds(fulfillment)
    give_money_back(
        fulfillment.order, _open_amount(fulfillment), reason="not collected", actor=actor, fulfillment=fulfillment
    )
    settle_if_finished(fulfillment.order, actor)
    return fulfillment


def expire_uncollected_pickups(*, now=None) -> int:
    """Scheduled job: pickups past their window become not collected. Idempotent; each row in its own
    transaction with `skip_locked`, so two runs at once never handle the same pickup twice."""
    now = now or timezone.now()
    due = Fulfillment.objects.filter(status=S.READY_FOR_PICKUP, pickup_deadline__lt=now)
    return for_each_due(due, lambda row: mark_not_collected(fulfillment=row))


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
    )

    def remind(pk):
        fulfillment = Fulfillment.objects.select_related("order").get(pk=pk)
        events.pickup_reminder(fulfillment=fulfillment)

    return for_each_claimed(due, claim={"reminded_at": now}, act=remind)
