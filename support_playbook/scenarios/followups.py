"""Customers who did not come: a pickup not collected in time, a reservation not bought (no-show). The items go
back on sale by themselves; the store puts them back on the floor (a task) and the customer gets a courtesy
message, never blame."""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import services as orders
from support_playbook.scenarios.base import Resolution, Scenario, Step, Suggestion


class PutBackFollowUp(Scenario):
    priority = 1
    sla = timedelta(hours=24)

    def _tasks(self, case):
        from support_playbook.models import StoreTask

        return StoreTask.objects.filter(case=case, kind=StoreTask.Kind.PUT_BACK)

    def suggestions(self, case) -> list[Suggestion]:
        from support_playbook.models import StoreTask

        if self._tasks(case).filter(status__in=[StoreTask.Status.OPEN, StoreTask.Status.DONE]).exists():
            return []
        return [
            Suggestion(
                "ask_put_back",
                {},
                gettext("Ask %(store)s to put the items back on the floor") % {"store": case.location.code},
                primary=True,
            )
        ]

    def run(self, case, action, params, actor) -> dict:
        if action == "ask_put_back":
            from support_playbook.services import tasks

            task = tasks.open_put_back(case=case, actor=actor)
            return {"task": task.pk}
        raise NotImplementedError(action)

    def status_after(self, case, action):
        return case.Status.WAITING_STORE if action == "ask_put_back" else None

    def settled(self, case) -> bool:
        from support_playbook.models import StoreTask

        return self._tasks(case).filter(status=StoreTask.Status.DONE).exists()


class PickupNotCollected(PutBackFollowUp):
    code = "pickup_not_collected"
    title = _("Pickup not collected")
    summary = _("A click & collect order waited in store for its whole pickup window and nobody came.")
    opened_by = _("The pickup window passing (the expiry job) or the store marking it not collected.")
    who_acts = _("The pickup store.")
    steps = (
        Step("system", _("The pickup becomes not collected: the stock is back on sale, nothing is charged.")),
        Step("system", _("The customer is told they were not charged; the store gets a task.")),
        Step("store", _("Take the parcel off the pickup shelf and put the items back on the floor.")),
    )
    resolutions = (
        Resolution("ask_put_back", _("Put the items back"), _("A task for the store: the items go back on the floor.")),
    )


class ReservationNoShow(PutBackFollowUp):
    code = "reservation_no_show"
    title = _("Reservation no-show")
    summary = _("A customer reserved items in a store and did not come before the hold ended.")
    opened_by = _("The reservation's hold ending (the expiry job).")
    who_acts = _("The store; customer care may send a courtesy message.")
    steps = (
        Step("system", _("The hold ends: the items are back on sale and the customer is told.")),
        Step("store", _("Put the reserved items back on the floor (a store task).")),
        Step("care", _("Optionally send a courtesy message: we missed you, reserve again any time. Never blame.")),
    )
    resolutions = (
        Resolution("ask_put_back", _("Put the items back"), _("A task for the store: the items go back on the floor.")),
        Resolution(
            "send_courtesy_message",
            _("Send a courtesy message"),
            _("A friendly message: the items are back in store, and the customer may reserve again."),
        ),
        Resolution(
            "skip_courtesy_message",
            _("No courtesy message"),
            _("Customer care decides this customer needs no message (they already wrote, they reserved again)."),
        ),
    )

    def suggestions(self, case) -> list[Suggestion]:
        found = super().suggestions(case)
        if not self._courtesy_decided(case):
            name = case.reservation.contact_label
            found.append(
                Suggestion("send_courtesy_message", {}, gettext("Send %(name)s a courtesy message") % {"name": name})
            )
            found.append(Suggestion("skip_courtesy_message", {}, gettext("No message for %(name)s") % {"name": name}))
        return found

    def run(self, case, action, params, actor) -> dict:
        if action in ("send_courtesy_message", "skip_courtesy_message"):
            if action == "send_courtesy_message":
                orders.reservation_courtesy(reservation=case.reservation, actor=actor)
            case.facts = {
                **case.facts,
                "courtesy_sent" if action == "send_courtesy_message" else "courtesy_skipped": True,
            }
            case.save(update_fields=["facts", "updated_at"])
            return {}
        return super().run(case, action, params, actor)

    @staticmethod
    def _courtesy_decided(case) -> bool:
        return bool(case.facts.get("courtesy_sent") or case.facts.get("courtesy_skipped"))

    def settled(self, case) -> bool:
        """Over when the items are back on the floor and care has decided about the courtesy message: the
        store's task ending does not take the message away from care."""
        return super().settled(case) and self._courtesy_decided(case)
