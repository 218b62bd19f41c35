"""Customers and the contact details an order, a reservation or a return keeps (DESIGN.md section 4)."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU
from omnichannel.models import TimeStampedModel
from orders.events import OrderEventType
from stores.models import ApiKey, Location, SalesChannel

E164 = RegexValidator(r"^\+[1-9]\d{6,14}$", _("Phone numbers are in international form, e.g. +393331234567."))


class NotifyBy(models.TextChoices):
    EMAIL_AND_SMS = "email_and_sms", _("Email and SMS")
    EMAIL = "email", _("Email only")
    SMS = "sms", _("SMS only")


class Customer(TimeStampedModel):
    """One customer across channels, matched by email.

    The record belongs to the channel that first brought the customer (`owner_channel`): only that channel
    changes its details and marketing consent through the API. Another channel's order with the same email is
    linked to the customer but keeps its own contact details on the order (`ContactDetails`), and messages about
    that order go there, so one channel can never redirect another channel's messages."""

    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[E164])
    name = models.CharField(_("name"), max_length=120, blank=True)
    locale = models.CharField(_("language"), max_length=5, default="it", choices=settings.LANGUAGES)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # Where and when consent was last given or withdrawn (GDPR: consent must be demonstrable).
    marketing_consent_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    marketing_consent_source = models.CharField(_("consent changed through"), max_length=40, blank=True)
    owner_channel = models.ForeignKey(
        SalesChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owning channel"),
    )

    NotifyBy = NotifyBy
    # How the customer wants to hear from us; without a phone number SMS is impossible and email is used.
    notify_by = models.CharField(
        _("notify by"), max_length=15, choices=NotifyBy.choices, default=NotifyBy.EMAIL_AND_SMS
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email


class ContactDetails(models.Model):
    """The contact details given with an order or a reservation: messages about it go here, whatever the shared
    customer record says later (DESIGN.md section 4)."""

    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[E164])
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_locale = models.CharField(_("language"), max_length=5, default="it", choices=settings.LANGUAGES)
    notify_by = models.CharField(
        _("notify by"), max_length=15, choices=NotifyBy.choices, default=NotifyBy.EMAIL_AND_SMS
    )

    class Meta:
        abstract = True

    @property
    def contact_label(self) -> str:
        return self.contact_name or self.contact_email


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class FulfillmentMethod(models.TextChoices):
    HOME_DELIVERY = "home_delivery", _("Home delivery")
    STORE_PICKUP = "store_pickup", _("Click & collect")
    SHIP_TO_STORE = "ship_to_store", _("Ship to store")
    CURBSIDE = "curbside", _("Curbside pickup")
    LOCKER = "locker", _("Locker")


class Speed(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")
    SAME_DAY = "same_day", _("Same day")


class Order(ContactDetails, TimeStampedModel):
    # `place_order` leaves the rows it wrote here, so the API answers without reading them back (not a column).
    written: dict

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        IN_PROGRESS = "in_progress", _("In progress")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        NOT_COLLECTED = "not_collected", _("Not collected")
        # Some units wait for a decision (an item missing, a parcel lost): the order is being fixed.
        ON_HOLD = "on_hold", _("Waiting for a solution")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="orders", verbose_name=_("sales channel")
    )
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED)
    method = models.CharField(_("fulfillment method"), max_length=20, choices=FulfillmentMethod.choices)
    speed = models.CharField(_("speed"), max_length=10, choices=Speed.choices, blank=True)
    pickup_location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pickup_orders",
        verbose_name=_("pickup location"),
    )
    # {"name", "line1", "line2", "city", "postcode", "country", "lat", "lon"}
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    lines_total = models.DecimalField(_("lines total"), max_digits=12, decimal_places=2)
    # An order-level promotion (voucher, campaign): total = lines total - discount + shipping. Refunds of returned
    # units give back the price paid, so the discount is spread over the lines pro rata.
    discount = models.DecimalField(_("discount"), max_digits=12, decimal_places=2, default=0)
    shipping_price = models.DecimalField(_("shipping price"), max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    tracking_token = models.CharField(
        _("tracking token"), max_length=64, unique=True, default=new_tracking_token, editable=False
    )
    # The marketing consent given with this order, by its channel (the shared customer record may hold another
    # channel's): the tracking page and shipping emails show marketing only when this and the record both allow.
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # A pricing-authority channel (a marketplace that collected the money) sent a line below its listing: placed
    # anyway, for head office to review.
    price_review = models.BooleanField(_("price to review"), default=False)
    # The sourcing decision as staff and channels read it: every candidate, its score, why it won or lost.
    sourcing = models.JSONField(_("sourcing explanation"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="unique_external_order_id"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0, discount__lte=models.F("lines_total")), name="order_discount_within_lines"
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "updated_at"], name="order_channel_updated"),
            # The KPI rollup rewrites the days that changed, and the lists behind the figures read a period.
            models.Index(fields=["created_at"], name="order_placed_at"),
        ]

    def __str__(self):
        return self.number


class OpenUnits:
    """A line's units still to come: ordered, less cancelled and missing (an order line, or its part on a parcel)."""

    # The model's fields (declared by each model that uses this).
    quantity: int
    quantity_cancelled: int
    quantity_short: int

    @property
    def quantity_open(self) -> int:
        return self.quantity - self.quantity_cancelled - self.quantity_short


class OrderLine(OpenUnits, TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity_cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    # Units the customer will not get from this line as ordered (missing at picking, lost in transit) ...
    quantity_short = models.PositiveIntegerField(_("missing"), default=0)
    # ... and how many of those are settled: refunded, or replaced by a substitute. The rest waits for a case's
    # decision, and its money stays authorized until then.
    quantity_short_refunded = models.PositiveIntegerField(_("missing, refunded"), default=0)
    quantity_short_substituted = models.PositiveIntegerField(_("missing, substituted"), default=0)
    # Units on a return that is not cancelled (announced, on their way or received): a unit is returned once.
    quantity_returned = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(
                    quantity_short__gte=models.F("quantity_short_refunded") + models.F("quantity_short_substituted")
                ),
                name="order_line_settled_within_short",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=models.F("quantity_cancelled") + models.F("quantity_short")),
                name="order_line_removed_within_quantity",
            ),
            # Only units the customer got can come back, each once.
            models.CheckConstraint(
                condition=Q(
                    quantity__gte=models.F("quantity_cancelled")
                    + models.F("quantity_short")
                    + models.F("quantity_returned")
                ),
                name="order_line_returned_within_delivered",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku_id}"

    @property
    def quantity_short_open(self) -> int:
        """Missing units nobody has decided about yet (refund, substitute or another source)."""
        return self.quantity_short - self.quantity_short_refunded - self.quantity_short_substituted

    @property
    def refunded_amount(self):
        """What the line's refunded missing units gave back (their unit price)."""
        return self.unit_price * self.quantity_short_refunded


class IdempotencyRecord(models.Model):
    """The first response to a POST with an `Idempotency-Key`, replayed on retries. Keys are scoped to the
    caller's owner: a sales channel, or a location (the WMS and store handhelds)."""

    channel = models.ForeignKey(
        SalesChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("sales channel")
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("location")
    )
    key = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "key"], condition=Q(channel__isnull=False), name="unique_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["location", "key"], condition=Q(location__isnull=False), name="unique_location_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(channel__isnull=True) ^ Q(location__isnull=True), name="idempotency_key_one_owner"
            ),
        ]

    def __str__(self):
        return f"{self.channel_id or self.location_id}:{self.key}"


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
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        if self.api_key is not None:
            return self.api_key.owner_name
        return ""


class OrderEvent(TimelineEvent):
    """The order's timeline."""

    type = models.CharField(_("event"), max_length=40, choices=OrderEventType.choices)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    fulfillment = models.ForeignKey(
        "orders.Fulfillment",
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
