"""Holds: units promised to orders, reservations and transfers, taken and closed without oversell."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.errors import HoldNotOpen, InsufficientStock, InvalidStockChange
from inventory.models import SKU, AvailabilityChange, StockHold, StockLevel
from inventory.services.levels import Reason, _change_on_hand, _current_txid, stock_moved
from stores.models import Location


@dataclass(frozen=True)
class HoldLine:
    location_id: int
    sku_id: int
    quantity: int


def _as_hold_lines(lines: Iterable) -> list[HoldLine]:
    """Accept (location, sku, qty) with model instances or ids; merge repeated pairs; sort for lock order."""
    merged: dict[tuple[int, int], int] = defaultdict(int)
    for location, sku, quantity in lines:
        location_id = getattr(location, "pk", location)
        sku_id = getattr(sku, "pk", sku)
        if not isinstance(quantity, int) or quantity <= 0:
            raise InvalidStockChange(
                _("Hold quantities must be positive whole numbers."), details={"quantity": quantity}
            )
        merged[(location_id, sku_id)] += quantity
    # Fixed order (location id, sku id): two transactions holding the same rows never wait on each other
    # in a cycle, whatever order their callers listed the lines in.
    return [HoldLine(loc, sku, qty) for (loc, sku), qty in sorted(merged.items())]


def hold_stock(
    *,
    lines: Iterable,
    kind: str,
    reference: str,
    expires_at=None,
    respect_safety_stock: bool = True,
    savepoint: bool = True,
) -> list[StockHold]:
    """Hold every line or none: `lines` is [(location, sku, quantity)], locations and SKUs as rows or ids.

    Every stock row is changed by **one** conditional statement that finds the rows by (location, sku), locks them
    in that order (the one lock order of every stock write) and returns the ids of those it granted, which are
    compared with the lines: when any is short, `InsufficientStock` (per-line requested/available) is raised and
    nothing of the call stays: by default its own savepoint rolls back; with `savepoint=False` (placement, which
    rolls its whole transaction back and re-plans) the surrounding atomic block is marked for rollback instead.
    Returns the holds in lock order, each with `location_id` and `sku_id` attributes set.
    Queries: 1 + 1 (the INSERT of the holds).
    """
    if kind not in StockHold.Kind.values:
        raise InvalidStockChange(_("Unknown hold kind: %(kind)s.") % {"kind": kind})
    hold_lines = _as_hold_lines(lines)
    if not hold_lines:
        raise InvalidStockChange(_("Nothing to hold."))
    with transaction.atomic(savepoint=savepoint):
        granted = _commit_units(hold_lines, respect_safety_stock=respect_safety_stock)
        shortfalls = [line for line in hold_lines if (line.location_id, line.sku_id) not in granted]
        if shortfalls:
            raise InsufficientStock(_shortfall_details(shortfalls, respect_safety_stock=respect_safety_stock))
        # PostgreSQL wrote the change log in the hold's own statement.
        stock_moved(granted.values(), logged=connection.vendor == "postgresql")
        holds = []
        for line in hold_lines:
            hold = StockHold(
                stock_level_id=granted[(line.location_id, line.sku_id)],
                kind=kind,
                reference=reference,
                quantity=line.quantity,
                expires_at=expires_at,
            )
            # Callers match holds to their lines by these (not model fields: saves them a query).
            hold.location_id, hold.sku_id = line.location_id, line.sku_id
            holds.append(hold)
        return StockHold.objects.bulk_create(holds)


def _commit_units(hold_lines: list[HoldLine], *, respect_safety_stock: bool) -> dict[tuple[int, int], int]:
    """committed += quantity for each line whose stock row has the units free; the granted rows' ids by
    (location id, sku id). A line without a stock row is not granted.

    PostgreSQL: one statement: the rows are found by (location, sku) (the unique index) and locked in that order by
    a materialized CTE before the UPDATE touches them, so two transactions never wait on each other in a cycle.
    FOR NO KEY UPDATE, the lock a plain UPDATE takes: Django's foreign keys are checked at COMMIT (deferred) with
    FOR KEY SHARE on the rows they point to, which a FOR UPDATE would block (a committing placement's new holds
    point to these rows). SQLite (the zero-setup demo) serializes writers: one conditional UPDATE per row."""
    table = StockLevel._meta.db_table
    reserve = "s.committed + s.safety_stock" if respect_safety_stock else "s.committed"
    now = timezone.now()
    if connection.vendor != "postgresql":
        extra = F("safety_stock") if respect_safety_stock else 0
        granted = {}
        for line in hold_lines:
            level_id = (
                StockLevel.objects.filter(location_id=line.location_id, sku_id=line.sku_id)
                .values_list("id", flat=True)
                .first()
            )
            if level_id is None:
                continue
            free = StockLevel.objects.filter(pk=level_id, on_hand__gte=F("committed") + extra + line.quantity)
            if free.update(committed=F("committed") + line.quantity, updated_at=now):
                granted[(line.location_id, line.sku_id)] = level_id
        return granted
    values = ", ".join(["(%s::bigint, %s::bigint, %s::integer)"] * len(hold_lines))
    params = [value for line in hold_lines for value in (line.location_id, line.sku_id, line.quantity)]
    sql = (
        f"WITH wanted (location_id, sku_id, quantity) AS (VALUES {values}), "
        f"locked AS MATERIALIZED (SELECT s.id FROM {table} s JOIN wanted w USING (location_id, sku_id) "
        f"ORDER BY s.location_id, s.sku_id FOR NO KEY UPDATE OF s), "
        f"granted AS (UPDATE {table} AS s SET committed = s.committed + w.quantity, updated_at = %s "
        f"FROM wanted w WHERE s.location_id = w.location_id AND s.sku_id = w.sku_id "
        f"AND s.id IN (SELECT id FROM locked) AND s.on_hand >= {reserve} + w.quantity "
        f"RETURNING s.location_id, s.sku_id, s.id), "
        # The channels' change log in the same statement: no round trip more for placement.
        f"logged AS (INSERT INTO {AvailabilityChange._meta.db_table} (location_id, sku_id, txid, at) "
        f"SELECT location_id, sku_id, {_current_txid()}, %s FROM granted) "
        f"SELECT location_id, sku_id, id FROM granted"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, now])
        return {(location_id, sku_id): level_id for location_id, sku_id, level_id in cursor.fetchall()}


def _shortfall_details(shortfalls: list[HoldLine], *, respect_safety_stock: bool) -> list[dict]:
    levels = {
        (level.location_id, level.sku_id): level
        for level in StockLevel.objects.filter(
            location_id__in={line.location_id for line in shortfalls}, sku_id__in={line.sku_id for line in shortfalls}
        ).select_related("location", "sku")
    }
    missing_skus = dict(SKU.objects.filter(pk__in={line.sku_id for line in shortfalls}).values_list("pk", "code"))
    missing_locations = dict(
        Location.objects.filter(pk__in={line.location_id for line in shortfalls}).values_list("pk", "code")
    )
    details = []
    for line in shortfalls:
        level = levels.get((line.location_id, line.sku_id))
        if level is None:
            available = 0
        else:
            reserved = level.committed + (level.safety_stock if respect_safety_stock else 0)
            available = max(level.on_hand - reserved, 0)
        details.append(
            {
                "sku": missing_skus.get(line.sku_id, str(line.sku_id)),
                "location": missing_locations.get(line.location_id, str(line.location_id)),
                "requested": line.quantity,
                "available": available,
            }
        )
    return details


def _locked_open_hold(hold: StockHold | int) -> StockHold:
    hold = StockHold.objects.select_for_update(no_key=True).get(pk=getattr(hold, "pk", hold))
    if hold.status != StockHold.Status.ACTIVE or hold.open_quantity == 0:
        raise HoldNotOpen(details={"hold": hold.pk, "status": hold.status})
    return hold


def _closing_quantity(hold: StockHold, quantity: int | None) -> int:
    quantity = hold.open_quantity if quantity is None else quantity
    if quantity <= 0 or quantity > hold.open_quantity:
        raise InvalidStockChange(
            _("Quantity must be between 1 and the %(open)s units still held.") % {"open": hold.open_quantity},
            details={"quantity": quantity, "open": hold.open_quantity},
        )
    return quantity


def _after_closing(hold: StockHold, final_status: str) -> None:
    if hold.open_quantity == 0:
        hold.status = final_status
        hold.closed_at = timezone.now()
    hold.save(update_fields=["released_quantity", "consumed_quantity", "status", "closed_at", "updated_at"])


@transaction.atomic
def release_hold(*, hold: StockHold | int, quantity: int | None = None) -> StockHold:
    """Give held units back to sale (cancel, expiry, short pick, re-route). All open units by default."""
    hold = _locked_open_hold(hold)
    quantity = _closing_quantity(hold, quantity)
    StockLevel.objects.filter(pk=hold.stock_level_id).update(
        committed=F("committed") - quantity, updated_at=timezone.now()
    )
    stock_moved([hold.stock_level_id])
    hold.released_quantity += quantity
    _after_closing(hold, StockHold.Status.RELEASED)
    return hold


def in_lock_order(items: Iterable, *, hold_of=lambda item: item) -> list:
    """`items` sorted by their hold's stock row (location id, sku id): the one order in which every path that
    changes several stock rows (hold, release, consume, cancel, expiry, short pick, counts) takes their locks, so
    two transactions never wait on each other in a cycle. One query for the rows' keys."""
    items = list(items)
    level_ids = {hold_of(item).stock_level_id for item in items if hold_of(item) is not None}
    keys = {
        pk: (location_id, sku_id)
        for pk, location_id, sku_id in StockLevel.objects.filter(pk__in=level_ids).values_list(
            "pk", "location_id", "sku_id"
        )
    }
    return sorted(
        items,
        key=lambda item: keys.get(hold_of(item).stock_level_id, (0, 0)) if hold_of(item) is not None else (0, 0),
    )


def release_active_holds(holds: Iterable[StockHold | None]) -> None:
    """Give back every unit still held by these holds (closing an order's fulfillment or a reservation), in
    lock order; holds already closed, or missing, are skipped."""
    active = [hold for hold in holds if hold is not None and hold.status == StockHold.Status.ACTIVE]
    for hold in in_lock_order(active):
        release_hold(hold=hold)


CONSUME_REASONS = (Reason.SALE, Reason.POS_SALE, Reason.TRANSFER_OUT)


@transaction.atomic
def record_short_pick(*, hold: StockHold | int, quantity: int, reference: str = "", actor=None) -> StockHold:
    """Picking did not find `quantity` held units: a stock fact, not a cancellation. The units leave the hold
    *and* the location's on-hand (`shortage` ledger row), so availability does not rise and they are never sold
    again; committed and on-hand fall together, so the row's CHECK constraints hold."""
    hold = _locked_open_hold(hold)
    quantity = _closing_quantity(hold, quantity)
    level = StockLevel.objects.select_for_update(no_key=True).get(pk=hold.stock_level_id)
    level.committed -= quantity
    level.save(update_fields=["committed", "updated_at"])
    _change_on_hand(
        level=level, delta=-quantity, reason=Reason.SHORTAGE, reference=reference or hold.reference, actor=actor
    )
    hold.released_quantity += quantity
    _after_closing(hold, StockHold.Status.RELEASED)
    return hold


@transaction.atomic
def consume_hold(
    *,
    hold: StockHold | int,
    quantity: int | None = None,
    reason: str = Reason.SALE,
    reference: str = "",
    actor=None,
) -> StockHold:
    """The held units leave the location (shipped, handed over, sold in store): on-hand and committed go down."""
    if reason not in CONSUME_REASONS:
        raise InvalidStockChange(_("Not a reason for units leaving: %(reason)s.") % {"reason": reason})
    hold = _locked_open_hold(hold)
    quantity = _closing_quantity(hold, quantity)
    level = StockLevel.objects.select_for_update(no_key=True).get(pk=hold.stock_level_id)
    level.committed -= quantity
    level.save(update_fields=["committed", "updated_at"])
    _change_on_hand(level=level, delta=-quantity, reason=reason, reference=reference or hold.reference, actor=actor)
    hold.consumed_quantity += quantity
    _after_closing(hold, StockHold.Status.CONSUMED)
    return hold
