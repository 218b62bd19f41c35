from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification
from orders import services
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def ready_pickup(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    return order, services.mark_ready_for_pickup(fulfillment=fulfillment)


def test_ready_for_pickup_email_has_address_hours_and_code(net):  # noqa: F811
    order, fulfillment = ready_pickup(net)
    email = Notification.objects.get(order=order, event="ready_for_pickup", channel="email")
    assert "Via Roma 1" in email.body_text and fulfillment.pickup_code in email.body_text
    assert "Lunedì: 10:00–19:30" in email.body_text and "data-hours" in email.body_html


def test_one_reminder_two_days_before_the_deadline(net):  # noqa: F811
    order, fulfillment = ready_pickup(net)
    assert services.send_pickup_reminders() == 0  # 7 days left
    with time_machine.travel(fulfillment.pickup_deadline - timedelta(hours=47)):
        assert services.send_pickup_reminders() == 1
        assert services.send_pickup_reminders() == 0  # exactly once
    reminders = Notification.objects.filter(order=order, event="pickup_reminder")
    assert set(reminders.values_list("channel", flat=True)) == {"email", "sms"}
    sms = reminders.get(channel="sms")
    assert fulfillment.pickup_code in sms.body_text and "Store MI01" in sms.body_text
    assert order.events.filter(type="pickup_reminder").count() == 1


def test_no_reminder_once_collected(net):  # noqa: F811
    order, fulfillment = ready_pickup(net)
    services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert services.send_pickup_reminders() == 0
