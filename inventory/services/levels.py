"""Stock levels and the ledger: receipts, adjustments, counts (one and in bulk), safety stock."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.errors import InvalidStockChange
from inventory.models import SKU, AvailabilityChange, StockLevel, StockMovement
from inventory.signals import stock_changed
from omnichannel.db import rows_source
from stores.actors import actor_fields
from stores.models import Location

Reason = StockMovement.Reason


def stock_moved(level_ids, *, logged: bool = False) -> None:
    """Every path that writes a stock row calls this, in its transaction, with the rows' ids: the one place
    where what the channels may sell is known to have moved. The channels' change log gets a row per stock row
    (one INSERT … SELECT; `logged`: the caller's own statement wrote them), and `inventory.signals.stock_changed`
    is sent."""
    level_ids = sorted(set(level_ids))
    if not level_ids:
        return
    if logged:
        stock_changed.send(sender=StockLevel, level_ids=frozenset(level_ids))
        return
    source, params = rows_source([("id", "bigint")], [(level_id,) for level_id in level_ids])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AvailabilityChange._meta.db_table} (location_id, sku_id, txid, at) "
            f"SELECT s.location_id, s.sku_id, {_current_txid()}, %s FROM {StockLevel._meta.db_table} s "
            f"JOIN {source} ON s.id = v.id",
            [timezone.now(), *params],
        )
    stock_changed.send(sender=StockLevel, level_ids=frozenset(level_ids))


def prune_availability_changes(*, now=None) -> int:
    """Scheduled job: the channel change log keeps AVAILABILITY_FEED_RETENTION (older cursors are refused with
    410 anyway). One DELETE."""
    before = (now or timezone.now()) - settings.AVAILABILITY_FEED_RETENTION
    deleted, _rows = AvailabilityChange.objects.filter(at__lt=before).delete()
    return deleted


def _current_txid() -> str:
    """SQL for the writing transaction's id: PostgreSQL's xid8 (assigned at the first write, ordered), 0 on SQLite."""
    return "pg_current_xact_id()::text::bigint" if connection.vendor == "postgresql" else "0"


def log_policy_change(*, sku_ids, location_id: int | None = None) -> None:
    """What a channel may sell moved without a stock write (a SKU or location deactivated, a listing published or
    not, a channel's buffer or sources): the change log gets a row per SKU, in the caller's transaction."""
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return
    now = timezone.now()
    source, params = rows_source([("sku_id", "bigint")], [(sku_id,) for sku_id in sku_ids])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AvailabilityChange._meta.db_table} (location_id, sku_id, txid, at) "
            f"SELECT %s, v.sku_id, {_current_txid()}, %s FROM {source}",
            [location_id, now, *params],
        )


def _stock_level_for_update(*, location_id: int, sku_id: int) -> StockLevel:
    """The (location, sku) row, created at zero if missing, locked for this transaction."""
    try:
        with transaction.atomic():
            StockLevel.objects.get_or_create(location_id=location_id, sku_id=sku_id)
    except IntegrityError:
        pass  # created meanwhile by a concurrent transaction: it exists now, which is all we need
    return StockLevel.objects.select_for_update(no_key=True).get(location_id=location_id, sku_id=sku_id)


def _change_on_hand(
    *,
    level: StockLevel,
    delta: int,
    reason: str,
    reference: str = "",
    note: str = "",
    actor=None,
) -> StockMovement:
    """Apply `delta` to a locked stock level and write its ledger row."""
    new_on_hand = level.on_hand + delta
    if new_on_hand < 0:
        raise InvalidStockChange(
            _("On hand cannot go below zero (on hand %(on_hand)s, change %(delta)s).")
            % {"on_hand": level.on_hand, "delta": delta},
            details={"on_hand": level.on_hand, "delta": delta},
        )
    if new_on_hand < level.committed:
        raise InvalidStockChange(
            _("On hand cannot go below the %(committed)s units committed to orders and reservations.")
            % {"committed": level.committed},
            details={"on_hand": level.on_hand, "committed": level.committed, "delta": delta},
        )
    level.on_hand = new_on_hand
    level.save(update_fields=["on_hand", "updated_at"])
    stock_moved([level.pk])
    return StockMovement.objects.create(
        location_id=level.location_id,
        sku_id=level.sku_id,
        delta_on_hand=delta,
        on_hand_after=new_on_hand,
        reason=reason,
        reference=reference,
        note=note[:200],
        **actor_fields(actor),
    )


def receive_stock(
    *, location: Location, sku: SKU, quantity: int, reference: str = "", actor=None, reason: str = Reason.RECEIPT
) -> StockMovement:
    """Units arrive at `location` (a delivery, a transfer in, a resellable return): one SKU of `receive_units`."""
    (movement,) = receive_units(
        location=location, lines=[(sku.pk, quantity)], reason=reason, reference=reference, actor=actor
    )
    return movement


@transaction.atomic
def receive_units(
    *, location: Location, lines: Sequence[tuple[int, int]], reason: str, reference: str = "", actor=None
) -> list[StockMovement]:
    """Several SKUs arrive at one location at once (a return counted in, a transfer booked in): `lines` is
    [(sku id, quantity)]. Set-based whatever the number of lines: the missing rows inserted in one statement, the
    rows locked in (location, sku) order by one SELECT, on-hand raised by one UPDATE, the ledger in one INSERT."""
    if reason not in (Reason.RECEIPT, Reason.TRANSFER_IN, Reason.RETURN):
        raise InvalidStockChange(_("A receipt's reason must be receipt, transfer in or return."))
    wanted: dict[int, int] = defaultdict(int)
    for sku_id, quantity in lines:
        if not isinstance(quantity, int) or quantity <= 0:
            raise InvalidStockChange(_("A receipt must add at least one unit."), details={"quantity": quantity})
        wanted[sku_id] += quantity
    if not wanted:
        return []
    StockLevel.objects.bulk_create(
        [StockLevel(location_id=location.pk, sku_id=sku_id) for sku_id in sorted(wanted)], ignore_conflicts=True
    )
    levels = list(
        StockLevel.objects.select_for_update(no_key=True)
        .filter(location_id=location.pk, sku_id__in=list(wanted))
        .order_by("location_id", "sku_id")
    )
    now = timezone.now()
    _set_on_hand_bulk([(level.pk, level.on_hand + wanted[level.sku_id]) for level in levels], now=now)
    stock_moved(level.pk for level in levels)
    return StockMovement.objects.bulk_create(
        [
            StockMovement(
                location_id=location.pk,
                sku_id=level.sku_id,
                delta_on_hand=wanted[level.sku_id],
                on_hand_after=level.on_hand + wanted[level.sku_id],
                reason=reason,
                reference=reference,
                **actor_fields(actor),
                at=now,
            )
            for level in levels
        ]
    )


ADJUSTMENT_REASONS = (Reason.ADJUSTMENT, Reason.DAMAGED, Reason.POS_SALE, Reason.TRANSFER_OUT, Reason.RETURN)


@transaction.atomic
def adjust_stock(
    *,
    location: Location,
    sku: SKU,
    delta: int,
    note: str,
    reason: str = Reason.ADJUSTMENT,
    reference: str = "",
    actor=None,
) -> StockMovement:
    """Correct on-hand by `delta` for a stated reason (damaged, found, sold in store without the OMS, …)."""
    if delta == 0:
        raise InvalidStockChange(_("An adjustment must change the stock."))
    if not (note or "").strip():
        raise InvalidStockChange(_("Say why the stock is adjusted."))
    if reason not in ADJUSTMENT_REASONS:
        raise InvalidStockChange(
            _("Not an adjustment reason: %(reason)s.") % {"reason": reason},
            details={"allowed": list(ADJUSTMENT_REASONS)},
        )
    level = _stock_level_for_update(location_id=location.pk, sku_id=sku.pk)
    return _change_on_hand(level=level, delta=delta, reason=reason, reference=reference, note=note, actor=actor)


@transaction.atomic
def set_counted_stock(
    *, location: Location, sku: SKU, counted: int, reference: str = "", actor=None
) -> StockMovement | None:
    """A count found `counted` units: on-hand becomes that, the difference is a `count` movement.

    Returns None when the count agrees with the books (nothing to write).
    """
    if counted < 0:
        raise InvalidStockChange(_("A count cannot be negative."), details={"counted": counted})
    level = _stock_level_for_update(location_id=location.pk, sku_id=sku.pk)
    delta = counted - level.on_hand
    if delta == 0:
        return None
    return _change_on_hand(level=level, delta=delta, reason=Reason.COUNT, reference=reference, actor=actor)


@dataclass
class CountLine:
    line_number: int
    location_id: int
    sku_id: int
    counted: int


@dataclass
class BulkCountResult:
    applied: int = 0
    unchanged: int = 0
    created_levels: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def _locked_levels(chunk: Sequence[CountLine]) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(location, sku) → (level id, on hand, committed) of the chunk's existing rows, locked in lock order."""
    skus_by_location: dict[int, list[int]] = defaultdict(list)
    for line in chunk:
        skus_by_location[line.location_id].append(line.sku_id)
    # Exactly the chunk's pairs (one `location AND sku IN (…)` term per location).
    pairs = Q()
    for location_id, sku_ids in skus_by_location.items():
        pairs |= Q(location_id=location_id, sku_id__in=sku_ids)
    return {
        (location_id, sku_id): (level_id, on_hand, committed)
        for level_id, location_id, sku_id, on_hand, committed in StockLevel.objects.select_for_update(no_key=True)
        .filter(pairs)
        .order_by("location_id", "sku_id")
        .values_list("id", "location_id", "sku_id", "on_hand", "committed")
    }


@transaction.atomic
def apply_counts(
    *, lines: Sequence[CountLine], reference: str = "", actor=None, skip_invalid: bool = False, progress=None
) -> BulkCountResult:
    """Set on-hand for many (location, sku) pairs at once, with bulk writes (imports, RFID counts).

    Rows are locked in (location id, sku id) order, the same order holds use, so an import running beside live
    orders waits rather than deadlocks. A count below what is committed cannot be applied (the units are
    promised): such a line is rejected, and unless `skip_invalid` the whole call writes nothing.
    `progress(n)` is called as lines are processed.
    """
    result = BulkCountResult()
    now = timezone.now()
    chunk_size = 2000
    ordered = sorted(lines, key=lambda line: (line.location_id, line.sku_id))
    movements: list[StockMovement] = []
    for start in range(0, len(ordered), chunk_size):
        chunk = ordered[start : start + chunk_size]
        existing = _locked_levels(chunk)
        to_create, to_update = [], []
        for line in chunk:
            level = existing.get((line.location_id, line.sku_id))
            if level is None:
                if line.counted:
                    to_create.append(StockLevel(location_id=line.location_id, sku_id=line.sku_id, on_hand=line.counted))
                    movements.append(_count_movement(line, delta=line.counted, reference=reference, actor=actor))
                else:
                    result.unchanged += 1
                continue
            level_id, on_hand, committed = level
            if line.counted < committed:
                result.rejected.append(
                    (
                        line.line_number,
                        str(
                            _("on_hand %(counted)s is below the %(committed)s units committed to orders")
                            % {"counted": line.counted, "committed": committed}
                        ),
                    )
                )
                continue
            if line.counted == on_hand:
                result.unchanged += 1
                continue
            to_update.append((level_id, line.counted))
            movements.append(_count_movement(line, delta=line.counted - on_hand, reference=reference, actor=actor))
        if to_create:
            StockLevel.objects.bulk_create(to_create, batch_size=1000)
            result.created_levels += len(to_create)
            stock_moved(level.pk for level in to_create if level.pk)
        if to_update:
            _set_on_hand_bulk(to_update, now=now)
            stock_moved(level_id for level_id, _on_hand in to_update)
        result.applied += len(to_create) + len(to_update)
        if progress:
            progress(len(chunk))
    if result.rejected and not skip_invalid:
        # Every chunk was checked so the caller learns every bad line; raising rolls all writes back.
        raise InvalidStockChange(
            _("%(n)s lines cannot be applied; nothing was written.") % {"n": len(result.rejected)},
            details={"lines": [{"line": n, "reason": r} for n, r in result.rejected]},
        )
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    return result


def _set_on_hand_bulk(rows: list[tuple[int, int]], *, now) -> None:
    """on_hand = new value for [(stock level id, new on_hand)], as one set-based UPDATE … FROM (rows_source):
    far cheaper than bulk_update's CASE expression or one UPDATE per row. Callers hold the rows' locks."""
    if not rows:
        return
    table = StockLevel._meta.db_table
    source, params = rows_source([("id", "bigint"), ("on_hand", "integer")], rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET on_hand = v.on_hand, updated_at = %s FROM {source} WHERE {table}.id = v.id",
            [now, *params],
        )


MOVEMENT_COLUMNS = [
    ("location_id", "bigint"),
    ("sku_id", "bigint"),
    ("delta_on_hand", "integer"),
    ("on_hand_after", "integer"),
    ("reason", "text"),
    ("reference", "text"),
    ("note", "text"),
    ("actor_id", "bigint"),
    ("api_key_id", "bigint"),
    ("at", "timestamptz"),
]


def insert_movement_rows(rows: list[tuple]) -> None:
    """Ledger rows in one INSERT, as tuples in MOVEMENT_COLUMNS' order: for the feeds that book hundreds of lines a
    request (till batches), where building a model instance per row cost more than the INSERT."""
    if not rows:
        return
    table = StockMovement._meta.db_table
    names = ", ".join(name for name, _type in MOVEMENT_COLUMNS)
    source, params = rows_source(MOVEMENT_COLUMNS, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {source}", params)


def _count_movement(line: CountLine, *, delta: int, reference: str, actor) -> StockMovement:
    return StockMovement(
        location_id=line.location_id,
        sku_id=line.sku_id,
        delta_on_hand=delta,
        on_hand_after=line.counted,
        reason=Reason.COUNT,
        reference=reference,
        **actor_fields(actor),
        at=timezone.now(),
    )


@transaction.atomic
def set_safety_stock(*, location: Location, sku: SKU, safety_stock: int) -> StockLevel:
    if safety_stock < 0:
        raise InvalidStockChange(_("Safety stock cannot be negative."))
    level = _stock_level_for_update(location_id=location.pk, sku_id=sku.pk)
    level.safety_stock = safety_stock
    level.save(update_fields=["safety_stock", "updated_at"])
    stock_moved([level.pk])
    return level
