"""The one shape of a state change (orders' parcels, reservations and returns, care's cases and store tasks): the
row's transition table allows the move or it is a 409, the row takes the new status and what comes with it (a
timestamp), is saved, and the move writes its event row. Each caller locks its row first (orders/locks.py)."""

from omnichannel.errors import InvalidTransition


def apply_transition(row, *, to: str, table: dict, record, changes: dict | None = None, fields=()):
    """Move `row` to `to` if `table[row.status]` allows it; `changes`: other attributes it takes with the move;
    `fields`: attributes the caller already set that are saved with it. Returns what `record(to)` writes (the
    event row)."""
    allowed = table.get(row.status, set())
    if to not in allowed:
        raise InvalidTransition(current=row.status, wanted=to, allowed=allowed)
    row.status = to
    for name, value in (changes or {}).items():
        setattr(row, name, value)
    row.save(update_fields=["status", *(changes or {}), *fields, "updated_at"])
    return record(to)
