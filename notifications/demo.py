"""The demo's part of the outbox: the past reservations the demo dates back were told at the time, so their
messages are sent then, not queued now (a seeder of `manage.py seed_demo`, after orders.reservation_demo)."""

from django.db import transaction

from notifications.models import Notification
from notifications.rendering import render_notification
from notifications.webhook_models import WebhookEndpoint
from orders.models import Reservation
from orders.reservations.demo import DEMO_DOMAIN
from stores.models import SalesChannel


@transaction.atomic
def seed(stdout) -> None:
    history = Reservation.objects.filter(customer__email__endswith=DEMO_DOMAIN, closed_at__isnull=False)
    for reservation in history.only("pk", "created_at", "closed_at"):
        told = Notification.objects.filter(reservation=reservation).exclude(status=Notification.Status.SENT)
        for message in told.filter(rendered_at__isnull=True):
            render_notification(message)  # their words, as the worker writes them when it sends
        told.update(
            status=Notification.Status.SENT,
            sent_at=reservation.closed_at,
            send_after=reservation.created_at,
            created_at=reservation.created_at,
        )
    # The web shop's webhook endpoint: from here on, the demo's status changes and availability changes are queued
    # for it (admin: Webhook deliveries). Its URL is a reserved .example name (the demo runs offline): the
    # deliveries fail at once, and show so.
    web = SalesChannel.objects.filter(code="web").first()
    if web is not None:
        WebhookEndpoint.objects.get_or_create(channel=web, url="https://hooks.brunello.example/oms")
