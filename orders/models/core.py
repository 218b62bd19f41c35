"""Customers, orders, fulfillments, payments, reservations and their timelines (DESIGN.md sections 4, 6, 8)."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import SKU, StockHold
from omnichannel.models import TimeStampedModel
from orders.events import OrderEventType, ReservationEventType
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


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class Order(ContactDetails, TimeStampedModel):
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
        indexes = [models.Index(fields=["channel", "updated_at"], name="order_channel_updated")]

    def __str__(self):
        return self.number


class OpenUnits:
    """A line's units still to come: ordered, less cancelled and missing (an order line, or its part on a parcel)."""

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


# A parcel the carrier still moves: its tracking number is its own (the partial unique index below, and
# orders.services.common.ACTIVE_PARCEL for the services).
PARCEL_TRAVELLING = ("shipped", "in_transit", "out_for_delivery", "delivery_exception")


class Fulfillment(TimeStampedModel):
    """What one source location sends (or hands over) for an order."""

    class Flow(models.TextChoices):
        SHIP = "ship", _("Shipped to the customer")
        PICKUP = "pickup", _("Collected at the source store")
        SHIP_TO_STORE = "ship_to_store", _("Shipped to the pickup store")

    class Status(models.TextChoices):
        PENDING = "pending", _("To prepare")
        PICKING = "picking", _("Picking")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        DELIVERY_EXCEPTION = "delivery_exception", _("Delivery exception")
        LOST = "lost", _("Lost in transit")
        RECEIVED_IN_STORE = "received_in_store", _("Received in store")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        COLLECTED = "collected", _("Collected")
        NOT_COLLECTED = "not_collected", _("Not collected")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfillments", verbose_name=_("order"))
    source_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="fulfillments", verbose_name=_("source location")
    )
    pickup_location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_fulfillments",
        verbose_name=_("pickup location"),
    )
    method = models.CharField(_("method"), max_length=20, choices=FulfillmentMethod.choices)
    flow = models.CharField(_("flow"), max_length=20, choices=Flow.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    pickup_code = models.CharField(_("pickup code"), max_length=6, blank=True)
    # Wrong codes tried since the code was issued or unlocked; at PICKUP_CODE_MAX_ATTEMPTS the code is locked.
    pickup_code_attempts = models.PositiveSmallIntegerField(_("wrong pickup codes"), default=0)
    pickup_deadline = models.DateTimeField(_("collect by"), null=True, blank=True)
    # Set once when the customer is reminded to collect (the reminder job's exactly-once guard).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    # Set once when a ship-to-store parcel is found overdue (the overdue job's exactly-once guard).
    overdue_at = models.DateTimeField(_("found overdue at"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A lost parcel the carrier brought back to its source: its units were booked back into stock then (once).
    back_in_stock_at = models.DateTimeField(_("back in stock at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("fulfillment")
        verbose_name_plural = _("fulfillments")
        constraints = [
            # One carrier's tracking number is on one travelling parcel: the carrier's scans must move that parcel,
            # not another order's.
            models.UniqueConstraint(
                Upper("carrier"),
                "tracking_number",
                condition=Q(status__in=list(PARCEL_TRAVELLING)),
                name="fulfillment_active_tracking_number",
            )
        ]
        indexes = [
            models.Index(fields=["source_location", "status"], name="fulfillment_source_status"),
            models.Index(fields=["pickup_location", "status"], name="fulfillment_pickup_status"),
            models.Index(fields=["status", "pickup_deadline"], name="fulfillment_pickup_deadline"),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.pk} from {self.source_location.code}"


class FulfillmentLine(OpenUnits, models.Model):
    fulfillment = models.ForeignKey(
        Fulfillment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("fulfillment")
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="fulfillment_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    quantity_short = models.PositiveIntegerField(_("missing"), default=0)
    # The stock held for this line: at the source, then (ship-to-store) at the pickup store once received.
    hold = models.ForeignKey(
        StockHold, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock hold")
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=models.F("quantity_cancelled") + models.F("quantity_short")),
                name="fulfillment_line_removed_within_quantity",
            )
        ]

    def __str__(self):
        return f"{self.quantity} × line {self.order_line_id}"


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


class TrackingEvent(models.Model):
    """A carrier's scan of a parcel, as the carrier reported it; unique per carrier and its event id."""

    fulfillment = models.ForeignKey(
        Fulfillment, on_delete=models.CASCADE, related_name="tracking_events", verbose_name=_("fulfillment")
    )
    carrier = models.CharField(_("carrier"), max_length=40)
    event_id = models.CharField(_("carrier event id"), max_length=80)
    status = models.CharField(_("status"), max_length=30)
    location = models.CharField(_("where"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "event_id"], name="unique_carrier_event")]

    def __str__(self):
        return f"{self.carrier} {self.event_id} {self.status}"


class Reservation(ContactDetails, TimeStampedModel):
    """Click & reserve: items held in one store for the customer to try on, no payment (DESIGN.md section 8)."""

    class Status(models.TextChoices):
        # A context of their own: in Italian a reservation (prenotazione) takes feminine forms.
        HELD = "held", pgettext_lazy("reservation status", "Held")
        PURCHASED = "purchased", pgettext_lazy("reservation status", "Bought")
        DECLINED = "declined", pgettext_lazy("reservation status", "Not bought")
        EXPIRED = "expired", pgettext_lazy("reservation status", "No show")
        CANCELLED = "cancelled", pgettext_lazy("reservation status", "Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("sales channel")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("customer")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("location")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HELD)
    expires_at = models.DateTimeField(_("held until"))
    # When the reminder is due (None: the window is too short for one); reminded_at is the job's once-only guard.
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    pos_receipt = models.CharField(_("till receipt"), max_length=40, blank=True)
    # The customer's own page (see, cancel) is reached with this unguessable token, no login.
    token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [
            models.Index(fields=["location", "status", "expires_at"], name="reservation_store_queue"),
            models.Index(fields=["status", "expires_at"], name="reservation_expiry"),
            models.Index(fields=["status", "remind_at"], name="reservation_reminder"),
            models.Index(fields=["customer", "status"], name="reservation_customer_open"),
            # A till batch finds the reservations the store's "bought" button recorded with its receipts.
            models.Index(
                fields=["location", "pos_receipt"], name="reservation_till_receipt", condition=~Q(pos_receipt="")
            ),
        ]

    def __str__(self):
        return self.number


class ReservationLine(models.Model):
    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("reservation")
    )
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="reservation_lines", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_purchased = models.PositiveIntegerField(_("bought"), default=0)
    hold = models.ForeignKey(StockHold, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock hold"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_purchased__lte=models.F("quantity")), name="reservation_line_bought_within"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku_id}"

    @property
    def quantity_released(self) -> int:
        """Units of a closed reservation that went back on sale (not bought)."""
        return self.quantity - self.quantity_purchased


class ReservationEvent(TimelineEvent):
    """The reservation's timeline."""

    type = models.CharField(_("event"), max_length=40, choices=ReservationEventType.choices)

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="events", verbose_name=_("reservation")
    )

    class Meta(TimelineEvent.Meta):
        verbose_name = _("reservation event")
        verbose_name_plural = _("reservation events")

    def __str__(self):
        return f"{self.reservation_id} {self.type}"
