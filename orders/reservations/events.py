"""A reservation's timeline, one function per event (the Saleor shape), all through `record_reservation_event`,
the one writer: the row, then `orders.signals.reservation_event` in the same transaction (the customer's
message, the channel's webhook, a no-show's case)."""

from datetime import datetime

from orders.events import ReservationEventType
from orders.events import ReservationEventType as RE
from orders.models import Reservation, ReservationEvent
from orders.signals import reservation_event
from stores.actors import actor_fields


def record_reservation_event(
    *, reservation: Reservation, type: ReservationEventType, data=None, actor=None
) -> ReservationEvent:
    """One event of the reservation's timeline; a type `ReservationEventType` does not name is refused (ValueError)."""
    event = ReservationEvent.objects.create(
        reservation=reservation, type=ReservationEventType(type), data=data or {}, **actor_fields(actor)
    )
    reservation_event.send(sender=ReservationEvent, event=event)
    return event


def held(*, reservation: Reservation, expires_at: datetime, lines: list[dict], actor) -> ReservationEvent:
    """`lines`: [{"sku", "quantity"}] put aside until `expires_at`."""
    return record_reservation_event(
        reservation=reservation,
        type=RE.HELD,
        actor=actor,
        data={"expires_at": expires_at.isoformat(), "lines": lines},
    )


def moved(*, reservation: Reservation, to: str, data: dict | None = None, actor) -> ReservationEvent:
    """The reservation closed as `to` (purchased, declined, expired, cancelled): the event is named after it."""
    return record_reservation_event(reservation=reservation, type=RE(to), actor=actor, data=data)


def reminder(*, reservation: Reservation) -> ReservationEvent:
    expires_at = reservation.expires_at
    return record_reservation_event(
        reservation=reservation, type=RE.REMINDER, data={"expires_at": expires_at.isoformat() if expires_at else ""}
    )


def courtesy(*, reservation: Reservation, actor) -> ReservationEvent:
    """Customer care's courtesy message after a no-show (the outbox writes it)."""
    return record_reservation_event(reservation=reservation, type=RE.COURTESY, actor=actor)


def extended(
    *, reservation: Reservation, hours: int, before: datetime, after: datetime, reason: str, actor
) -> ReservationEvent:
    return record_reservation_event(
        reservation=reservation,
        type=RE.EXTENDED,
        actor=actor,
        data={"hours": hours, "from": before.isoformat(), "to": after.isoformat(), "reason": reason},
    )


def contact_changed(*, reservation: Reservation, before: dict, after: dict, actor) -> ReservationEvent:
    return record_reservation_event(
        reservation=reservation, type=RE.CONTACT_CHANGED, actor=actor, data={"from": before, "to": after}
    )
