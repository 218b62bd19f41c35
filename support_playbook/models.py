"""Cases and store tasks (DESIGN.md sections 4 and 11): the incidents customer care resolves, and the work the
system and customer care ask of a location. Scenarios are code (`support_playbook.scenarios`), not rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import SKU
from omnichannel.models import TimeStampedModel
from orders.models import Customer, Fulfillment, Order, Reservation, Return, TimelineEvent
from stores.models import Location


class Case(TimeStampedModel):
    """One incident and its resolution: opened by an event, worked by customer care (or a store), closed when
    the order is whole again or someone decided. Suggested resolutions are computed when shown, never stored."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case", "Open")
        WAITING_STORE = "waiting_store", _("Waiting for the store")
        WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
        RESOLVED = "resolved", pgettext_lazy("case", "Resolved")
        CLOSED = "closed", pgettext_lazy("case", "Closed")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    scenario = models.CharField(_("scenario"), max_length=40)
    # What the incident is ("incomplete:BR-…", "parcel:123"): one case per incident, however often its event repeats.
    incident_key = models.CharField(_("incident"), max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    due_by = models.DateTimeField(_("due by"))
    # When the scenario's default resolution runs if nobody has decided (CASE_DEFAULT_AFTER); None: no default.
    default_at = models.DateTimeField(_("default resolution at"), null=True, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("order")
    )
    reservation = models.ForeignKey(
        Reservation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("reservation"),
    )
    return_request = models.ForeignKey(
        Return, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("return")
    )
    fulfillment = models.ForeignKey(
        Fulfillment, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("parcel")
    )
    # The store involved (the pickup store, the store a parcel travels to, the store that counted).
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("store")
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SKU"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    # Facts of the incident the scenario reads (e.g. the failed message's id and channel).
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    resolution = models.CharField(_("resolution"), max_length=40, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["due_by", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "due_by"], name="case_queue"),
            models.Index(fields=["scenario", "status"], name="case_scenario"),
            models.Index(fields=["status", "default_at"], name="case_default_due"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.scenario}"

    @property
    def currency(self) -> str:
        """The currency of the money the case is about: its order's, else its return's channel's."""
        if self.order is not None:
            return self.order.currency
        return self.return_request.channel.currency if self.return_request is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)


class CaseEvent(TimelineEvent):
    """The case's timeline: opened, each action with its parameters, notes, contact with the customer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case_id} {self.type}"


class StoreTask(TimeStampedModel):
    """One piece of work for a location, done or not done (with a reason), feeding back where it came from."""

    class Kind(models.TextChoices):
        RECOUNT = "recount", _("Recount an item")
        COMPLETE_FROM_SHELF = "complete_from_shelf", _("Complete an order from your shelf")
        CHECK_PARCEL = "check_parcel", _("Check an incoming parcel")
        PUT_BACK = "put_back", _("Put items back on the floor")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("store task", "To do")
        DONE = "done", pgettext_lazy("store task", "Done")
        CANNOT_DO = "cannot_do", pgettext_lazy("store task", "Could not be done")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("location"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="store_tasks", verbose_name=_("order")
    )
    fulfillment = models.ForeignKey(
        Fulfillment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("parcel")
    )
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reservation")
    )
    # The case it feeds back into, if any.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks", verbose_name=_("case")
    )
    # Why the task exists, in words staff read ("2 units not found picking BR-…").
    reason = models.CharField(_("why"), max_length=200, blank=True)
    # What came of it: {"counted": 3, "on_hand_before": 5} for a recount; the reason when it could not be done.
    result = models.JSONField(_("result"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("store task")
        verbose_name_plural = _("store tasks")
        constraints = [
            # One open recount per item and location, however many short picks report it.
            models.UniqueConstraint(
                fields=["location", "kind", "sku"],
                condition=Q(status="open", kind="recount"),
                name="one_open_task_per_item",
            ),
            # One open task of a kind per parcel (the shelf completion, the parcel check) or reservation.
            models.UniqueConstraint(
                fields=["kind", "fulfillment"], condition=Q(status="open"), name="one_open_task_per_parcel"
            ),
            models.UniqueConstraint(
                fields=["kind", "reservation"], condition=Q(status="open"), name="one_open_task_per_reservation"
            ),
        ]
        indexes = [models.Index(fields=["location", "status"], name="store_task_queue")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sku_id or ''} @ {self.location_id}"


class StoreTaskEvent(TimelineEvent):
    """The task's timeline."""

    task = models.ForeignKey(StoreTask, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("store task event")
        verbose_name_plural = _("store task events")

    def __str__(self):
        return f"{self.task_id} {self.type}"


class KpiDay(models.Model):
    """One day's counts behind the KPIs (issue 27), per sales channel and fulfillment method: for the network
    (`location` empty: each order once) and for each location (the orders with a parcel sourced there, and its
    parcels). Orders count on the day they were placed (the brand's clock), reservations on the day they were
    made, messages on the day they were queued. Written only by `services.kpi_rollup.refresh_kpis`, which rewrites
    whole days: the figures are sums of these columns, whatever the period and the number of stores."""

    day = models.DateField()
    location = models.ForeignKey(Location, null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("stores.SalesChannel", null=True, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=20, blank=True)
    # Orders (a location's: those with a parcel sourced there)
    orders = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    split = models.PositiveIntegerField(default=0)
    returned_units = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)  # every live parcel sent or handed over, or given up short
    in_full = models.PositiveIntegerField(default=0)
    finished_promised = models.PositiveIntegerField(default=0)  # finished, every live parcel with a promise
    on_time_in_full = models.PositiveIntegerField(default=0)
    authorized = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    captured = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Parcels (a location's: those sourced there)
    parcels = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    ship = models.PositiveIntegerField(default=0)
    ship_from_store = models.PositiveIntegerField(default=0)
    shipped_promised = models.PositiveIntegerField(default=0)
    shipped_on_time = models.PositiveIntegerField(default=0)
    ready_promised = models.PositiveIntegerField(default=0)
    ready_on_time = models.PositiveIntegerField(default=0)
    collected = models.PositiveIntegerField(default=0)
    not_collected = models.PositiveIntegerField(default=0)
    units_requested = models.PositiveIntegerField(default=0)
    units_short = models.PositiveIntegerField(default=0)
    # Click & reserve (channel and location the reservation's, method empty)
    reservations_closed = models.PositiveIntegerField(default=0)
    reservations_bought = models.PositiveIntegerField(default=0)
    reservations_expired = models.PositiveIntegerField(default=0)
    reservations_bought_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Customer messages (channel and method empty)
    email_sent = models.PositiveIntegerField(default=0)
    email_failed = models.PositiveIntegerField(default=0)
    email_delivered = models.PositiveIntegerField(default=0)
    sms_sent = models.PositiveIntegerField(default=0)
    sms_failed = models.PositiveIntegerField(default=0)
    sms_delivered = models.PositiveIntegerField(default=0)
    # Till sales (location the store's, channel and method empty; a return at the till counts negative)
    till_units = models.IntegerField(default=0)
    till_sales = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["location", "day"], name="kpi_day_location")]

    def __str__(self):
        return f"{self.day} {self.location_id or 'network'} {self.channel_id} {self.method}"


class KpiDuration(models.Model):
    """How many of a day's parcels took how long (issue 27): a histogram per location, channel and measure
    (placed → shipped, placed → ready to collect), so a period's median and 90th percentile cost a sum of a few
    rows (measures: ship, ready, and collect: ready → collected). Bucket b holds durations in [60·1.1^b,
    60·1.1^(b+1)) seconds (bucket 0 also under a minute); a
    quantile read from it is its bucket's geometric middle: within 5 % of the exact value."""

    day = models.DateField()
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("stores.SalesChannel", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=20)
    bucket = models.PositiveSmallIntegerField()
    parcels = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["location", "day"], name="kpi_duration_location")]

    def __str__(self):
        return f"{self.day} {self.location_id} {self.measure} {self.bucket}: {self.parcels}"


class KpiSkuDay(models.Model):
    """Units of one SKU asked on one day (the orders placed that day) and units found missing: the item rejection
    rate by SKU, summed over a period (issue 27). The network's rows (location empty) hold every SKU ordered that
    day; a location's only the SKUs found missing there that day (the units asked of the few worst are then read
    from their parcels)."""

    day = models.DateField()
    location = models.ForeignKey(Location, null=True, on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("inventory.SKU", on_delete=models.CASCADE, related_name="+")
    units_requested = models.PositiveIntegerField(default=0)
    units_short = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["location", "day"], name="kpi_sku_day")]

    def __str__(self):
        return f"{self.day} {self.sku_id}: {self.units_short}/{self.units_requested}"


class KpiRefresh(models.Model):
    """One run of the KPI rollup: when it started (the next run recomputes the days whose rows changed since), the
    days it rewrote and how long it took. The pages show the last one's time as "figures as of"."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField()
    days = models.PositiveIntegerField()
    seconds = models.FloatField()

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.days} days)"


class KpiTarget(TimeStampedModel):
    """A target head office sets for one rate KPI (issue 27): for one location, or (location empty) for every
    location without one of its own and for the network. Stored as a share (0.95 is 95 %); whether the figure
    should be above or below it is the figure's own direction."""

    key = models.CharField(_("figure"), max_length=40)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("location")
    )
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "location"], condition=Q(location__isnull=False), name="kpi_target_per_location"
            ),
            models.UniqueConstraint(fields=["key"], condition=Q(location__isnull=True), name="kpi_target_default"),
            models.CheckConstraint(condition=Q(target__gte=0, target__lte=1), name="kpi_target_is_a_share"),
        ]

    def __str__(self):
        return f"{self.key} {self.location_id or '*'}: {self.target}"
