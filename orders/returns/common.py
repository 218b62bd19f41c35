"""What every returns service shares: the transition table, the timeline, the returns centre, the locked row."""

from django.utils.translation import gettext as _

from omnichannel.errors import InvalidTransition, NotFound
from omnichannel.transitions import apply_transition
from orders.models import OrderLine, Return, ReturnEvent
from orders.returns import events
from stores.models import Location

RS = Return.Status


RETURN_TRANSITIONS: dict[str, set[str]] = {
    RS.REQUESTED: {RS.IN_TRANSIT, RS.RECEIVED, RS.CANCELLED},
    RS.IN_TRANSIT: {RS.RECEIVED},
    RS.RECEIVED: {RS.CLOSED},
}


def ensure_move(return_request: Return, to: str) -> None:
    """409 unless RETURN_TRANSITIONS allows `to` from the return's status: checked before any side effect."""
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    if to not in allowed:
        raise InvalidTransition(current=return_request.status, wanted=to, allowed=allowed)


def move_return(return_request: Return, to: str, *, actor, data=None, fields=()) -> ReturnEvent:
    return apply_transition(
        return_request,
        to=to,
        table=RETURN_TRANSITIONS,
        fields=fields,
        record=lambda moved: events.moved(return_request=return_request, to=moved, data=data, actor=actor),
    )


def returns_centre() -> Location | None:
    """Where courier and locker returns go: the first active warehouse that accepts returns."""
    return (
        Location.objects.active()
        .filter(kind=Location.Kind.WAREHOUSE)
        .with_capability("accepts_returns")
        .order_by("fulfillment_priority", "code")
        .first()
    )


def locked_return(return_request: Return | int, *, received_at: Location | None = None) -> Return:
    """The return's row, locked for this transaction; with `received_at`, a 404 unless it is received there (a
    location does not act on, or learn of, another location's returns)."""
    locked = (
        Return.objects.select_for_update(no_key=True, of=("self",))
        .select_related("location", "channel", "customer")
        .get(pk=getattr(return_request, "pk", return_request))
    )
    if received_at is not None and locked.location_id != received_at.pk:
        raise NotFound(_("Unknown return: %(number)s") % {"number": locked.number})
    return locked


def give_back_units(units: dict[int, int]) -> None:
    """Units of order lines ({order line id: units}) no longer on a return (cancelled, or never arrived): they may
    be returned again. The order lines are locked in id order, as `request_return` locks them."""
    order_lines = list(
        OrderLine.objects.select_for_update(no_key=True)
        .filter(pk__in=[pk for pk, count in units.items() if count])
        .order_by("pk")
    )
    for order_line in order_lines:
        order_line.quantity_returned -= units[order_line.pk]
    OrderLine.objects.bulk_update(order_lines, ["quantity_returned"])
