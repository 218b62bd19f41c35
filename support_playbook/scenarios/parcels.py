"""Parcels that do not arrive: a ship-to-store parcel overdue or reported not received by the store, and a
carrier's delivery exception. Declaring the parcel lost turns its units into missing units of the order, which
are then sent again from the best source or refunded (the incomplete-order resolutions)."""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import services as orders
from orders.models import Fulfillment
from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion
from support_playbook.scenarios.missing import MissingUnits

S = Fulfillment.Status
LOST_REASONS = orders.LOST_REASONS


class ParcelScenario(MissingUnits):
    default_action = ""  # a person decides what happens to a parcel
    arrived = {S.DELIVERED, S.RECEIVED_IN_STORE, S.READY_FOR_PICKUP, S.COLLECTED}
    lost_reasons: tuple = ()

    def suggestions(self, case) -> list[Suggestion]:
        parcel = case.fulfillment
        parcel.refresh_from_db(fields=["status"])  # the case may be older than the parcel's last step
        if parcel.status == S.LOST:
            return super().suggestions(case)
        if parcel.status in self.arrived:
            return []
        found = [
            Suggestion(
                "declare_lost",
                {"reason": reason},
                gettext("Declare parcel %(tracking)s %(reason)s: its items are then sent again or refunded")
                % {"tracking": parcel.tracking_number or parcel.pk, "reason": LOST_REASONS[reason]},
                primary=index == 0,
            )
            for index, reason in enumerate(self.lost_reasons)
        ]
        return found + self.extra_suggestions(case)

    def suggestions_for_cases(self, cases) -> dict[int, list[Suggestion]]:
        # Each parcel's own state decides first: case by case (only a lost parcel's units get the missing-units
        # suggestions).
        return Scenario.suggestions_for_cases(self, cases)

    def extra_suggestions(self, case) -> list[Suggestion]:
        return []

    def run(self, case, action, params, actor) -> dict:
        if action == "declare_lost":
            orders.declare_parcel_lost(fulfillment=case.fulfillment, reason=params["reason"], actor=actor)
            return {"reason": params["reason"]}
        return super().run(case, action, params, actor)

    def settled(self, case) -> bool:
        case.fulfillment.refresh_from_db(fields=["status"])
        if case.fulfillment.status in self.arrived:
            return True
        return case.fulfillment.status == S.LOST and not self.open_lines(case)


class ParcelNotReceived(ParcelScenario):
    code = "parcel_not_received"
    title = _("Ship-to-store parcel not received")
    summary = _("A parcel travelling to the pickup store has not arrived by its due time, or the store says so.")
    opened_by = _("The overdue-parcels job, or the store pressing “Parcel not received”.")
    who_acts = _("The pickup store checks; customer care decides with the carrier.")
    sla = timedelta(hours=24)
    priority = 3
    lost_reasons = ("not_received",)
    steps = (
        Step(
            "system", _("A parcel not received in store by its due time opens this case and asks the store to check.")
        ),
        Step("store", _("Look for the parcel in the stockroom: found it, receive it; otherwise answer “not here”.")),
        Step("care", _("Ask the carrier; if the parcel is lost, declare it lost here.")),
        Step("care", _("Then send the items again from the best source, or refund them, and tell the customer.")),
    )
    resolutions = (
        Resolution(
            "ask_store_check", _("Ask the store to check"), _("A task for the pickup store: look for the parcel.")
        ),
        Resolution("declare_lost", _("Declare the parcel lost"), _("Its items become missing: send again or refund.")),
        *MissingUnits.resolutions,
    )

    def extra_suggestions(self, case) -> list[Suggestion]:
        from support_playbook.models import StoreTask

        open_check = StoreTask.objects.filter(
            fulfillment=case.fulfillment, kind=StoreTask.Kind.CHECK_PARCEL, status=StoreTask.Status.OPEN
        ).exists()
        if open_check:
            return []
        return [
            Suggestion(
                "ask_store_check",
                {},
                gettext("Ask %(store)s to look for the parcel") % {"store": case.fulfillment.pickup_location.code},
            )
        ]

    def run(self, case, action, params, actor) -> dict:
        if action == "ask_store_check":
            from support_playbook.services import tasks

            task = tasks.open_parcel_check(fulfillment=case.fulfillment, case=case, actor=actor)
            return {"task": task.pk}
        return super().run(case, action, params, actor)

    def status_after(self, case, action):
        if action == "ask_store_check":
            return case.Status.WAITING_STORE
        return super().status_after(case, action)


class DeliveryException(ParcelScenario):
    code = "delivery_exception"
    title = _("Delivery exception")
    summary = _("The carrier reports a problem delivering a parcel: lost, damaged or returned to sender.")
    opened_by = _("A carrier's tracking event “delivery exception” (API or entered by the store).")
    who_acts = _("Customer care, with the carrier and the customer.")
    sla = timedelta(hours=24)
    priority = 3
    lost_reasons = ("lost", "damaged", "returned_to_sender")
    steps = (
        Step("system", _("The customer is told there is a problem with the delivery; this case opens.")),
        Step(
            "care", _("Ask the carrier what happened. If it is on its way again, wait: the case resolves on delivery.")
        ),
        Step("care", _("If the parcel is lost, damaged or returned to sender, declare it so here.")),
        Step("care", _("Then send the items again from the best source, or refund them; the customer is told.")),
    )
    resolutions = (
        Resolution(
            "declare_lost",
            _("Declare the parcel lost, damaged or returned"),
            _("Its items become missing: send again or refund."),
        ),
        *MissingUnits.resolutions,
    )
