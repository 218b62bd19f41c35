"""Every write to stock rows (`StockLevel`, `StockHold`, `StockMovement`) happens here.

The no-oversell contract (DESIGN.md section 5):
- A hold is one conditional `UPDATE … SET committed = committed + q WHERE on_hand - committed - safety >= q`
  per stock row: one row updated = granted, none = not enough. Nothing reads then writes.
- Rows of one call are touched in (location id, sku id) order, so two concurrent calls wait for each other
  instead of deadlocking.
- Every change of `on_hand` writes a `StockMovement` in the same transaction.
- The CHECK constraints on `StockLevel` refuse any oversell a bug here might still attempt.
"""

from inventory.errors import HoldNotOpen, InsufficientStock, InvalidStockChange
from inventory.services.catalog import upsert_catalog
from inventory.services.counts import (
    approve_count_discrepancies,
    count_one_sku,
    reconcile_count,
    record_count,
)
from inventory.services.holds import (
    CONSUME_REASONS,
    HoldLine,
    consume_hold,
    hold_stock,
    in_lock_order,
    record_short_pick,
    release_active_holds,
    release_hold,
)
from inventory.services.levels import (
    ADJUSTMENT_REASONS,
    BulkCountResult,
    CountLine,
    adjust_stock,
    apply_counts,
    log_policy_change,
    prune_availability_changes,
    receive_stock,
    receive_units,
    set_counted_stock,
    set_safety_stock,
)
from inventory.services.till import LockedRow, TillMove, book_till_moves, lock_receipts, lock_stock_rows

__all__ = [
    "ADJUSTMENT_REASONS",
    "CONSUME_REASONS",
    "BulkCountResult",
    "CountLine",
    "HoldLine",
    "HoldNotOpen",
    "InsufficientStock",
    "InvalidStockChange",
    "LockedRow",
    "TillMove",
    "adjust_stock",
    "approve_count_discrepancies",
    "count_one_sku",
    "reconcile_count",
    "record_count",
    "book_till_moves",
    "lock_receipts",
    "lock_stock_rows",
    "apply_counts",
    "log_policy_change",
    "prune_availability_changes",
    "consume_hold",
    "hold_stock",
    "receive_stock",
    "receive_units",
    "in_lock_order",
    "release_active_holds",
    "record_short_pick",
    "release_hold",
    "set_counted_stock",
    "set_safety_stock",
    "upsert_catalog",
]
