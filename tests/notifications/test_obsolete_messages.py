"""A message held for the morning whose fact is over is dropped, not sent at 08:00 (issue 24, item 9): the pickup
code of an order collected last night, the reminder of a reservation bought meanwhile. Visible in the console."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import services
from notifications.models import Notification
from orders import services as orders
from tests.orders.conftest import customer, net, shops  # noqa: F401  (fixtures)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def sms(event, **links):
    return Notification.objects.get(event=event, channel="sms", **links)


def test_the_pickup_code_sms_of_an_order_collected_at_night_is_dropped(net, twilio):  # noqa: F811
    with time_machine.travel(datetime(2026, 11, 23, 21, 30, tzinfo=ROME), tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
        pickup = order.fulfillments.get()
        orders.start_picking(fulfillment=pickup)
        pickup = orders.mark_ready_for_pickup(fulfillment=pickup)
        services.sweep()  # the emails go at once; the SMS waits for 08:00
        assert sms("ready_for_pickup", order=order).status == "pending"
        orders.hand_over(fulfillment=pickup, pickup_code=pickup.pickup_code)
    with time_machine.travel(datetime(2026, 11, 24, 8, 1, tzinfo=ROME), tick=False):
        services.sweep()
    dropped = sms("ready_for_pickup", order=order)
    assert dropped.status == "dropped" and "collected" in dropped.last_error
    assert not any(pickup.pickup_code in r["data"].get("Body", "") for r in twilio.requests)
    assert sms("order_placed", order=order).status == "sent"  # still true: sent in the morning


def test_a_reservation_reminder_held_for_the_night_is_dropped_once_bought(shops, twilio):  # noqa: F811
    with time_machine.travel(datetime(2026, 11, 23, 22, 0, tzinfo=ROME), tick=False):
        reservation = orders.reserve_items(
            channel=shops["web"], customer=customer(), location="MI01", lines=[{"sku": "TEE-M", "quantity": 1}]
        )
        held = sms("reservation_held", reservation=reservation)
        assert held.status == "pending"
        orders.mark_purchased(reservation=reservation, pos_receipt="R-1")
    with time_machine.travel(datetime(2026, 11, 24, 8, 1, tzinfo=ROME), tick=False):
        services.sweep()
    held.refresh_from_db()
    assert held.status == "dropped" and held.get_status_display() == "Dropped: no longer true"
