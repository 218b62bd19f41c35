"""Scheduled jobs of the inventory app (django-q2): thin, idempotent, safe to run twice at once."""

from inventory import services


def prune_availability_changes() -> int:
    return services.prune_availability_changes()
