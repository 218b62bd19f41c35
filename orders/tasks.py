"""django-q2 tasks of the orders app: thin wrappers over services, idempotent, safe to run twice at once."""

from orders import services


def expire_uncollected_pickups() -> int:
    """Pickups past their window become not collected; their stock goes back on sale."""
    return services.expire_uncollected_pickups()


def send_pickup_reminders() -> int:
    """Pickups close to their deadline get one reminder."""
    return services.send_pickup_reminders()


def expire_reservations() -> int:
    """Reservations past their hold become no-shows; their stock goes back on sale and the customer is told."""
    return services.expire_reservations()


def send_reservation_reminders() -> int:
    """Held reservations whose reminder is due get one, never at night in the store's time zone."""
    return services.send_reservation_reminders()


def flag_overdue_parcels() -> int:
    """Ship-to-store parcels not received by their due time: one `parcel_overdue` event each (a case follows)."""
    return services.flag_overdue_parcels()


def flag_overdue_returns() -> int:
    """Courier and locker returns not received in time: one `overdue` event each (a case follows)."""
    return services.flag_overdue_returns()
