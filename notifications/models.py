"""The outbox: every message to a customer is a row written in the transaction of the change that caused it,
then sent by a worker that can crash and resume (DESIGN.md sections 2.4 and 10)."""

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from orders.models import Customer, Order, OrderEvent, Reservation, ReservationEvent, Return, ReturnEvent


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
        # Queued (an SMS waiting for the morning), but what it says stopped being true: the pickup was collected,
        # the reservation bought. Never sent.
        DROPPED = "dropped", _("Dropped: no longer true")

    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("order")
    )
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    return_request = models.ForeignKey(
        Return, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("return")
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("customer")
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    locale = models.CharField(_("language"), max_length=5)
    # The event the message tells about: its words are rendered from it when the message is sent (or first read),
    # never while the change that caused it holds its locks. Held by id without a database foreign key: the event
    # tables are partitioned by month (omnichannel/partitions.py), and a key cannot point into those.
    order_event = models.ForeignKey(
        OrderEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    reservation_event = models.ForeignKey(
        ReservationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    return_event = models.ForeignKey(
        ReturnEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    # The fact a message tells, for facts that happen once (the order cancelled, a parcel shipped, …): one message
    # per fact and medium, however many requests report it at once. Blank for messages sent again by a person.
    fact = models.CharField(_("fact"), max_length=80, blank=True)
    subject_text = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
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
        indexes = [
            models.Index(fields=["status", "send_after"], name="notification_due"),
            models.Index(fields=["created_at"], name="notification_queued_at"),  # KPIs read the days queued
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fact", "channel"], condition=~Q(fact=""), name="notification_once_per_fact"
            )
        ]

    def __str__(self):
        return f"{self.event} {self.channel} → {self.recipient} ({self.status})"

    # The words: stored when the worker sends the message (notifications.services.render_notification); before
    # that, reading them renders them in memory only (a page or the admin reading a queued message writes nothing).
    @property
    def subject(self) -> str:
        return self._rendered().subject_text

    @property
    def body_text(self) -> str:
        return self._rendered().text

    @property
    def body_html(self) -> str:
        return self._rendered().html

    def _rendered(self):
        has_event = self.order_event_id or self.reservation_event_id or self.return_event_id
        if self.rendered_at is None and has_event and not getattr(self, "_words_read", False):
            from notifications.rendering import render_notification

            render_notification(self, store=False)
            self._words_read = True
        return self


class MarketingBlock(TimeStampedModel):
    """What the tracking page and shipping emails add for customers who accepted marketing (one active)."""

    active = models.BooleanField(_("active"), default=True)
    headline_it = models.CharField(_("headline (Italian)"), max_length=120)
    headline_en = models.CharField(_("headline (English)"), max_length=120)
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    banner_url = models.URLField(_("banner link"), blank=True)
    banner_label_it = models.CharField(_("banner text (Italian)"), max_length=80, blank=True)
    banner_label_en = models.CharField(_("banner text (English)"), max_length=80, blank=True)
    newsletter_url = models.URLField(_("newsletter sign-up link"), blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("marketing block")
        verbose_name_plural = _("marketing blocks")

    def __str__(self):
        return self.headline_en

    def for_locale(self, locale: str) -> dict:
        italian = locale == "it"
        return {
            "headline": self.headline_it if italian else self.headline_en,
            "coupon_code": self.coupon_code,
            "banner_url": self.banner_url,
            "banner_label": self.banner_label_it if italian else self.banner_label_en,
            "newsletter_url": self.newsletter_url,
        }


class TrackingPageView(models.Model):
    """An hour in which an order's tracking page was opened (head-office KPI: tracking visits per order).
    One row per order and hour, however often the page is reloaded: a view is not a database write."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="tracking_page_views", verbose_name=_("order")
    )
    # The start of the hour (UTC).
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("tracking page visit")
        verbose_name_plural = _("tracking page visits")
        constraints = [models.UniqueConstraint(fields=["order", "at"], name="one_tracking_visit_per_order_hour")]

    def __str__(self):
        return f"{self.order_id} @ {self.at:%Y-%m-%d %H:%M}"


MESSAGE_PLACEHOLDERS = (
    "{{ brand }}, {{ number }}, {{ total }}, {{ tracking_url }}, {{ refund }}, {{ carrier }}, {{ store }}, "
    "{{ store_address }}, {{ pickup_code }}, {{ pickup_deadline }}, {{ sku_name }}, {{ reserved_until }}, "
    "{{ reservation_url }}"
)


def validate_template(value):
    from django.core.exceptions import ValidationError
    from django.template import Template, TemplateSyntaxError

    try:
        Template(value)
    except TemplateSyntaxError as exc:
        raise ValidationError(_("Template error: %(error)s") % {"error": exc}) from exc


class MessageTemplate(TimeStampedModel):
    """Head office's wording for one event × channel × language, replacing the built-in text when active.

    For email, `body` replaces the message's main text inside the branded layout (order lines, store and
    tracking link stay); for SMS it is the whole message."""

    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Notification.Channel.choices)
    locale = models.CharField(_("language"), max_length=5, choices=[("it", _("Italian")), ("en", _("English"))])
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        validators=[validate_template],
        # format_lazy stays lazy: formatting at import time would freeze one language into the field.
        help_text=format_lazy("{} {}", _("Email only. Placeholders:"), MESSAGE_PLACEHOLDERS),
    )
    body = models.TextField(
        _("text"),
        validators=[validate_template],
        help_text=format_lazy("{} {}", _("Placeholders:"), MESSAGE_PLACEHOLDERS),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["event", "channel", "locale"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["event", "channel", "locale"], name="unique_message_template")]

    def __str__(self):
        return f"{self.event} · {self.channel} · {self.locale}"

    def render(self, context: dict) -> tuple[str, str]:
        from django.template import Context, Template

        ctx = Context(context, autoescape=False)
        return Template(self.subject).render(ctx).strip(), Template(self.body).render(ctx).strip()


from notifications.webhook_models import EventType, WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
