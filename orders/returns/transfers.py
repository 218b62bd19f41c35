"""Returned units a store sends on to the returns centre (the `send_to_warehouse` disposition): counted at the
store and held there (not for sale) from the receipt; handed to the carrier (`transfer_out` at the store); booked
in at the centre on arrival (`transfer_in`, on sale there). Each step once, under the return's lock."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import StockHold, StockMovement
from omnichannel.errors import InvalidTransition, NotFound
from orders.models import Return, ReturnLine
from orders.returns import events
from orders.returns.common import locked_return, returns_centre


def _lines_to_transfer(return_request: Return) -> list[ReturnLine]:
    return list(
        return_request.lines.filter(sent_to_warehouse__gt=0)
        .select_related("order_line__sku", "transfer_hold")
        .order_by("order_line__sku_id")
    )


def transfer_pending(return_request: Return) -> bool:
    """Units of this return wait at the receiving store to be sent to the returns centre."""
    return return_request.transfer_shipped_at is None and any(
        line.sent_to_warehouse for line in return_request.lines.all()
    )


@transaction.atomic
def ship_return_transfer(*, return_request: Return | int, location, actor=None) -> Return:
    """The receiving store hands the units for the returns centre to the carrier: they leave its stock."""
    return_request = locked_return(return_request, received_at=location)
    lines = _lines_to_transfer(return_request)
    if not lines or return_request.transfer_shipped_at is not None:
        raise InvalidTransition(
            current="sent" if return_request.transfer_shipped_at else "nothing to send",
            wanted="transfer_shipped",
            allowed=[],
            message=_("Nothing of this return waits to be sent to the warehouse."),
        )
    # Two lines of one SKU (two orders) share one hold.
    holds = list({line.transfer_hold_id: line.transfer_hold for line in lines if line.transfer_hold_id}.values())
    for hold in stock.in_lock_order(holds):
        if hold.status == StockHold.Status.ACTIVE:
            stock.consume_hold(
                hold=hold, reason=StockMovement.Reason.TRANSFER_OUT, reference=return_request.number, actor=actor
            )
    return_request.transfer_shipped_at = timezone.now()
    return_request.save(update_fields=["transfer_shipped_at", "updated_at"])
    centre = returns_centre()
    events.transfer(
        return_request=return_request,
        shipped=True,
        location=centre.code if centre else "",
        lines=[{"sku": line.order_line.sku.code, "units": line.sent_to_warehouse} for line in lines],
        actor=actor,
    )
    return return_request


@transaction.atomic
def no_transfer_here(number: str) -> str:
    """The one refusal for a return with no transfer coming to this location, whether or not the number exists."""
    return _("No transfer of return %(number)s is on its way here.") % {"number": number}


def receive_return_transfer(*, return_request: Return | int, location, actor=None) -> Return:
    """The returns centre books in the units a store sent on: on sale there at once."""
    return_request = locked_return(return_request)
    centre = returns_centre()
    if centre is None or centre.pk != location.pk or return_request.transfer_shipped_at is None:
        raise NotFound(no_transfer_here(return_request.number))
    if return_request.transfer_received_at is not None:
        raise InvalidTransition(
            current="received",
            wanted="transfer_received",
            allowed=[],
            message=_("This transfer was already received."),
        )
    lines = _lines_to_transfer(return_request)
    stock.receive_units(
        location=location,
        lines=[(line.order_line.sku_id, line.sent_to_warehouse) for line in lines],
        reason=StockMovement.Reason.TRANSFER_IN,
        reference=return_request.number,
        actor=actor,
    )
    return_request.transfer_received_at = timezone.now()
    return_request.save(update_fields=["transfer_received_at", "updated_at"])
    events.transfer(
        return_request=return_request,
        shipped=False,
        location=location.code,
        lines=[{"sku": line.order_line.sku.code, "units": line.sent_to_warehouse} for line in lines],
        actor=actor,
    )
    return return_request
