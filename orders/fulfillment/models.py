"""The parcels an order is sent in (fulfillments), their lines and the carrier's tracking (section 6)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import StockHold
from omnichannel.models import TimeStampedModel
from orders.placement.models import FulfillmentMethod, OpenUnits, Order, OrderLine
from stores.models import Location

# A parcel the carrier still moves: its tracking number is its own (the partial unique index below, and
# ACTIVE_PARCEL below for the services).
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
    # The promise fixed at placement: shipped by (home, locker) or ready to collect by (pickups), counted in the
    # opening hours of the location that acts (FULFILLMENT_PROMISE_OPEN_HOURS). None: placed before promises
    # were kept, or a parcel sent to recover missing units (the order's first parcels carry the promise).
    promised_by = models.DateTimeField(_("promised by"), null=True, blank=True)
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

    @property
    def promise_due(self):
        """The promise while it still binds (the parcel not yet shipped or ready), else None."""
        waiting = self.status in (self.Status.PENDING, self.Status.PICKING, self.Status.PACKED)
        waiting |= self.flow == self.Flow.SHIP_TO_STORE and self.status in PARCEL_TRAVELLING + ("received_in_store",)
        return self.promised_by if waiting else None

    @property
    def promise_late(self) -> bool:
        due = self.promise_due
        return due is not None and due < timezone.now()


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

    @property
    def held(self) -> StockHold:
        """The hold of a line with units to move (written with the line at placement or recovery)."""
        if self.hold is None:
            raise ValueError(f"fulfillment line {self.pk} has no stock hold")
        return self.hold


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


S = Fulfillment.Status


# Allowed moves per fulfillment flow: {flow: {from: {to, …}}} (DESIGN.md section 6). The table is the documentation.
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    Fulfillment.Flow.SHIP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.IN_TRANSIT: {S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.OUT_FOR_DELIVERY: {S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_EXCEPTION, S.LOST},
        S.DELIVERY_EXCEPTION: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.LOST},
    },
    Fulfillment.Flow.PICKUP: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.READY_FOR_PICKUP, S.CANCELLED},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
    Fulfillment.Flow.SHIP_TO_STORE: {
        S.PENDING: {S.PICKING, S.CANCELLED},
        S.PICKING: {S.PACKED, S.CANCELLED},
        S.PACKED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.IN_TRANSIT, S.RECEIVED_IN_STORE, S.LOST},
        S.IN_TRANSIT: {S.RECEIVED_IN_STORE, S.LOST},
        S.RECEIVED_IN_STORE: {S.READY_FOR_PICKUP},
        S.READY_FOR_PICKUP: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    },
}


TERMINAL: set[str] = {S.DELIVERED, S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED, S.LOST}


# A parcel the carrier still moves: its tracking number is its own (the model's partial unique index).
ACTIVE_PARCEL = frozenset(PARCEL_TRAVELLING)
