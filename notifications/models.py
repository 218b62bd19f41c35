"""The outbox: every message to a customer is a row written in the transaction of the change that caused it,
then sent by a worker that can crash and resume (DESIGN.md sections 2.4 and 10)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from orders.models import Customer, Order


class Notification(TimeStampedModel):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.CharField(_("recipient"), max_length=254)
    locale = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Retries stop at a permanent error or after MAX_ATTEMPTS; quiet hours and backoff move send_after.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    send_after = models.DateTimeField(_("send after"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=64, blank=True, db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "send_after"], name="notification_due")]

    def __str__(self):
        return f"{self.event} {self.channel} → {self.recipient} ({self.status})"
