"""What every returns service shares: the transition table, the timeline, the returns centre, the locked row."""

from omnichannel.errors import InvalidTransition
from orders.models import (
    Return,
    ReturnEvent,
)
from orders.signals import return_event
from stores.actors import actor_fields
from stores.models import Location

RS = Return.Status
RETURN_TRANSITIONS = {
    RS.REQUESTED: {RS.IN_TRANSIT, RS.RECEIVED, RS.CANCELLED},
    RS.IN_TRANSIT: {RS.RECEIVED},
    RS.RECEIVED: {RS.CLOSED},
}


def record_return_event(*, return_request: Return, type: str, data=None, actor=None) -> ReturnEvent:
    event = ReturnEvent.objects.create(return_request=return_request, type=type, data=data or {}, **actor_fields(actor))
    return_event.send(sender=ReturnEvent, event=event)
    return event


def move_return(return_request: Return, to: str, *, actor, data=None, fields=()) -> ReturnEvent:
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    if to not in allowed:
        raise InvalidTransition(current=return_request.status, wanted=to, allowed=allowed)
    return_request.status = to
    return_request.save(update_fields=["status", "updated_at", *fields])
    return record_return_event(return_request=return_request, type=to, data=data, actor=actor)


def returns_centre() -> Location | None:
    """Where courier and locker returns go: the first active warehouse that accepts returns."""
    return (
        Location.objects.active()
        .filter(kind=Location.Kind.WAREHOUSE)
        .with_capability("accepts_returns")
        .order_by("fulfillment_priority", "code")
        .first()
    )


def locked_return(return_request: Return | int) -> Return:
    return (
        Return.objects.select_for_update(no_key=True, of=("self",))
        .select_related("location", "channel", "customer")
        .get(pk=getattr(return_request, "pk", return_request))
    )
