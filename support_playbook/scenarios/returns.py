"""Returns that need a person: a parcel that arrived with fewer units than announced or with damaged units, and a
courier or locker return that never arrived. The refund of what arrived in order is paid at receipt; these cases
decide about the rest with the customer: missing units, and damaged units whose refund waits for a decision
(refund, partial, refuse; the full refund by default after the case's window, so the customer always gets an
answer)."""

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from omnichannel.formats import money
from orders import services as orders
from orders.models import OrderLine, Return, ReturnLine
from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


class ReturnProblem(Scenario):
    code = "return_problem"
    title = _("Return arrived incomplete or damaged")
    summary = _(
        "A return was received with fewer units than the customer announced, or with units damaged beyond sale."
    )
    opened_by = _("The receiving store or warehouse counting the parcel.")
    who_acts = _("Customer care, with the receiving location and the carrier.")
    priority = 2
    sla = timedelta(hours=48)
    default_action = "refund_damaged_units"
    default_description = _(
        "Damaged units still waiting after the case's window are refunded in full: the customer is never left "
        "without an answer."
    )
    steps = (
        Step("system", _("What arrived in order is refunded at once; what did not is free to be returned again.")),
        Step("care", _("Ask the customer (and the carrier for a courier return) what happened to missing units.")),
        Step("care", _("If the units were in the parcel after all, refund them; for damage, decide whose it is.")),
    )
    resolutions = (
        Resolution(
            "refund_damaged_units",
            _("Refund the damaged units"),
            _("The damage is not the customer's (transit, a fault): refund the price paid in full."),
        ),
        Resolution(
            "refund_damaged_units_partly",
            _("Refund half of the damaged units"),
            _("The damage is partly the customer's: refund half of the price paid."),
        ),
        Resolution(
            "refuse_damaged_refund",
            _("Refuse the refund of the damaged units"),
            _("The customer damaged them: nothing is refunded for them, and the customer is told why."),
        ),
        Resolution(
            "refund_missing_return_units",
            _("Refund the missing units"),
            _("The customer proved they sent them (or the carrier lost them): refund the price paid."),
        ),
        Resolution(
            "accept_return_as_received",
            _("Close as received"),
            _("Nothing more is owed: the refund of what arrived stands."),
        ),
    )

    def _missing(self, case) -> list[tuple[OrderLine, int]]:
        """(order line, units) announced and not received, still not returned since."""
        found = []
        for item in case.facts.get("missing", []):
            line = (
                OrderLine.objects.select_related("sku__product", "order")
                .filter(order__number=item["order"], sku__code=item["sku"])
                .first()
            )
            if line is not None:
                found.append((line, int(item["units"])))
        return found

    def has_default(self, facts: dict) -> bool:
        # Only damaged units waiting for a decision have a default (their full refund); missing units need a person.
        return any(item.get("refund_waiting") for item in facts.get("damaged", []))

    @staticmethod
    def _damaged_waiting(case) -> tuple[int, Decimal]:
        """(units, amount) of damaged units whose refund waits for this case's decision."""
        units, amount = 0, Decimal("0.00")
        waiting = ReturnLine.objects.filter(return_request_id=case.return_request_id, refund_waiting__gt=0)
        for line in waiting.select_related("order_line__order"):
            units += line.refund_waiting
            amount += orders.paid_unit_price(line.order_line, line.order_line.order) * line.refund_waiting
        return units, amount

    def _damage_suggestions(self, case) -> list[Suggestion]:
        units, amount = self._damaged_waiting(case)
        if not units:
            return []
        currency = case.return_request.channel.currency
        half = (amount / 2).quantize(Decimal("0.01"))
        words = {"units": units, "amount": money(amount), "half": money(half), "currency": currency}
        return [
            Suggestion(
                "refund_damaged_units",
                {},
                ngettext(
                    "Refund the %(units)s damaged unit in full: %(amount)s %(currency)s",
                    "Refund the %(units)s damaged units in full: %(amount)s %(currency)s",
                    units,
                )
                % words,
                primary=True,
            ),
            Suggestion(
                "refund_damaged_units_partly",
                {},
                ngettext(
                    "Refund half for the %(units)s damaged unit: %(half)s %(currency)s",
                    "Refund half for the %(units)s damaged units: %(half)s %(currency)s",
                    units,
                )
                % words,
            ),
            Suggestion(
                "refuse_damaged_refund",
                {},
                ngettext(
                    "Refuse: the customer damaged the %(units)s unit, nothing refunded for it",
                    "Refuse: the customer damaged the %(units)s units, nothing refunded for them",
                    units,
                )
                % words,
            ),
        ]

    def suggestions(self, case) -> list[Suggestion]:
        damage = self._damage_suggestions(case)
        if case.facts.get("settled"):
            return damage
        found = []
        for line, units in self._missing(case):
            amount = orders.paid_unit_price(line, line.order) * units
            found.append(
                Suggestion(
                    "refund_missing_return_units",
                    {"order": line.order.number, "sku": line.sku.code, "units": units},
                    gettext("Refund %(amount)s %(currency)s for %(units)s × %(item)s announced and not received")
                    % {
                        "amount": money(amount),
                        "currency": line.order.currency,
                        "units": units,
                        "item": line.sku.customer_name,
                    },
                    primary=True,
                )
            )
        if damage:
            return found + damage  # the damaged units are decided first; then the case can close as received
        found.append(
            Suggestion(
                "accept_return_as_received",
                {},
                gettext("Close: the refund of what arrived (%(amount)s %(currency)s) stands")
                % {
                    "amount": money(case.return_request.refunded_amount),
                    "currency": case.return_request.channel.currency,
                },
                primary=not found,
            )
        )
        return found

    def run(self, case, action, params, actor) -> dict:
        if action == "refund_missing_return_units":
            line = OrderLine.objects.select_related("order").get(order__number=params["order"], sku__code=params["sku"])
            amount = orders.paid_unit_price(line, line.order) * int(params["units"])
            orders.refund_order(
                order=line.order,
                amount=amount,
                reason=gettext("Return %(number)s: %(units)s unit(s) announced and not received, refunded")
                % {"number": case.return_request.number, "units": params["units"]},
                actor=actor,
            )
            self._settle(case)
            return {"amount": str(amount), "order": line.order.number}
        if action == "accept_return_as_received":
            self._settle(case)
            return {}
        if action in DAMAGE_ACTIONS:
            paid = orders.decide_damaged_return_units(
                return_request=case.return_request, decision=DAMAGE_ACTIONS[action], actor=actor
            )
            if not self._missing(case):
                self._settle(case)
            return {"refund": str(paid)}
        raise NotImplementedError(action)

    @staticmethod
    def _settle(case) -> None:
        case.facts = {**case.facts, "settled": True}
        case.save(update_fields=["facts", "updated_at"])

    def settled(self, case) -> bool:
        return bool(case.facts.get("settled")) and not self._damaged_waiting(case)[0]


DAMAGE_ACTIONS = {
    "refund_damaged_units": "refund",
    "refund_damaged_units_partly": "partial",
    "refuse_damaged_refund": "refuse",
}


class ReturnOverdue(Scenario):
    code = "return_overdue"
    title = _("Return not received")
    summary = _("A return by courier or locker was announced and has not reached the returns centre in time.")
    opened_by = _("The overdue-returns job, RETURN_DUE_DAYS after the request.")
    who_acts = _("Customer care, with the carrier.")
    priority = 1
    sla = timedelta(hours=72)
    steps = (
        Step("care", _("Check the label's tracking with the carrier.")),
        Step("care", _("Remind the customer how to send it, or cancel the return if they kept the items.")),
        Step("system", _("When the parcel arrives, it is received as usual and the case closes by itself.")),
    )
    resolutions = (
        Resolution(
            "remind_return",
            _("Remind the customer"),
            _("The instructions again, by email and SMS."),
        ),
        Resolution(
            "cancel_return",
            _("Cancel the return"),
            _("The customer kept the items: the return is cancelled and a held exchange goes back on sale."),
        ),
    )

    def suggestions(self, case) -> list[Suggestion]:
        return_request = case.return_request
        return_request.refresh_from_db(fields=["status"])
        if return_request.status not in Return.EXPECTED:
            return []
        found = []
        if not case.facts.get("reminded"):
            found.append(
                Suggestion(
                    "remind_return",
                    {},
                    gettext("Send %(name)s the instructions for return %(number)s again")
                    % {"name": return_request.contact_label, "number": return_request.number},
                    primary=True,
                )
            )
        if return_request.status == Return.Status.REQUESTED:
            found.append(
                Suggestion(
                    "cancel_return",
                    {},
                    gettext("Cancel return %(number)s: the customer kept the items")
                    % {"number": return_request.number},
                )
            )
        return found

    def run(self, case, action, params, actor) -> dict:
        if action == "remind_return":
            orders.return_reminded(return_request=case.return_request, actor=actor)
            case.facts = {**case.facts, "reminded": True}
            case.save(update_fields=["facts", "updated_at"])
            return {}
        if action == "cancel_return":
            orders.cancel_return(return_request=case.return_request, actor=actor, reason="overdue, kept by customer")
            return {}
        raise NotImplementedError(action)

    def status_after(self, case, action):
        return case.Status.WAITING_CUSTOMER if action == "remind_return" else None

    def settled(self, case) -> bool:
        case.return_request.refresh_from_db(fields=["status"])
        return case.return_request.status not in Return.EXPECTED
