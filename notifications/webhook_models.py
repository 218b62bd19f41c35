"""Channel webhooks (DESIGN.md sections 10 and 13): each channel's endpoints, subscribed to event types, and the
deliveries to them, an outbox like customer messages: written in the transaction of the change, sent by a worker
that can crash and resume, signed per the Standard Webhooks specification."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from stores.models import SalesChannel


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class EventType(models.TextChoices):
    AVAILABILITY_CHANGED = "availability.changed", _("Availability changed")
    ORDER_STATUS_CHANGED = "order.status_changed", _("Order status changed")
    RETURN_RECEIVED = "return.received", _("Return received")
    RESERVATION_EXPIRED = "reservation.expired", _("Reservation expired")


class WebhookEndpoint(TimeStampedModel):
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("sales channel")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_webhook_secret)
    # During a rotation the old secret signs too (both signatures are sent) until it is cleared.
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    # Empty: every event type.
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    # Set at the first failed attempt since the last success; a day of it is flagged to head office.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    # The availability feed position this endpoint has been told up to (availability.changed).
    feed_txid = models.BigIntegerField(default=0)
    feed_change_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["channel", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.channel_id}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return self.active and (not self.event_types or event_type in self.event_types)


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    # The Standard Webhooks message id: the same on every attempt, so the receiver can drop a repeat.
    webhook_id = models.CharField(_("webhook id"), max_length=40, unique=True, default=new_webhook_id)
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set while a worker sends it; a claim older than WEBHOOK_CLAIM_TIMEOUT is a worker that died: sent again.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.webhook_id} {self.event_type} {self.status}"
