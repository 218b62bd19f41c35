"""django-q2 tasks: take ids, call services; idempotent and safe to run twice at once."""

from notifications import services


def send_notification(pk: int) -> str:
    return services.send_notification(pk)


def send_notifications(ids: list[int]) -> list[str]:
    """The messages one change queued (an order's email and SMS), sent one after the other."""
    return [services.send_notification(pk) for pk in ids]


def sweep_outbox() -> dict:
    return services.sweep()


def deliver_webhook(delivery_id: int) -> str | None:
    from notifications import webhooks

    return webhooks.deliver(delivery_id)


def sweep_webhooks() -> int:
    from notifications import webhooks

    return webhooks.sweep_webhooks()


def push_availability_changes() -> int:
    from notifications import webhooks

    return webhooks.push_availability_changes()
