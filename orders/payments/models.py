"""An order's money: the channel's authorization, captures, releases and refunds, and care's refund requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from orders.placement.models import Order


class Payment(TimeStampedModel):
    """Money for an order: authorized at placement, captured when goods ship or are collected,
    refunded (or, before capture, released) for cancelled and missing units. No card data here."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment", verbose_name=_("order"))
    provider = models.CharField(_("provider"), max_length=30)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    authorized_amount = models.DecimalField(max_digits=12, decimal_places=2)
    captured_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # Given back of what was captured (the customer was charged, then refunded) ...
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # ... and let go of the authorization before any capture (never charged: not a refund).
    released_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0, refunded_amount__gte=0, released_amount__gte=0),
                name="payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(captured_amount__lte=models.F("authorized_amount") - models.F("released_amount")),
                name="payment_capture_and_release_within_authorization",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("captured_amount")), name="payment_refund_within_capture"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.reference}"


class RefundRequest(TimeStampedModel):
    """Money given back by a person (customer care, head office): a refund of what was paid, or a goodwill credit
    without a return. Above CARE_REFUND_LIMIT an agent's request waits for a head-office approval; nothing is
    refunded before it."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund")
        GOODWILL = "goodwill", _("Goodwill credit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        REFUNDED = "refunded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refund_requests", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("why"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("asked by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_request_amount_positive")]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_request_queue")]

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.amount}"
