"""A count that disagrees with the books (a recount task's result): the manager checks it."""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


class StockDiscrepancy(Scenario):
    code = "stock_discrepancy"
    title = _("Stock discrepancy")
    summary = _("A recount found a different quantity than the books said: stock was lost, found or miscounted.")
    opened_by = _("A recount task done with a count that differs from the books.")
    who_acts = _("The store manager or head office.")
    sla = timedelta(hours=72)
    priority = 2
    steps = (
        Step("store", _("The associate counts the item; the stock becomes what they found at once.")),
        Step("system", _("A difference opens this case with the count and the books before it.")),
        Step("manager", _("Check it: count again if in doubt, otherwise accept the count.")),
    )
    resolutions = (
        Resolution("recount_again", _("Count again"), _("A new recount task for the store.")),
        Resolution("accept_count", _("Accept the count"), _("The count stands; the case is resolved.")),
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
            case.facts = {**case.facts, "accepted": True}
            case.save(update_fields=["facts", "updated_at"])
            return {}
        if action == "recount_again":
            from support_playbook.services import tasks

            task = tasks.open_recount(
                location=case.location,
                sku=case.sku,
                reason=gettext("Count again: case #%(case)s") % {"case": case.pk},
                case=case,
                actor=actor,
            )
            return {"task": task.pk}
        raise NotImplementedError(action)

    def status_after(self, case, action):
        return case.Status.WAITING_STORE if action == "recount_again" else None

    def settled(self, case) -> bool:
        return bool(case.facts.get("accepted"))
