"""Customer care's actions on an order or a reservation that are not money (refunds: orders/payments/refunds.py):
extend a pickup or a hold, send a message or a pickup code again, correct the contact details."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import StockHold
from omnichannel.errors import InvalidTransition
from omnichannel.phones import to_e164
from orders.care import events
from orders.errors import InvalidOrder
from orders.events import OrderEventType as E
from orders.events import ReservationEventType as RE
from orders.fulfillment.models import S
from orders.fulfillment.services import _locked, fulfillment_store, pickup_deadline
from orders.models import Fulfillment, Order, Reservation
from orders.reservations import events as reservation_events
from stores.roles import Right, require_right


@transaction.atomic
def extend_pickup(*, fulfillment: Fulfillment | int, days: int, reason: str, actor) -> Fulfillment:
    """A waiting pickup stays on the shelf `days` longer (at most PICKUP_EXTENSION_MAX_DAYS past its first
    deadline); the customer is told the new date and reminded again before it."""
    require_right(actor, Right.WORK_CASES)
    fulfillment = _locked(fulfillment)
    before = fulfillment.pickup_deadline
    if fulfillment.status != S.READY_FOR_PICKUP or before is None:
        raise InvalidTransition(
            current=fulfillment.status, wanted="pickup_extended", allowed=[], message=_("This pickup is not waiting.")
        )
    first_deadline = before - timedelta(
        days=sum(e.data.get("days", 0) for e in fulfillment.events.filter(type=E.PICKUP_EXTENDED))
    )
    new_deadline = before + timedelta(days=days)
    longest = first_deadline + timedelta(days=settings.PICKUP_EXTENSION_MAX_DAYS)
    if days < 1 or new_deadline > longest:
        raise InvalidOrder(
            _("A pickup can wait at most %(max)s days longer than its first deadline.")
            % {"max": settings.PICKUP_EXTENSION_MAX_DAYS},
            details={"days": days, "max_days": settings.PICKUP_EXTENSION_MAX_DAYS},
        )
    new_deadline = pickup_deadline(fulfillment_store(fulfillment), new_deadline)  # on a day the store is open
    fulfillment.pickup_deadline, fulfillment.reminded_at = new_deadline, None
    fulfillment.save(update_fields=["pickup_deadline", "reminded_at", "updated_at"])
    events.pickup_extended(
        fulfillment=fulfillment, days=days, before=before, after=new_deadline, reason=reason, actor=actor
    )
    return fulfillment


@transaction.atomic
def extend_reservation(*, reservation: Reservation | int, hours: int, reason: str, actor) -> Reservation:
    """A held reservation stays held `hours` longer (at most RESERVATION_EXTENSION_MAX_HOURS in all); its stock
    holds follow, and the customer is told the new end."""
    require_right(actor, Right.WORK_CASES)
    reservation = Reservation.objects.select_for_update(no_key=True).get(pk=getattr(reservation, "pk", reservation))
    if reservation.status != Reservation.Status.HELD:
        raise InvalidTransition(
            current=reservation.status, wanted="extended", allowed=[], message=_("This reservation is not held.")
        )
    already = sum(e.data.get("hours", 0) for e in reservation.events.filter(type=RE.EXTENDED))
    if hours < 1 or already + hours > settings.RESERVATION_EXTENSION_MAX_HOURS:
        raise InvalidOrder(
            _("A reservation can be held at most %(max)s hours longer in all.")
            % {"max": settings.RESERVATION_EXTENSION_MAX_HOURS},
            details={"hours": hours, "already": already, "max_hours": settings.RESERVATION_EXTENSION_MAX_HOURS},
        )
    before = reservation.expires_at
    reservation.expires_at = before + timedelta(hours=hours)
    reservation.save(update_fields=["expires_at", "updated_at"])
    StockHold.objects.filter(pk__in=reservation.lines.values("hold_id"), status=StockHold.Status.ACTIVE).update(
        expires_at=reservation.expires_at
    )
    reservation_events.extended(
        reservation=reservation, hours=hours, before=before, after=reservation.expires_at, reason=reason, actor=actor
    )
    return reservation


@transaction.atomic
def resend_message(*, order: Order, what: str, actor) -> None:
    """Send the customer the order confirmation, the pickup code of a waiting pickup, or the tracking link again
    (an event on the timeline; the outbox writes the messages, to the order's contact details as they are now)."""
    require_right(actor, Right.WORK_CASES)
    if what not in events.RESENT:
        raise InvalidOrder(_("Unknown message."), details={"what": what, "allowed": sorted(events.RESENT)})
    fulfillment = None
    if what == "pickup_code":
        fulfillment = order.fulfillments.filter(status=S.READY_FOR_PICKUP).order_by("id").first()
        if fulfillment is None:
            raise InvalidOrder(_("No pickup of this order is waiting in store."), details={"what": what})
    events.message_resent(order=order, what=what, fulfillment=fulfillment, actor=actor)


@transaction.atomic
def change_contact_details(
    *, order: Order | None = None, reservation=None, email: str = "", phone: str = "", actor=None
):
    """Fix the email or phone given with an order or a reservation (a message to it could not be delivered).
    Only that order's or reservation's copy changes: the shared customer record belongs to its channel."""
    email, typed_phone = (email or "").strip(), (phone or "").strip()
    if not email and not typed_phone:
        raise InvalidOrder(_("Give the new email or phone number."), details={"email": "", "phone": ""})
    normalized = to_e164(typed_phone) if typed_phone else ""
    if normalized is None:
        raise InvalidOrder(
            _("%(phone)s is not a phone number.") % {"phone": typed_phone}, details={"phone": typed_phone}
        )
    try:
        if email:
            validate_email(email)
    except ValidationError as exc:
        raise InvalidOrder(" ".join(exc.messages), details={"email": email}) from None
    record: Order | Reservation
    if order is not None:
        record = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    elif reservation is not None:
        record = Reservation.objects.select_for_update(no_key=True).get(pk=reservation.pk)
    else:
        raise TypeError("change_contact_details corrects an order or a reservation")
    before = {"email": record.contact_email, "phone": record.contact_phone}
    if email:
        record.contact_email = email
    if normalized:
        record.contact_phone = normalized
    record.save(update_fields=["contact_email", "contact_phone", "updated_at"])
    after = {"email": record.contact_email, "phone": record.contact_phone}
    if isinstance(record, Order):
        events.contact_changed(order=record, before=before, after=after, actor=actor)
    else:
        reservation_events.contact_changed(reservation=record, before=before, after=after, actor=actor)
    return record
