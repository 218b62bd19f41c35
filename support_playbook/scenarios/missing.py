"""Incomplete orders (the support manual's first scenario): units sold that were not there, or a lost parcel's
units. Every line's undecided missing units get their suggestions from live stock: another source keeping the
promise (the pickup store's shelf first), a substitute of the same product, or the refund."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU
from orders import services as orders
from orders.models import OrderLine
from stores.selectors import network_snapshot
from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


def item_label(sku) -> str:
    return f"{sku.product.name} ({sku.colour}, {sku.size})"


class MissingUnits(Scenario):
    """The resolutions shared by every scenario that leaves units missing on an order."""

    default_action = "refund_line"
    default_description = _("Refund the missing items when the customer has not answered in time.")
    resolutions = (
        Resolution(
            "resource_line",
            _("Send it from another location"),
            _("Hold the units at a location that has them and keeps the promise; a new parcel or pickup follows."),
        ),
        Resolution(
            "propose_substitute",
            _("Propose a substitute"),
            _("Another size or colour of the same item, at the same price: the customer is asked."),
        ),
        Resolution(
            "accept_substitute",
            _("Send the accepted substitute"),
            _("The customer said yes: the substitute is held and sent like the rest of the order."),
        ),
        Resolution(
            "refund_line",
            _("Refund the missing items"),
            _("The money of the missing units goes back through the payment provider; the customer is told."),
        ),
    )

    def open_lines(self, case) -> list[OrderLine]:
        if case.order_id is None:
            return []
        return [
            line
            for line in OrderLine.objects.filter(order_id=case.order_id).select_related("sku__product")
            if line.quantity_short_open
        ]

    def suggestions(self, case) -> list[Suggestion]:
        found = []
        proposed = case.facts.get("proposed_substitutes", {})
        for line in self.open_lines(case):
            quantity, item = line.quantity_short_open, item_label(line.sku)
            for option in orders.recovery_options(order=case.order, sku=line.sku, quantity=quantity):
                if option["from_shelf"]:
                    label = gettext(
                        "Ask %(store)s to complete the order from its shelf: %(quantity)s × %(item)s "
                        "(%(available)s in stock)"
                    )
                else:
                    label = gettext(
                        "Send %(quantity)s × %(item)s from %(store)s: %(available)s in stock, %(distance)s km away"
                    )
                found.append(
                    Suggestion(
                        "resource_line",
                        {"sku": line.sku.code, "quantity": quantity, "location": option["location"]},
                        label
                        % {
                            "store": option["location"],
                            "quantity": quantity,
                            "item": item,
                            "available": option["available"],
                            "distance": option["distance_km"] if option["distance_km"] is not None else "-",
                        },
                        primary=not found,
                    )
                )
            substitute = proposed.get(line.sku.code)
            if substitute:
                found.append(
                    Suggestion(
                        "accept_substitute",
                        {"sku": line.sku.code, "quantity": quantity, "substitute": substitute},
                        gettext("The customer accepted: send %(substitute)s instead") % {"substitute": substitute},
                    )
                )
            else:
                for sku in self._substitutes(line, quantity, case):
                    found.append(
                        Suggestion(
                            "propose_substitute",
                            {"sku": line.sku.code, "quantity": quantity, "substitute": sku.code},
                            gettext("Propose %(item)s at the same price (%(available)s in stock)")
                            % {"item": item_label(sku), "available": sku.available},
                        )
                    )
            found.append(
                Suggestion(
                    "refund_line",
                    {"sku": line.sku.code, "quantity": quantity},
                    gettext("Refund %(amount)s %(currency)s for %(quantity)s × %(item)s")
                    % {
                        "amount": line.unit_price * quantity,
                        "currency": case.order.currency,
                        "quantity": quantity,
                        "item": item,
                    },
                )
            )
        return found

    def _substitutes(self, line, quantity, case, limit=2) -> list:
        """Other sizes and colours of the same product that some location can send for this order now."""
        others = SKU.objects.filter(product_id=line.sku.product_id, active=True).exclude(pk=line.sku_id)
        on_order = set(OrderLine.objects.filter(order_id=case.order_id).values_list("sku_id", flat=True))
        found = []
        for sku in others.select_related("product").order_by("code"):
            if sku.pk in on_order:
                continue
            options = orders.recovery_options(order=case.order, sku=sku, quantity=quantity, limit=1)
            if options:
                sku.available = options[0]["available"]
                found.append(sku)
            if len(found) >= limit:
                break
        return found

    def run(self, case, action, params, actor) -> dict:
        order, sku, quantity = case.order, params["sku"], params["quantity"]
        if action == "resource_line":
            # The suggestion named an active location (its ids are in the network snapshot); 0: none now.
            location_id = network_snapshot().location_ids_by_code.get(params["location"], 0)
            recovered = orders.resource_missing_units(
                order=order, sku=sku, quantity=quantity, location_id=location_id, actor=actor
            )
            return {"fulfillment": recovered.pk}
        if action == "refund_line":
            amount = orders.refund_missing_units(order=order, sku=sku, quantity=quantity, actor=actor)
            return {"refund": str(amount)}
        if action == "propose_substitute":
            orders.record_event(
                order=order,
                type="substitute_proposed",
                actor=actor,
                data={"sku": sku, "quantity": quantity, "substitute": params["substitute"]},
            )
            case.facts = {
                **case.facts,
                "proposed_substitutes": {**case.facts.get("proposed_substitutes", {}), sku: params["substitute"]},
            }
            # The customer has CASE_DEFAULT_AFTER to answer before the default (the refund) runs.
            case.default_at = timezone.now() + settings.CASE_DEFAULT_AFTER
            case.save(update_fields=["facts", "default_at", "updated_at"])
            return {"substitute": params["substitute"]}
        if action == "accept_substitute":
            recovered = orders.substitute_missing_units(
                order=order, sku=sku, quantity=quantity, substitute=params["substitute"], actor=actor
            )
            return {"fulfillment": recovered.pk}
        raise NotImplementedError(action)

    def status_after(self, case, action):
        if action == "propose_substitute":
            return case.Status.WAITING_CUSTOMER
        return None

    def settled(self, case) -> bool:
        return not self.open_lines(case)


class IncompleteOrderHome(MissingUnits):
    code = "incomplete_order_home"
    title = _("Incomplete order, home delivery")
    summary = _(
        "A unit sold online was not found when the parcel was prepared, and no other location could send it "
        "automatically keeping the promise."
    )
    opened_by = _("An item reported missing (store dashboard or the warehouse's fulfillment API).")
    who_acts = _("Customer care, with the customer.")
    sla = timedelta(hours=24)
    priority = 3
    steps = (
        Step(
            "system",
            _("Stock is corrected at once: the missing unit leaves the location's on-hand, a recount is asked."),
        ),
        Step("system", _("Another location that keeps the promise is tried automatically; if none, this case opens.")),
        Step("care", _("Contact the customer within the SLA: another source, a substitute, or the refund.")),
        Step("care", _("Execute the chosen resolution here: it holds stock, refunds or writes to the customer.")),
        Step("system", _("If nobody decides in time, the missing items are refunded and the customer told.")),
    )


class IncompleteOrderPickup(MissingUnits):
    code = "incomplete_order_pickup"
    title = _("Incomplete order, click & collect")
    summary = _(
        "A unit of an order to collect in store was not found, and neither the pickup store's shelf nor another "
        "store could cover it automatically."
    )
    opened_by = _("An item reported missing for an order collected in store.")
    who_acts = _("The pickup store first, then customer care.")
    sla = timedelta(hours=4)
    priority = 3
    steps = (
        Step("system", _("Stock is corrected at once and the pickup store's own shelf is tried first.")),
        Step("store", _("If the pickup store has the item, it completes the order from its shelf (a store task).")),
        Step(
            "store",
            _("If it is not on the shelf, the store answers so: its stock is corrected and the next source tried."),
        ),
        Step("care", _("If nobody has it, contact the customer: substitute or refund of the missing line.")),
        Step("system", _("If nobody decides in time, the missing items are refunded and the customer told.")),
    )
