"""Stock rows for the shop floor's feeds: the rows a till batch touches locked at once, and its moves booked
set-based (one UPDATE, one INSERT per batch), never below what the location really has free."""

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from inventory.models import StockLevel
from inventory.services.levels import Reason, _set_on_hand_bulk, insert_movement_rows, stock_moved
from omnichannel.db import rows_source
from stores.actors import actor_fields


@dataclass
class LockedRow:
    """A stock row this transaction holds locked, with the numbers it had when locked."""

    id: int
    on_hand: int
    committed: int

    @property
    def free(self) -> int:
        """Units on the shelf nobody is promised: what a walk-in customer can buy (safety stock included: it is
        kept for exactly them)."""
        return self.on_hand - self.committed


def lock_stock_rows(*, pairs: Iterable[tuple[int, int]], create: Iterable[tuple[int, int]] = ()) -> dict:
    """Lock the stock rows of these (location id, sku id) pairs, in (location, sku) order (the one lock order of
    every stock write), by one SELECT … FOR NO KEY UPDATE; the rows of the `create` pairs are created at zero
    first (a till selling at a store whose row was never written; the caller knows them from its own read).
    Returns {(location id, sku id): LockedRow}; a pair without a row is left out. Everything this transaction then
    writes to these rows takes no new lock, so a path that must lock orders first and decide afterwards locks the
    rows here."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    create = sorted(set(create))
    if create:
        StockLevel.objects.bulk_create(
            [StockLevel(location_id=loc, sku_id=sku) for loc, sku in create], ignore_conflicts=True
        )
    table = StockLevel._meta.db_table
    source, params = rows_source([("location_id", "bigint"), ("sku_id", "bigint")], pairs)
    lock = "FOR NO KEY UPDATE OF s" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.location_id, s.sku_id, s.id, s.on_hand, s.committed FROM {table} s "
            f"JOIN {source} ON s.location_id = v.location_id AND s.sku_id = v.sku_id "
            f"ORDER BY s.location_id, s.sku_id {lock}",
            params,
        )
        return {(loc, sku): LockedRow(pk, on_hand, committed) for loc, sku, pk, on_hand, committed in cursor}


@dataclass
class TillMove:
    """Units of one till line: `quantity` > 0 sold, < 0 brought back; `at` when the till rang it up."""

    sku_id: int
    quantity: int
    at: object
    reference: str


def book_till_moves(*, location_id: int, moves: list[TillMove], rows: dict, actor=None) -> list[int]:
    """Book till lines on rows this transaction locked (`lock_stock_rows`, keyed (location id, sku id), with the
    numbers they have now): a sale takes units nobody is promised, never below the units committed to orders
    and reservations (the CHECKs stay true); a return puts units back. Returns, per move, the units the books
    did not have (0 when the sale fitted): the caller's stock discrepancy. One UPDATE of on-hand and one INSERT
    of ledger rows (`pos_sale` / `pos_return`, at the till's own moment) for the whole batch."""
    unbooked = []
    movements = []
    touched = {}
    who = actor_fields(actor)
    actor_id = who["actor"].pk if who.get("actor") is not None else None
    api_key_id = who.get("api_key_id")
    for move in moves:
        row = rows[(location_id, move.sku_id)]
        booked = min(move.quantity, max(row.free, 0)) if move.quantity > 0 else move.quantity
        unbooked.append(move.quantity - booked)
        if booked == 0:
            continue
        row.on_hand -= booked
        touched[row.id] = row.on_hand
        reason = (Reason.POS_SALE if booked > 0 else Reason.POS_RETURN).value
        movements.append(
            (
                location_id,
                move.sku_id,
                -booked,
                row.on_hand,
                reason,
                move.reference[:120],
                "",
                actor_id,
                api_key_id,
                move.at,
            )
        )
    if touched:
        _set_on_hand_bulk(sorted(touched.items()), now=timezone.now())
        insert_movement_rows(movements)
        stock_moved(touched)
    return unbooked


def lock_receipts(*, location_id: int, receipts: Iterable[str]) -> None:
    """A transaction-long lock per (location, till receipt number), taken by a till batch and by the store's
    "bought" button alike, so whichever of the two comes second sees the first's rows (PostgreSQL advisory locks,
    in key order; the SQLite demo has one writer at a time anyway). Taken before any row lock."""
    keys = sorted({zlib.crc32(f"till:{location_id}:{receipt}".encode()) - 2**31 for receipt in receipts})
    if keys and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7001, k) FROM unnest(%s::int[]) AS k ORDER BY k", [keys])
            cursor.fetchall()
