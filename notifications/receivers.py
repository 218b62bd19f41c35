from notifications import services
from orders.events import ReservationEventType, ReturnEventType


def notify_customer(sender, event, **kwargs):
    """orders.signals.order_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_order_event(event=event)


def notify_customer_of_reservation(sender, event, **kwargs):
    """orders.signals.reservation_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_reservation_event(event=event)


def notify_customer_of_return(sender, event, **kwargs):
    """orders.signals.return_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_return_event(event=event)


def webhook_order_status(sender, order, previous, status, **kwargs):
    """orders.signals.order_status_changed → the order's channel's `order.status_changed` webhooks."""
    from notifications import webhooks

    webhooks.queue_event(
        channel_id=order.channel_id,
        event_type="order.status_changed",
        data={"order": order.number, "external_id": order.external_id, "previous": previous, "status": status},
    )


def webhook_return_received(sender, event, **kwargs):
    if event.type != ReturnEventType.RECEIVED:
        return
    from notifications import webhooks

    return_request = event.return_request
    webhooks.queue_event(
        channel_id=return_request.channel_id,
        event_type="return.received",
        data={"return": return_request.number, "status": return_request.status, "lines": event.data.get("lines", [])},
    )


def webhook_reservation_expired(sender, event, **kwargs):
    if event.type != ReservationEventType.EXPIRED:
        return
    from notifications import webhooks

    reservation = event.reservation
    webhooks.queue_event(
        channel_id=reservation.channel_id,
        event_type="reservation.expired",
        data={"reservation": reservation.number, "location": reservation.location.code},
    )
