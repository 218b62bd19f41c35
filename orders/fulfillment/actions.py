"""Fulfillment's actions, declared once: the store dashboard's buttons and the location API read this table.

Each action names the store rule that allows it now (`fulfilling.location_actions`: the source prepares and
ships, the collecting store receives and hands over), the right a person needs on the dashboard (stores/roles.py;
an API key acts for its location), its input (the page's form; the API's `FulfillmentActionInput` checks the
same fields), a box to tick first where the step cannot be undone, and the service that does it. A WMS and a store
associate can never do different things to one fulfillment."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omnichannel.errors import DomainError, NotFound
from orders.errors import InvalidOrder
from orders.fulfillment import missing, tracking
from orders.fulfillment import services as fulfilling
from orders.fulfillment.forms import HandOverForm, MissingForm, ShipForm, TrackingUpdateForm
from stores.roles import Right


@dataclass(frozen=True)
class FulfillmentAction:
    name: str  # the dashboard's (its URL part and the page's button)
    rule: str  # what `location_actions` must allow the location now
    run: Callable  # (fulfillment, data, actor) → the service call
    right: str = Right.WORK_STORE_QUEUE  # what a person needs on the dashboard
    form: type[forms.Form] | None = None  # the page's input; its cleaned data is `data`
    confirm: Promise | None = None  # the box the person ticks first (shown when it is not ticked)
    api_name: str = ""  # the location API's name for it ("": on the dashboard only)
    on_pages: bool = True
    api_fields: tuple[str, ...] = ()  # what the API call must carry, when it has no form (its form's fields else)
    # Shown on the dashboard only while this holds (the pickup code locked after wrong attempts, or not).
    shown_when: Callable = staticmethod(lambda fulfillment: True)

    @property
    def needs(self) -> tuple[str, ...]:
        return self.api_fields or (tuple(self.form.base_fields) if self.form else ())


def code_locked(fulfillment) -> bool:
    return fulfillment.pickup_code_attempts >= settings.PICKUP_CODE_MAX_ATTEMPTS


def _report_missing_line(fulfillment, data, actor):
    line = fulfillment.lines.filter(pk=data["line"]).first()
    if line is None:
        raise NotFound(_("This line is not on the order."), details={"line": data["line"]})
    missing.report_missing(fulfillment_line=line, quantity=data["quantity"], actor=actor)


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
            missing.report_missing(fulfillment_line=lines[item["sku"]], quantity=item["quantity"], actor=actor)


def _store_tracking_update(fulfillment, data, actor):
    """What the carrier told the store (on the phone, on its site), recorded like the carrier's own update."""
    tracking.record_tracking_event(
        carrier=fulfillment.carrier,
        tracking_number=fulfillment.tracking_number,
        event_id=f"manual-{uuid.uuid4()}",
        status=data["status"],
        occurred_at=timezone.now(),
        location=data.get("location", ""),
        description="entered by the store",
        actor=actor,
    )


ACTIONS = [
    FulfillmentAction(
        "start_picking",
        rule="start_picking",
        api_name="start_picking",
        run=lambda f, data, actor: fulfilling.start_picking(fulfillment=f, actor=actor),
    ),
    FulfillmentAction("report_missing", rule="report_missing", form=MissingForm, run=_report_missing_line),
    FulfillmentAction(
        "report_short",
        rule="report_missing",
        api_name="report_short",
        api_fields=("lines",),
        on_pages=False,
        run=_report_short,
    ),
    FulfillmentAction(
        "cannot_fulfil",
        rule="report_missing",
        api_name="cannot_fulfil",
        confirm=gettext_lazy("Tick the box to confirm that none of the items is here."),
        run=lambda f, data, actor: missing.cannot_fulfil(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "pack",
        rule="pack",
        api_name="mark_packed",
        run=lambda f, data, actor: fulfilling.mark_packed(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "ship",
        rule="ship",
        api_name="mark_shipped",
        form=ShipForm,
        run=lambda f, data, actor: fulfilling.ship_fulfillment(
            fulfillment=f, carrier=data["carrier"], tracking_number=data["tracking_number"], actor=actor
        ),
    ),
    FulfillmentAction(
        "ready",
        rule="ready",
        api_name="mark_ready",
        run=lambda f, data, actor: fulfilling.mark_ready_for_pickup(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "hand_over",
        rule="hand_over",
        api_name="hand_over",
        form=HandOverForm,
        shown_when=lambda f: not code_locked(f),
        run=lambda f, data, actor: fulfilling.hand_over(fulfillment=f, pickup_code=data["pickup_code"], actor=actor),
    ),
    FulfillmentAction(
        "receive",
        rule="receive",
        api_name="received_in_store",
        run=lambda f, data, actor: fulfilling.receive_in_store(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "not_received",
        rule="not_received",
        api_name="not_received",
        run=lambda f, data, actor: missing.report_parcel_not_received(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "back_in_stock",
        rule="back_in_stock",
        api_name="back_in_stock",
        run=lambda f, data, actor: missing.receive_parcel_back(fulfillment=f, actor=actor),
    ),
    FulfillmentAction("tracking", rule="tracking", form=TrackingUpdateForm, run=_store_tracking_update),
    FulfillmentAction(
        "unlock_code",
        rule="hand_over",
        right=Right.UNLOCK_PICKUP_CODE,
        shown_when=code_locked,
        run=lambda f, data, actor: fulfilling.unlock_pickup_code(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "resend_code",
        rule="hand_over",
        right=Right.RENEW_PICKUP_CODE,
        run=lambda f, data, actor: fulfilling.resend_pickup_code(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "renew_code",
        rule="hand_over",
        right=Right.RENEW_PICKUP_CODE,
        run=lambda f, data, actor: fulfilling.renew_pickup_code(fulfillment=f, actor=actor),
    ),
    FulfillmentAction(
        "not_collected",
        rule="not_collected",
        confirm=gettext_lazy("Tick the box to confirm that the customer will not collect."),
        run=lambda f, data, actor: fulfilling.mark_not_collected(
            fulfillment=f, actor=actor, reason="marked by the store"
        ),
    ),
]
PAGE_ACTIONS = {action.name: action for action in ACTIONS if action.on_pages}
API_ACTIONS = {action.api_name: action for action in ACTIONS if action.api_name}


def page_actions(fulfillment, location, rights) -> set[str]:
    """What a person with `rights` at `location` may do now: what the store may do, as far as their rights go."""
    allowed = fulfilling.location_actions(fulfillment=fulfillment, location=location)
    return {
        action.name
        for action in PAGE_ACTIONS.values()
        if action.rule in allowed and action.right in rights and action.shown_when(fulfillment)
    }


def api_actions(fulfillment, location) -> list[str]:
    allowed = fulfilling.location_actions(fulfillment=fulfillment, location=location)
    return sorted(name for name, action in API_ACTIONS.items() if action.rule in allowed)


def run_action(*, fulfillment, location, data: dict, actor) -> None:
    """The location API's call: refused with a 409 naming what this location may do now, when the action is not
    one of them."""
    name = data["action"]
    allowed = api_actions(fulfillment, location)
    if name not in allowed:
        raise ActionNotAllowed(
            _("%(action)s is not possible now for this fulfillment at %(location)s.")
            % {"action": name, "location": location.code},
            details={"action": name, "status": fulfillment.status, "allowed": allowed},
        )
    API_ACTIONS[name].run(fulfillment, data, actor)


class ActionNotAllowed(DomainError):
    code = "action_not_allowed"
    status_code = 409
