"""The store network: locations (warehouse, stores, lockers), sales channels and who works where."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel


class Capability(models.TextChoices):
    SHIPS = "ships", _("Ships parcels")
    SHIP_FROM_STORE = "ship_from_store", _("Ship from store")
    CLICK_AND_COLLECT = "click_and_collect", _("Click & collect")
    CLICK_AND_RESERVE = "click_and_reserve", _("Click & reserve")
    SHIP_TO_STORE = "ship_to_store", _("Ship to store")
    CURBSIDE = "curbside", _("Curbside pickup")
    ACCEPTS_RETURNS = "accepts_returns", _("Accepts returns")
    SAME_DAY = "same_day", _("Same-day delivery")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_capabilities(value):
    if not isinstance(value, list):
        raise ValidationError(_("Capabilities must be a list."))
    unknown = sorted(set(value) - set(Capability.values))
    if unknown:
        raise ValidationError(_("Unknown capabilities: %(names)s") % {"names": ", ".join(unknown)})


def validate_opening_hours(value):
    """{"mon": [["10:00", "19:30"]], "sun": []}: a list of open intervals per weekday."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must map weekdays to lists of [open, close] times."))
    for day, intervals in value.items():
        if day not in WEEKDAYS or not isinstance(intervals, list):
            raise ValidationError(_("Bad opening hours for %(day)s.") % {"day": day})
        for interval in intervals:
            if not (isinstance(interval, list | tuple) and len(interval) == 2):
                raise ValidationError(_("Bad opening hours for %(day)s.") % {"day": day})
            opens, closes = interval
            if not (isinstance(opens, str) and isinstance(closes, str) and len(opens) == len(closes) == 5):
                raise ValidationError(_("Times must look like 09:30."))
            if opens >= closes:
                raise ValidationError(_("%(day)s: a store must open before it closes.") % {"day": day})


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s") % {"tz": value})


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_capability(self, capability: str):
        # JSON list containment works on PostgreSQL and SQLite alike through a text match on the quoted name.
        return self.filter(capabilities__icontains=f'"{capability}"')


class Location(TimeStampedModel):
    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("Warehouse")
        STORE = "store", _("Store")
        LOCKER = "locker", _("Locker")
        SUPPLIER = "supplier", _("Supplier")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    country = models.CharField(_("country"), max_length=2, default="IT")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    timezone = models.CharField(_("time zone"), max_length=40, default="Europe/Rome", validators=[validate_timezone])
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True, validators=[validate_opening_hours])
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True, validators=[validate_capabilities])
    # Lower number = preferred when sourcing ties (DESIGN.md section 7).
    fulfillment_priority = models.PositiveSmallIntegerField(_("fulfillment priority"), default=100)
    active = models.BooleanField(_("active"), default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return f"{self.code} · {self.name}"

    def has_capability(self, capability: str) -> bool:
        return capability in (self.capabilities or [])

    @property
    def tz_name(self) -> str:
        """The location's time zone, the brand's (settings.TIME_ZONE) when none is set."""
        return self.timezone or settings.TIME_ZONE


class SalesChannel(TimeStampedModel):
    class Kind(models.TextChoices):
        WEB = "web", _("Web shop")
        MARKETPLACE = "marketplace", _("Marketplace")
        POS = "pos", _("Point of sale")
        CALL_CENTER = "call_center", _("Call center")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The locations whose stock this channel sells (DESIGN.md section 5).
    source_locations = models.ManyToManyField(
        Location, related_name="sales_channels", blank=True, verbose_name=_("source locations")
    )
    # Units per SKU held back from this channel's available-to-sell, against sync lag and oversell.
    safety_buffer = models.PositiveIntegerField(_("safety buffer"), default=0)
    # Publishing policy: never list more than this many units of a SKU (empty: no cap), and list 0 while what is
    # left after the buffer is at or below the threshold (the last units are kept for the stores).
    max_listed_quantity = models.PositiveIntegerField(
        _("most units listed"), null=True, blank=True, help_text=_("Empty: every available unit is listed.")
    )
    publish_zero_at_or_below = models.PositiveIntegerField(
        _("list 0 at or below"),
        default=0,
        help_text=_("Units left after the buffer at or below which the channel lists the item as sold out."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # The channel sets its own prices and collects the money (a marketplace): an order line below our listing is
    # placed and flagged for head office, never refused.
    pricing_authority = models.BooleanField(_("pricing authority"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")

    def __str__(self):
        return f"{self.code} · {self.name}"


class ApiKey(TimeStampedModel):
    """A client's credential for the REST API. Only a SHA-256 of the key is stored; the key itself is shown once.

    The kind says what the key may do and the owner whose data it sees (DESIGN.md section 13): a sales channel's
    key its channel's orders and reservations, a location's key its location's work, a carrier's key the parcels
    it carries, a care key cases, a head-office key reads across channels."""

    class Kind(models.TextChoices):
        CHANNEL = "channel", _("Sales channel")
        LOCATION = "location", _("Location (WMS, 3PL, store handheld)")
        CARRIER = "carrier", _("Carrier")
        CARE = "care", _("Customer care")
        HEAD_OFFICE = "head_office", _("Head office (read only)")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CHANNEL)
    channel = models.ForeignKey(SalesChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("location")
    )
    # The carrier's code as it appears on parcels (Fulfillment.carrier), e.g. BRT.
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            # Exactly the owner its kind needs, and no other: a key can never speak for two owners.
            models.CheckConstraint(
                condition=(
                    Q(kind="channel", channel__isnull=False, location__isnull=True, carrier="")
                    | Q(kind="location", channel__isnull=True, location__isnull=False, carrier="")
                    | Q(kind="carrier", channel__isnull=True, location__isnull=True, carrier__gt="")
                    | Q(kind__in=["care", "head_office"], channel__isnull=True, location__isnull=True, carrier="")
                ),
                name="api_key_owner_matches_kind",
            )
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.owner_label})"

    @property
    def owner_label(self) -> str:
        if self.kind == self.Kind.CHANNEL and self.channel is not None:
            return f"channel {self.channel.code}"
        if self.kind == self.Kind.LOCATION and self.location is not None:
            return f"location {self.location.code}"
        if self.kind == self.Kind.CARRIER:
            return f"carrier {self.carrier}"
        return self.kind

    @property
    def owner_name(self) -> str:
        """Whose key it is, as people read it on a timeline: "Negozio online Brunello (API)", "BRT (API)"."""
        if self.kind == self.Kind.CHANNEL and self.channel is not None:
            owner = self.channel.name
        elif self.kind == self.Kind.LOCATION and self.location is not None:
            owner = self.location.name
        elif self.kind == self.Kind.CARRIER:
            owner = self.carrier
        else:
            owner = self.get_kind_display()
        return gettext("%(owner)s (API)") % {"owner": f"{owner} · {self.name}" if self.name else owner}


class StoreMembership(TimeStampedModel):
    class Role(models.TextChoices):
        ASSOCIATE = "associate", _("Store associate")
        MANAGER = "manager", _("Store manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_memberships", verbose_name=_("user")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("location")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ASSOCIATE)

    class Meta:
        verbose_name = _("store membership")
        verbose_name_plural = _("store memberships")
        constraints = [models.UniqueConstraint(fields=["user", "location"], name="unique_store_membership")]

    def __str__(self):
        return f"{self.user} @ {self.location.code} ({self.role})"


class AuditEntry(models.Model):
    """What a customer-care agent or head office did, read-only: who, when, what, on which record, before → after,
    and why. Written by the console's services next to the record's own timeline event."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        verbose_name=_("who"),
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("API key")
    )
    action = models.CharField(_("what"), max_length=60)
    # The record acted on, as people name it: "order:BR-7KQ3X9M2", "case:12", "customer:5".
    target = models.CharField(_("on"), max_length=80, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"
