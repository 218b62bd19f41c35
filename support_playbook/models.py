"""Store tasks: work customer care and the system ask of a location (DESIGN.md section 4, support_playbook)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import SKU
from omnichannel.models import TimeStampedModel
from orders.models import Order, TimelineEvent
from stores.models import Location


class StoreTask(TimeStampedModel):
    """One piece of work for a location, done or not done (with a reason), feeding back where it came from."""

    class Kind(models.TextChoices):
        RECOUNT = "recount", _("Recount an item")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("store task", "To do")
        DONE = "done", pgettext_lazy("store task", "Done")
        CANNOT_DO = "cannot_do", pgettext_lazy("store task", "Could not be done")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("location"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SKU"))
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="store_tasks", verbose_name=_("order")
    )
    # Why the task exists, in words staff read ("2 units not found picking BR-…").
    reason = models.CharField(_("why"), max_length=200, blank=True)
    # What came of it: {"counted": 3, "on_hand_before": 5} for a recount; the reason when it could not be done.
    result = models.JSONField(_("result"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("store task")
        verbose_name_plural = _("store tasks")
        constraints = [
            # One open recount per item and location, however many short picks report it.
            models.UniqueConstraint(
                fields=["location", "kind", "sku"], condition=Q(status="open"), name="one_open_task_per_item"
            )
        ]
        indexes = [models.Index(fields=["location", "status"], name="store_task_queue")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sku_id or ''} @ {self.location_id}"


class StoreTaskEvent(TimelineEvent):
    """The task's timeline."""

    task = models.ForeignKey(StoreTask, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("store task event")
        verbose_name_plural = _("store task events")

    def __str__(self):
        return f"{self.task_id} {self.type}"
