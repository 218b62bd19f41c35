from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from tests.concurrency.conftest import run_in_threads
from tests.notifications.conftest import twilio  # noqa: F401  (fixture: the fake Twilio HTTP client)

pytestmark = pytest.mark.django_db(transaction=True)


def rows(count, *, channel="sms", **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                event="order_placed",
                channel=channel,
                recipient=f"+3933300{n:05d}",
                locale="it",
                subject_text="s",
                text=f"message {n}",
                send_after=now - timedelta(seconds=1),
                **fields,
            )
            for n in range(count)
        ]
    )


def test_a_message_left_by_a_crashed_worker_is_sent_exactly_once(twilio):  # noqa: F811
    (crashed,) = rows(1, status="sending", attempts=1, claimed_at=timezone.now() - timedelta(minutes=10))
    (recent,) = rows(1, status="sending", attempts=1, claimed_at=timezone.now())  # a live worker's: left alone

    results = run_in_threads(lambda i: services.sweep(), 4)

    assert not [r for r in results if isinstance(r, Exception)], results
    crashed.refresh_from_db()
    recent.refresh_from_db()
    assert crashed.status == "sent" and crashed.attempts == 2
    assert recent.status == "sending"
    assert [r["data"]["Body"] for r in twilio.requests] == ["message 0"]


def test_two_sweeps_at_once_send_each_message_once(twilio):  # noqa: F811
    rows(30)
    rows(10, channel="email")

    results = run_in_threads(lambda i: services.sweep(), 2)

    assert sum(r["sent"] for r in results) == 40
    assert len(twilio.requests) == 30
    assert len({r["data"]["To"] for r in twilio.requests}) == 30
    assert len(mail.outbox) == 10
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_the_reminder_job_run_twice_at_once_reminds_each_pickup_once():
    from orders import services as orders
    from tests.orders.helpers import place

    net = _network()
    pickups = []
    for _ in range(5):
        order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
        fulfillment = order.fulfillments.get()
        orders.start_picking(fulfillment=fulfillment)
        pickups.append(orders.mark_ready_for_pickup(fulfillment=fulfillment))
    later = pickups[0].pickup_deadline - timedelta(hours=24)

    results = run_in_threads(lambda i: orders.send_pickup_reminders(now=later), 2)

    assert sum(results) == 5, results  # five pickups, each reminded by exactly one of the two runs
    assert Notification.objects.filter(event="pickup_reminder", channel="email").count() == 5


def _network():
    from inventory import services as stock
    from tests.inventory.factories import SKUFactory
    from tests.stores.factories import LocationFactory, SalesChannelFactory

    web = SalesChannelFactory(code="web", kind="web")
    store = LocationFactory(code="MI01", capabilities=["click_and_collect"])
    web.source_locations.set([store])
    sku = SKUFactory(code="TEE-M")
    stock.receive_stock(location=store, sku=sku, quantity=10)
    return {"web": web, "MI01": store}
