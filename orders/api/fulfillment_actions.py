"""The fulfillment API's actions, a table: API action → (what the location must be allowed to do, the service).

The location's rights come from `services.location_actions`, the same rule as the store dashboard's buttons,
so a WMS and a store associate can never do different things to one fulfillment."""

from django.db import transaction
from django.utils.translation import gettext as _

from omnichannel.errors import DomainError
from orders import services
from orders.errors import InvalidOrder


def _report_short(fulfillment, data, actor):
    """Every reported line in one transaction: all are recorded or none."""
    lines = {line.order_line.sku.code: line for line in fulfillment.lines.select_related("order_line__sku")}
    unknown = [item["sku"] for item in data["lines"] if item["sku"] not in lines]
    if unknown:
        raise InvalidOrder(
            _("Not on this fulfillment: %(skus)s") % {"skus": ", ".join(unknown)}, details={"skus": unknown}
        )
    # Lines in SKU order, so two reports of one fulfillment lock its stock rows in the same order.
    with transaction.atomic():
        for item in sorted(data["lines"], key=lambda item: lines[item["sku"]].order_line.sku_id):
            services.report_missing(fulfillment_line=lines[item["sku"]], quantity=item["quantity"], actor=actor)


ACTIONS = {
    "start_picking": ("start_picking", lambda f, data, actor: services.start_picking(fulfillment=f, actor=actor)),
    "report_short": ("report_missing", _report_short),
    "cannot_fulfil": ("report_missing", lambda f, data, actor: services.cannot_fulfil(fulfillment=f, actor=actor)),
    "mark_packed": ("pack", lambda f, data, actor: services.mark_packed(fulfillment=f, actor=actor)),
    "mark_shipped": (
        "ship",
        lambda f, data, actor: services.ship_fulfillment(
            fulfillment=f, carrier=data["carrier"], tracking_number=data["tracking_number"], actor=actor
        ),
    ),
    "mark_ready": ("ready", lambda f, data, actor: services.mark_ready_for_pickup(fulfillment=f, actor=actor)),
    "hand_over": (
        "hand_over",
        lambda f, data, actor: services.hand_over(fulfillment=f, pickup_code=data["pickup_code"], actor=actor),
    ),
    "received_in_store": ("receive", lambda f, data, actor: services.receive_in_store(fulfillment=f, actor=actor)),
    "not_received": (
        "not_received",
        lambda f, data, actor: services.report_parcel_not_received(fulfillment=f, actor=actor),
    ),
    "back_in_stock": (
        "back_in_stock",
        lambda f, data, actor: services.receive_parcel_back(fulfillment=f, actor=actor),
    ),
}


def api_actions(fulfillment, location) -> list[str]:
    allowed = services.location_actions(fulfillment=fulfillment, location=location)
    return sorted(name for name, (right, _run) in ACTIONS.items() if right in allowed)


def run_action(*, fulfillment, location, data: dict, actor) -> None:
    """Refused with a 409 naming what this location may do now, when the action is not one of them."""
    action = data["action"]
    allowed = api_actions(fulfillment, location)
    if action not in allowed:
        raise ActionNotAllowed(
            _("%(action)s is not possible now for this fulfillment at %(location)s.")
            % {"action": action, "location": location.code},
            details={"action": action, "status": fulfillment.status, "allowed": allowed},
        )
    ACTIONS[action][1](fulfillment, data, actor)


class ActionNotAllowed(DomainError):
    code = "action_not_allowed"
    status_code = 409
