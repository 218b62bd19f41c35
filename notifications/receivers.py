from notifications import services


def notify_customer(sender, event, **kwargs):
    """orders.signals.order_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_order_event(event=event)


def notify_customer_of_reservation(sender, event, **kwargs):
    """orders.signals.reservation_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_reservation_event(event=event)


def notify_customer_of_return(sender, event, **kwargs):
    """orders.signals.return_event → the customer's messages, in the same transaction as the event."""
    services.queue_for_return_event(event=event)
