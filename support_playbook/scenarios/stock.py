"""A count far from the books (RFID, by hand, a recount task's answer): the manager checks it."""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


class StockDiscrepancy(Scenario):
    code = "stock_discrepancy"
    title = _("Stock discrepancy")
    summary = _("A count found far more or fewer units than the books said: stock was lost, found or miscounted.")
    opened_by = _(
        "A count (RFID, by hand, or a recount task) beyond the second tolerance (COUNT_CASE_UNITS, COUNT_CASE_VALUE)."
    )
    who_acts = _("The store manager or head office.")
    sla = timedelta(hours=72)
    priority = 2
    steps = (
        Step("store", _("The store counts; a difference within tolerance applies at once, a larger one waits.")),
        Step("system", _("A difference far beyond tolerance opens this case with the count and the books.")),
        Step("manager", _("Check it: count again if in doubt, otherwise approve the count.")),
    )
    resolutions = (
        Resolution("recount_again", _("Count again"), _("A new recount task for the store.")),
        Resolution(
            "accept_count",
            _("Approve the count"),
            _("The waiting difference is applied (store manager or head office); the case is resolved."),
        ),
    )

    def suggestions(self, case) -> list[Suggestion]:
        from support_playbook.models import StoreTask

        if case.facts.get("accepted"):
            return []
        found = [
            Suggestion(
                "accept_count",
                {},
                gettext("Accept the count: %(counted)s instead of %(before)s")
                % {"counted": case.facts.get("counted"), "before": case.facts.get("on_hand_before")},
                primary=True,
            )
        ]
        open_recount = StoreTask.objects.filter(
            location=case.location, sku=case.sku, kind=StoreTask.Kind.RECOUNT, status=StoreTask.Status.OPEN
        ).exists()
        if not open_recount:
            found.append(
                Suggestion(
                    "recount_again",
                    {},
                    gettext("Ask %(store)s to count %(sku)s again")
                    % {"store": case.location.code, "sku": case.sku.code},
                )
            )
        return found

    def run(self, case, action, params, actor) -> dict:
        if action == "accept_count":
            from inventory import services as stock
            from inventory.models import CountedItem

            waiting = CountedItem.objects.filter(
                session__location=case.location, sku=case.sku, status=CountedItem.Status.AWAITING_APPROVAL
            ).values_list("session_id", "pk")
            for session_id, item_id in sorted(waiting):
                stock.approve_count_discrepancies(session=session_id, items=[item_id], actor=actor)
            case.facts = {**case.facts, "accepted": True}
            case.save(update_fields=["facts", "updated_at"])
            return {}
        if action == "recount_again":
            from support_playbook.services import tasks

            task = tasks.open_recount(
                location=case.location,
                sku=case.sku,
                reason=tasks.staff_words(_("Count again: case #%(case)s"), case=case.pk),
                case=case,
                actor=actor,
            )
            return {"task": task.pk}
        raise NotImplementedError(action)

    def status_after(self, case, action):
        return case.Status.WAITING_STORE if action == "recount_again" else None

    def settled(self, case) -> bool:
        return bool(case.facts.get("accepted"))
