"""Returns and exchanges (DESIGN.md section 9): one return may cover units of several orders of one customer,
each unit comes back at most once, and each received unit gets one disposition."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU, StockHold
from omnichannel.models import TimeStampedModel
from orders.events import ReturnEventType
from orders.placement.models import ContactDetails, Customer, Order, OrderLine, TimelineEvent, new_tracking_token
from stores.models import Location, SalesChannel


class ReturnReason(models.Model):
    """Why a unit comes back, from a list merchandisers manage (admin) and read per SKU and size."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_it = models.CharField(_("name (Italian)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    # A damaged unit: the store inspects it before restocking and the playbook may open a case.
    means_damaged = models.BooleanField(_("the item is damaged"), default=False)
    active = models.BooleanField(_("offered to customers"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")

    def __str__(self):
        return self.name_for(get_language())  # a page, a form, the admin: in the language it speaks

    def name_for(self, locale: str) -> str:
        return self.name_it if (locale or "").startswith("it") else self.name_en


class Return(ContactDetails, TimeStampedModel):
    """A return (RMA). Messages go to the contact details given with its first order."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("return status", "Requested")
        IN_TRANSIT = "in_transit", pgettext_lazy("return status", "On its way")
        RECEIVED = "received", pgettext_lazy("return status", "Received")
        CLOSED = "closed", pgettext_lazy("return status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("return status", "Cancelled")

    # Announced and not received yet: the receiving location expects it, the customer may still send or cancel it.
    EXPECTED = (Status.REQUESTED, Status.IN_TRANSIT)

    class How(models.TextChoices):
        IN_STORE = "in_store", _("In a store")
        CARRIER = "carrier", _("By courier")
        LOCKER = "locker", _("In a locker")

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="returns", verbose_name=_("sales channel")
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="returns", verbose_name=_("customer"))
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    # Where the units are counted, inspected and given their disposition: the store, or the returns centre.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="returns", verbose_name=_("receiving location")
    )
    # The locker the customer drops the parcel in (locker returns).
    drop_off = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("drop-off locker")
    )
    label = models.CharField(_("return label"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    fee = models.DecimalField(_("return fee"), max_digits=10, decimal_places=2, default=0)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=0)
    in_transit_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # Units sent on to the returns centre: handed to the carrier at the receiving store, then booked in there.
    transfer_shipped_at = models.DateTimeField(_("sent to the warehouse at"), null=True, blank=True)
    transfer_received_at = models.DateTimeField(_("received at the warehouse at"), null=True, blank=True)
    # Set once when the return is found overdue (the overdue job's exactly-once guard).
    overdue_at = models.DateTimeField(_("found overdue at"), null=True, blank=True)
    # The replacement order of an exchange, once placed.
    exchange_order = models.OneToOneField(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_for",
        verbose_name=_("exchange order"),
    )
    # The customer's own page (status, instructions, cancel) is reached with this unguessable token, no login.
    token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [
            models.Index(fields=["location", "status"], name="return_location_queue"),
            models.Index(fields=["status", "created_at"], name="return_status_age"),
        ]
        constraints = [models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="return_refund_not_negative")]

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    """Units of one order line on a return: announced, then received, then each one's disposition."""

    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return"))
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="return_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("announced"))
    quantity_received = models.PositiveIntegerField(_("received"), default=0)
    reason = models.ForeignKey(ReturnReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason"))
    sub_reason = models.CharField(_("detail"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # One disposition per received unit: the four add up to the units received.
    restocked = models.PositiveIntegerField(_("restocked here"), default=0)
    sent_to_warehouse = models.PositiveIntegerField(_("sent to the warehouse"), default=0)
    quarantined = models.PositiveIntegerField(_("quarantined"), default=0)
    written_off = models.PositiveIntegerField(_("written off"), default=0)
    # Damaged units (quarantined or written off) whose refund waits for customer care's decision on the return's
    # case: refund, partial or refused; the case's default after its window is the full refund.
    refund_waiting = models.PositiveIntegerField(_("damaged, refund waiting for a decision"), default=0)
    # The stock hold of units on their way to the warehouse (counted here, not for sale).
    transfer_hold = models.ForeignKey(
        StockHold, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("transfer hold")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_waiting__lte=models.F("quarantined") + models.F("written_off")),
                name="return_line_waiting_within_damaged",
            ),
            models.UniqueConstraint(fields=["return_request", "order_line"], name="unique_return_order_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity")), name="return_line_received_within_announced"
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity_received=F("restocked") + F("sent_to_warehouse") + F("quarantined") + F("written_off")
                ),
                name="return_line_one_disposition_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × line {self.order_line_id}"


class ExchangeLine(models.Model):
    """A replacement the customer asked for instead of money (another size or colour), held from the request on."""

    return_request = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="exchange_lines", verbose_name=_("return")
    )
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # What the replacement is worth: the price paid for the unit it replaces.
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    hold = models.ForeignKey(
        StockHold, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock hold")
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="exchange_line_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} × {self.sku_id}"


class ReturnEvent(TimelineEvent):
    """The return's timeline."""

    type = models.CharField(_("event"), max_length=40, choices=ReturnEventType.choices)

    return_request = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="events", verbose_name=_("return")
    )

    class Meta(TimelineEvent.Meta):
        verbose_name = _("return event")
        verbose_name_plural = _("return events")

    def __str__(self):
        return f"{self.return_request_id} {self.type}"
