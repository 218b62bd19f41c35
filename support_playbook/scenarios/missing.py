"""Incomplete orders (the support manual's first scenario): units sold that were not there, or a lost parcel's
units. Every line's undecided missing units get their suggestions from live stock: another source keeping the
promise (the pickup store's shelf first), a substitute of the same product, or the refund."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU
from omnichannel.formats import decimal_number, money
from orders import services as orders
from orders.models import OrderLine
from stores.selectors import network_snapshot
from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


def _lines_by_order(cases) -> dict[int, list[OrderLine]]:
    """Every line of the cases' orders, with its SKU and product, by order id. One query."""
    lines: dict[int, list[OrderLine]] = {}
    order_ids = {case.order_id for case in cases if case.order_id is not None}
    if order_ids:
        for line in OrderLine.objects.filter(order_id__in=order_ids).select_related("sku__product").order_by("id"):
            lines.setdefault(line.order_id, []).append(line)
    return lines


def _open_lines(lines: dict[int, list[OrderLine]]) -> dict[int, list[OrderLine]]:
    """The lines with missing units nobody has decided about yet."""
    return {order_id: [line for line in found if line.quantity_short_open] for order_id, found in lines.items()}


def in_stock(units: int) -> str:
    return ngettext("%(n)s in stock", "%(n)s in stock", units) % {"n": units}


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
        return _open_lines(_lines_by_order([case])).get(case.order_id, [])

    def suggestions(self, case) -> list[Suggestion]:
        return self.missing_units_suggestions([case])[case.pk]

    def suggestions_for_cases(self, cases) -> dict[int, list[Suggestion]]:
        return self.missing_units_suggestions(cases)

    def missing_units_suggestions(self, cases) -> dict[int, list[Suggestion]]:
        """Each case's suggestions, with what they need read once for all of them (the cases list computes a page
        at a time): the orders' lines, the other sizes and colours of their missing items, the stock of all those
        SKUs and where each order already missed them. Four queries, whatever the number of cases."""
        lines = _lines_by_order(cases)
        open_lines = _open_lines(lines)
        missing = [line for found in open_lines.values() for line in found]
        alternatives: dict[int, list] = {}
        if missing:
            for sku in (
                SKU.objects.filter(product_id__in={line.sku.product_id for line in missing}, active=True)
                .select_related("product")
                .order_by("code")
            ):
                alternatives.setdefault(sku.product_id, []).append(sku)
        wanted = [case for case in cases if open_lines.get(case.order_id)]
        candidates, missed = {}, {}
        if wanted:
            sku_ids = {line.sku_id for line in missing} | {sku.pk for skus in alternatives.values() for sku in skus}
            candidates = orders.recovery_candidates(orders=[case.order for case in wanted], sku_ids=sorted(sku_ids))
            missed = orders.missed_locations({case.order_id for case in wanted})
        return {
            case.pk: self._suggestions(
                case,
                open_lines.get(case.order_id, []),
                on_order={line.sku_id for line in lines.get(case.order_id, [])},
                alternatives=alternatives,
                candidates=candidates.get(case.order_id, {}),
                missed=missed,
            )
            for case in cases
        }

    def _suggestions(self, case, open_lines, *, on_order, alternatives, candidates, missed) -> list[Suggestion]:
        def options(sku, quantity, limit=3):
            return orders.recovery_options(
                order=case.order,
                sku=sku,
                quantity=quantity,
                limit=limit,
                candidates=candidates,
                missed_at=missed.get((case.order_id, sku.pk), set()),
            )

        found = []
        proposed = case.facts.get("proposed_substitutes", {})
        for line in open_lines:
            quantity, item = line.quantity_short_open, line.sku.customer_name
            for option in options(line.sku, quantity):
                if option["from_shelf"]:
                    label = gettext(
                        "Ask %(store)s to complete the order from its shelf: %(quantity)s × %(item)s (%(in_stock)s)"
                    )
                else:
                    label = gettext("Send %(quantity)s × %(item)s from %(store)s: %(in_stock)s, %(distance)s km away")
                found.append(
                    Suggestion(
                        "resource_line",
                        {"sku": line.sku.code, "quantity": quantity, "location": option["location"]},
                        label
                        % {
                            "store": option["location"],
                            "quantity": quantity,
                            "item": item,
                            "in_stock": in_stock(option["available"]),
                            "distance": decimal_number(option["distance_km"])
                            if option["distance_km"] is not None
                            else "-",
                        },
                        primary=not found,
                    )
                )
            substitute = proposed.get(line.sku.code)
            substitute_names = {sku.code: sku.customer_name for sku in alternatives.get(line.sku.product_id, [])}
            if substitute:
                found.append(
                    Suggestion(
                        "accept_substitute",
                        {"sku": line.sku.code, "quantity": quantity, "substitute": substitute},
                        gettext("The customer accepted: send %(substitute)s instead")
                        % {"substitute": substitute_names.get(substitute, substitute)},
                    )
                )
            else:
                # Other sizes and colours of the same product, not on the order, that some location can send now.
                substitutes = []
                nearest = sorted(alternatives.get(line.sku.product_id, []), key=lambda sku: sku.closeness_to(line.sku))
                for sku in nearest:
                    if len(substitutes) == 2:
                        break
                    if sku.pk in on_order:
                        continue
                    can_send = options(sku, quantity, limit=1)
                    if can_send:
                        substitutes.append((sku, can_send[0]["available"]))
                for sku, available in substitutes:
                    found.append(
                        Suggestion(
                            "propose_substitute",
                            {"sku": line.sku.code, "quantity": quantity, "substitute": sku.code},
                            gettext("Propose %(item)s at the same price (%(in_stock)s)")
                            % {"item": sku.customer_name, "in_stock": in_stock(available)},
                        )
                    )
            found.append(
                Suggestion(
                    "refund_line",
                    {"sku": line.sku.code, "quantity": quantity},
                    gettext("Refund %(amount)s %(currency)s for %(quantity)s × %(item)s")
                    % {
                        "amount": money(line.unit_price * quantity),
                        "currency": case.order.currency,
                        "quantity": quantity,
                        "item": item,
                    },
                )
            )
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
            orders.substitute_proposed(
                order=order, sku=sku, quantity=quantity, substitute=params["substitute"], actor=actor
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
