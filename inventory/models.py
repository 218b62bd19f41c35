"""Catalog and stock truth.

Stock rows (`StockLevel`, `StockHold`, `StockMovement`) are written only by `inventory.services`; the CHECK
constraints below are the last guard against an oversell even if a service had a bug.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from stores.models import ApiKey, Location, SalesChannel


class Product(TimeStampedModel):
    style = models.CharField(_("style"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["style"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.style} · {self.name}"


class SKU(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus", verbose_name=_("product"))
    code = models.CharField(_("SKU"), max_length=64, unique=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True, db_index=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        indexes = [
            # Availability looks SKUs up by code and needs only id and active: an index-only scan instead of
            # a heap page per SKU (docs/benchmarks.md). The catalog is rarely written, so it costs little.
            models.Index(fields=["code"], include=["id", "active"], name="sku_code_availability"),
        ]
        constraints = [
            # An RFID read names a GTIN: it must lead to one SKU (DESIGN.md section 5).
            models.UniqueConstraint(fields=["gtin"], condition=~Q(gtin=""), name="unique_sku_gtin"),
        ]

    def __str__(self):
        return self.code

    @property
    def customer_name(self) -> str:
        """The item as the customer knows it ("T-shirt girocollo (Nero, M)"), for messages and care (load the
        product with it)."""
        return f"{self.product.name} ({self.colour}, {self.size})"

    @property
    def size_rank(self) -> float | None:
        """Where the size falls from small to large (letters XXS…XXXL, or the number of a numbered size); None
        when the size is neither (one size, a free label)."""
        size = self.size.strip().upper()
        if size in LETTER_SIZES:
            return LETTER_SIZES.index(size)
        try:
            return float(size.replace(",", "."))
        except ValueError:
            return None

    def closeness_to(self, other: "SKU") -> tuple:
        """How good a stand-in this SKU is for `other` (smaller is better): the same colour first, then the nearest
        size, the next size up before the one below (a size up still fits)."""
        mine, theirs = self.size_rank, other.size_rank
        step = abs(mine - theirs) if mine is not None and theirs is not None else float("inf")
        below = mine is not None and theirs is not None and mine < theirs
        return (self.colour.casefold() != other.colour.casefold(), step, below, self.code)


LETTER_SIZES = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]


class ChannelListing(TimeStampedModel):
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="listings", verbose_name=_("SKU"))
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.CASCADE, related_name="listings", verbose_name=_("sales channel")
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("channel listing")
        verbose_name_plural = _("channel listings")
        constraints = [
            models.UniqueConstraint(fields=["sku", "channel"], name="unique_listing_per_channel"),
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.sku.code} @ {self.channel.code}: {self.price} {self.currency}"


def has_stock_to_sell(prefix: str = "") -> Q:
    """Stock rows with units to sell beyond safety stock: the predicate of the partial covering index
    `stocklevel_available`, so a query filtering on it reads that index alone. `prefix`: the path to the stock row
    from another model ("stock_levels__")."""
    return Q(**{f"{prefix}on_hand__gt": F(f"{prefix}committed") + F(f"{prefix}safety_stock")})


class StockLevelQuerySet(models.QuerySet):
    def with_available(self):
        """`available` = on_hand - committed - safety_stock, as the database computes it (may be negative)."""
        return self.annotate(available_raw=F("on_hand") - F("committed") - F("safety_stock"))


class StockLevel(TimeStampedModel):
    """Units of one SKU at one location. `committed` = units held for orders, reservations, transfers."""

    # No single-column indexes: (location, sku) is unique and (sku, location) covers availability reads.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_levels", db_index=False, verbose_name=_("location")
    )
    sku = models.ForeignKey(
        SKU, on_delete=models.PROTECT, related_name="stock_levels", db_index=False, verbose_name=_("SKU")
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    committed = models.IntegerField(_("committed"), default=0)
    # Units a store keeps for walk-in customers: never offered to remote channels.
    safety_stock = models.IntegerField(_("safety stock"), default=0)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["location", "sku"], name="unique_stock_level"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="stock_committed_not_negative"),
            models.CheckConstraint(condition=Q(committed__lte=F("on_hand")), name="stock_committed_within_on_hand"),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="stock_safety_not_negative"),
        ]
        indexes = [
            # "Where is this SKU": availability reads become index-only scans, one SKU's rows on one or two
            # index pages instead of one heap page per location. The price: committed/on_hand updates also
            # touch this index (no HOT update), acceptable as availability reads far outnumber stock writes.
            models.Index(
                fields=["sku", "location"],
                include=["on_hand", "committed", "safety_stock"],
                name="stocklevel_sku_location",
            ),
            # The same, for the rows that have something to sell: availability's one query reads ~22 entries
            # per SKU instead of one per location (60 in the benchmark network). A stock write adds an entry
            # here only while the row is available; the full index above still serves sourcing and lookups.
            models.Index(
                fields=["sku", "location"],
                include=["on_hand", "committed", "safety_stock"],
                condition=has_stock_to_sell(),
                name="stocklevel_available",
            ),
        ]

    def __str__(self):
        return f"{self.sku_id}@{self.location_id}: {self.on_hand} on hand, {self.committed} committed"

    @property
    def available(self) -> int:
        return max(self.on_hand - self.committed - self.safety_stock, 0)


class StockHold(TimeStampedModel):
    """Units of a stock level promised to something (an order line, a reservation, a transfer).

    Open units = quantity - released_quantity - consumed_quantity; the sum of open units of a stock level's
    active holds equals its `committed`.
    """

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Order allocation")
        RESERVATION = "reservation", _("Store reservation")
        TRANSFER = "transfer", _("Transfer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        CONSUMED = "consumed", _("Consumed")

    # `hold_stock` sets these on the holds it returns, so callers match holds to lines without a query: the pair
    # held, not columns (the stock level says it).
    location_id: int
    sku_id: int

    stock_level = models.ForeignKey(
        StockLevel, on_delete=models.PROTECT, related_name="holds", verbose_name=_("stock level")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the hold is for, e.g. "order:A1B2-0042:line:7" or "reservation:R-0012".
    reference = models.CharField(_("reference"), max_length=120, db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    released_quantity = models.PositiveIntegerField(_("released"), default=0)
    consumed_quantity = models.PositiveIntegerField(_("consumed"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock hold")
        verbose_name_plural = _("stock holds")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="hold_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("released_quantity") + F("consumed_quantity")),
                name="hold_closed_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="hold_status_expiry")]

    def __str__(self):
        return f"{self.kind} {self.reference}: {self.open_quantity}/{self.quantity}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.released_quantity - self.consumed_quantity


class StockMovement(models.Model):
    """Append-only ledger: every change of a stock level's `on_hand` writes one row."""

    class Reason(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        SALE = "sale", _("Sale (online order)")
        POS_SALE = "pos_sale", _("Sale in store")
        POS_RETURN = "pos_return", _("Return at the till")
        RETURN = "return", _("Return")
        ADJUSTMENT = "adjustment", _("Adjustment")
        COUNT = "count", _("Stock count")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        DAMAGED = "damaged", _("Damaged")
        # Units held for an order that picking did not find: they were never there.
        SHORTAGE = "shortage", _("Short pick (not found)")

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("location")
    )
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("SKU"))
    delta_on_hand = models.IntegerField(_("change"))
    on_hand_after = models.IntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The API key of the WMS, handheld or channel whose request moved the stock (no user then).
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("API key")
    )
    # When the units moved: now, except for a till receipt that arrives late (an offline till), which keeps the
    # moment it was rung up, so a count knows whether the sale was before or after its start.
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["location", "sku", "at"], name="movement_location_sku_at"),
            # The week's short picks (network page, store scorecards) among ~1 M movements a week at 100 M rows: only
            # shortages are in it, so reading them does not walk the week's sales (docs/benchmarks.md).
            models.Index(fields=["at"], condition=models.Q(reason="shortage"), name="movement_shortage_at"),
        ]

    def __str__(self):
        return f"{self.reason} {self.delta_on_hand:+d} → {self.on_hand_after}"


class TillRegister(TimeStampedModel):
    """A till of a location, recorded the first time it sends receipts (head office sees each one's last)."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="till_registers", verbose_name=_("location")
    )
    code = models.CharField(_("register"), max_length=20)
    last_receipt = models.CharField(_("last receipt"), max_length=40, blank=True)
    last_receipt_at = models.DateTimeField(_("last receipt at"), null=True, blank=True)

    class Meta:
        ordering = ["location", "code"]
        verbose_name = _("till register")
        verbose_name_plural = _("till registers")
        constraints = [models.UniqueConstraint(fields=["location", "code"], name="unique_till_register")]

    def __str__(self):
        return f"{self.location_id}/{self.code}"


class PosReceiptLine(models.Model):
    """One line of a till receipt, applied exactly once: the unique (location, register, receipt, line) makes a
    resent batch, or the same batch sent twice at once, change nothing (DESIGN.md section 5)."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("location")
    )
    register = models.CharField(_("register"), max_length=20)
    receipt = models.CharField(_("receipt"), max_length=40)
    line = models.PositiveIntegerField(_("line"))
    # The article as the till named it; `sku` is set for stock lines (null for bags, gift cards, services).
    item = models.CharField(_("item"), max_length=64)
    sku = models.ForeignKey(
        SKU, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("SKU")
    )
    non_stock = models.BooleanField(_("not a stock item"), default=False)
    quantity = models.IntegerField(_("quantity"))  # negative: a return at the till
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    sold_at = models.DateTimeField(_("rung up at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # The click & reserve the line settled, and how many of its units that reservation's hold supplied (they left
    # stock through the reservation, not again through this line).
    reservation = models.CharField(_("reservation"), max_length=20, blank=True)
    reserved_units = models.IntegerField(_("units from the reservation"), default=0)
    # Units the till sold that the location's books did not have free (a stock discrepancy, recounted).
    quantity_unbooked = models.IntegerField(_("not in the books"), default=0)

    class Meta:
        ordering = ["location", "register", "receipt", "line"]
        verbose_name = _("till receipt line")
        verbose_name_plural = _("till receipt lines")
        # The KPI rollup finds the days a late till batch changed by when it arrived.
        indexes = [models.Index(fields=["received_at"], name="pos_line_received_at")]
        constraints = [
            models.UniqueConstraint(fields=["location", "register", "receipt", "line"], name="unique_pos_receipt_line"),
            models.CheckConstraint(condition=~Q(quantity=0), name="pos_line_quantity_not_zero"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="pos_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.register}/{self.receipt}/{self.line}: {self.quantity} × {self.item}"


class CountSession(TimeStampedModel):
    """A count of a location (the whole store, or a list of SKUs) by RFID reads or by hand, reconciled as of its
    start: the OMS's time when the session opened (the retail "frozen book quantity"). Movements recorded after
    the start (sales, receipts, holds consumed, returns) are kept; a till receipt rung up before it belongs to the
    book at start, however late it arrives (its own `at`)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Counting")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for the manager's approval")
        RECONCILED = "reconciled", _("Reconciled")

    class Source(models.TextChoices):
        RFID = "rfid", _("RFID reads")
        MANUAL = "manual", _("Counted by hand")
        CSV = "csv", _("CSV upload")
        TASK = "task", _("Recount task")

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="count_sessions", verbose_name=_("location")
    )
    code = models.CharField(_("count"), max_length=40)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # "store" (every SKU the location has: one not counted counts 0), or the SKU codes counted.
    whole_location = models.BooleanField(_("whole location"), default=False)
    scope_skus = models.JSONField(_("SKUs in scope"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    counted_skus = models.PositiveIntegerField(_("SKUs counted"), default=0)
    exact_skus = models.PositiveIntegerField(_("SKUs exactly right"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [models.UniqueConstraint(fields=["location", "code"], name="unique_count_per_location")]

    def __str__(self):
        return f"{self.code} @ {self.location_id}"

    @property
    def accuracy(self):
        """Share of counted SKUs whose books were exactly right (None before reconciliation)."""
        if self.reconciled_at is None or not self.counted_skus:
            return None
        return self.exact_skus / self.counted_skus


class CountRead(models.Model):
    """One EPC read in a count: read twice, it counts once (unique). An EPC of a GTIN the catalog does not know is
    kept (`sku` null) and listed, never guessed."""

    session = models.ForeignKey(CountSession, on_delete=models.CASCADE, related_name="reads", db_index=False)
    epc = models.CharField(_("EPC"), max_length=32)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    sku = models.ForeignKey(SKU, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "epc"], name="unique_epc_per_count")]

    def __str__(self):
        return self.epc


class CountedItem(models.Model):
    """One SKU of a count: what was counted, the book at the count's start, and the adjustment (counted − book at
    start) with its value; applied at once within tolerance, else waiting for the store manager's approval."""

    class Status(models.TextChoices):
        COUNTING = "counting", _("Counting")
        EXACT = "exact", _("Right")
        APPLIED = "applied", _("Applied")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        # A later count of the same item at the same location replaced this waiting difference.
        SUPERSEDED = "superseded", _("Replaced by a later count")

    class AdjustmentReason(models.TextChoices):
        COUNT = "count", _("Count difference")
        DAMAGE = "damage", _("Damaged")
        THEFT = "theft", _("Theft")
        FOUND = "found", _("Found")

    session = models.ForeignKey(CountSession, on_delete=models.CASCADE, related_name="items", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    counted = models.PositiveIntegerField(_("counted"), default=0)
    book_at_start = models.IntegerField(_("expected"), null=True, blank=True)
    adjustment = models.IntegerField(_("adjustment"), default=0)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.COUNTING)
    reason = models.CharField(
        _("reason"), max_length=10, choices=AdjustmentReason.choices, default=AdjustmentReason.COUNT
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["sku_id"]
        verbose_name = _("counted item")
        verbose_name_plural = _("counted items")
        constraints = [models.UniqueConstraint(fields=["session", "sku"], name="unique_sku_per_count")]
        indexes = [models.Index(fields=["status"], name="counted_item_status", condition=Q(status="awaiting_approval"))]

    def __str__(self):
        return f"{self.sku_id}: {self.counted} counted, {self.adjustment:+d}"


class AvailabilityChange(models.Model):
    """The change log the channel feed reads: one row per stock row (or policy) change, written in the same
    transaction as the change. Ordered by (transaction id, id): a reader returns only rows of transactions older
    than every transaction still in flight (`pg_snapshot_xmin`), so a change committed out of order is never
    skipped; rows are appended (a sequence, no counter row), so stock writes never queue on the log."""

    # The location whose stock moved; null for a change of policy that touches every location (an SKU deactivated).
    location = models.ForeignKey(Location, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The writing transaction's id (PostgreSQL's xid8; 0 on the SQLite demo, whose single writer commits in order).
    txid = models.BigIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("availability change")
        verbose_name_plural = _("availability changes")
        indexes = [
            models.Index(fields=["txid", "id"], name="availability_change_order"),
            models.Index(fields=["at"], name="availability_change_at"),
        ]

    def __str__(self):
        return f"{self.txid}/{self.pk}: {self.sku_id}@{self.location_id}"
