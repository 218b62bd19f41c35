from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Customer notifications")

    def ready(self):
        from notifications import receivers
        from orders.signals import order_event, reservation_event, return_event

        order_event.connect(receivers.notify_customer, dispatch_uid="notifications-order-event")
        reservation_event.connect(
            receivers.notify_customer_of_reservation, dispatch_uid="notifications-reservation-event"
        )
        return_event.connect(receivers.notify_customer_of_return, dispatch_uid="notifications-return-event")
