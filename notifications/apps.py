from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Customer notifications")

    def ready(self):
        from notifications import receivers
        from orders.signals import order_event, order_status_changed, reservation_event, return_event

        order_event.connect(receivers.notify_customer, dispatch_uid="notifications-order-event")
        reservation_event.connect(
            receivers.notify_customer_of_reservation, dispatch_uid="notifications-reservation-event"
        )
        return_event.connect(receivers.notify_customer_of_return, dispatch_uid="notifications-return-event")
        # Channel webhooks, written in the same transaction as their cause.
        order_status_changed.connect(receivers.webhook_order_status, dispatch_uid="webhooks-order-status")
        return_event.connect(receivers.webhook_return_received, dispatch_uid="webhooks-return-received")
        reservation_event.connect(receivers.webhook_reservation_expired, dispatch_uid="webhooks-reservation-expired")
