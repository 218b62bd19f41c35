"""Carrier tracking: a parcel's progress as carriers (or store staff) report it."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from omnichannel.errors import NotFound
from orders import locks
from orders.errors import (
    InvalidOrder,
)
from orders.fulfillment import events
from orders.fulfillment.models import TRANSITIONS, S
from orders.fulfillment.services import transition_fulfillment
from orders.models import (
    Fulfillment,
)

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
    parcel_id = (
        Fulfillment.objects.filter(carrier__iexact=carrier, tracking_number=tracking_number)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    fulfillment = locks.locked_fulfillment(parcel_id) if parcel_id else None  # after its order
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
        events.tracking_update(fulfillment=fulfillment, status=status, carrier_data=data, actor=actor)
    return event, True
