"""django-q2 tasks: take ids, call services; idempotent and safe to run twice at once."""

from notifications import services


def send_notification(pk: int) -> str:
    return services.send_notification(pk)


def sweep_outbox() -> dict:
    return services.sweep()
