"""Scheduled jobs of the inventory app (django-q2): thin, idempotent, safe to run twice at once."""

from inventory import services


def prune_availability_changes() -> int:
    return services.prune_availability_changes()


def ensure_ledger_partitions() -> list[str]:
    from inventory.services.ledger_partitions import ensure_ledger_partitions

    return ensure_ledger_partitions()
