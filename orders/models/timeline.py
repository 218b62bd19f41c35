"""Timelines: what happened to an order (and the shape every timeline shares)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.events import OrderEventType
from orders.models.fulfillment import Fulfillment
from orders.models.orders import Order
from stores.models import ApiKey


class TimelineEvent(models.Model):
    """One row per state change of an aggregate (its timeline), written in the same transaction as the change."""

    type = models.CharField(_("event"), max_length=40)
    data = models.JSONField(default=dict, blank=True)
    # Who did it: a staff user, or the API key a channel, location or carrier called with (neither: the system).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("API key")
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    # What actor_label reads, for the timelines' select_related (no query per row).
    ACTOR_RELATIONS = ("actor", "api_key__channel", "api_key__location")

    @property
    def actor_label(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        if self.api_key_id:
            return self.api_key.owner_name
        return ""


class OrderEvent(TimelineEvent):
    """The order's timeline."""

    type = models.CharField(_("event"), max_length=40, choices=OrderEventType.choices)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    fulfillment = models.ForeignKey(
        Fulfillment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("fulfillment"),
    )

    class Meta(TimelineEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.order_id} {self.type}"
