"""Click & reserve: items held in a store for a customer to try on, no payment (section 8)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import SKU, StockHold
from omnichannel.models import TimeStampedModel
from orders.events import ReservationEventType
from orders.placement.models import ContactDetails, Customer, TimelineEvent, new_tracking_token
from stores.models import Location, SalesChannel


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
            models.Index(fields=["created_at"], name="reservation_made_at"),  # KPIs read the days made
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
    # The channel's listing price when reserved (empty: not listed then, or reserved before prices were kept).
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2, null=True, blank=True)
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
