"""The read replica's state on the admin's front page (head office sees when reads went back to the primary)."""

from django import template

from omnichannel import replica

register = template.Library()


@register.simple_tag
def replica_status() -> dict | None:
    """None without a replica; else its lag (None: unreachable) and whether reads are served there."""
    if not replica.configured():
        return None
    health = replica.replica_health()
    return {"lag_seconds": health.lag_seconds, "serving": health.usable}
