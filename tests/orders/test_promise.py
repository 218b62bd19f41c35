"""The promise stored on each parcel at placement: shipped or ready by FULFILLMENT_PROMISE_OPEN_HOURS of the
acting location's opening hours (the test network's stores and warehouse open on Mondays, 10:00–19:30)."""

import zoneinfo
from datetime import datetime

import time_machine

from tests.orders.conftest import HOME_MILAN
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

ROME = zoneinfo.ZoneInfo("Europe/Rome")
MONDAY_9 = datetime(2027, 3, 8, 9, 0, tzinfo=ROME)


def promises(order) -> dict:
    return {f.flow: f.promised_by for f in order.fulfillments.all()}


def test_a_parcel_home_is_promised_to_ship_within_24_open_hours(net):
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    # 9.5 open hours on each of the next Mondays: 9.5 + 9.5 + 5 → the third Monday at 15:00.
    assert promises(order) == {"ship": datetime(2027, 3, 22, 15, 0, tzinfo=ROME)}


def test_express_is_promised_sooner_than_standard(net):
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], {**HOME_MILAN, "speed": "express"})
    assert promises(order) == {"ship": datetime(2027, 3, 8, 18, 0, tzinfo=ROME)}  # 8 open hours from 10:00


def test_a_pickup_from_the_stores_own_shelf_is_promised_ready_within_4_open_hours(net):
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    assert promises(order) == {"pickup": datetime(2027, 3, 8, 14, 0, tzinfo=ROME)}


def test_a_parcel_to_the_pickup_store_is_promised_ready_in_the_pickup_stores_hours(net):
    net["BG01"].opening_hours = {day: [["09:00", "21:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    net["BG01"].save()
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    # 48 open hours at Bergamo (12 a day, Monday to Saturday) from Monday 09:00: Thursday 21:00.
    assert promises(order) == {"ship_to_store": datetime(2027, 3, 11, 21, 0, tzinfo=ROME)}


def test_a_method_without_a_promise_in_the_settings_is_left_out(net, settings):
    settings.FULFILLMENT_PROMISE_OPEN_HOURS = {"store_pickup": 4}
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    assert promises(order) == {"ship": None}


def test_the_store_sees_the_promise_and_when_it_is_late(client, net):
    with time_machine.travel(MONDAY_9, tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    with time_machine.travel(datetime(2027, 3, 8, 11, 0, tzinfo=ROME), tick=False):
        user = UserFactory(username="mi01.associate")
        StoreMembershipFactory(user=user, location=net["MI01"])
        client.force_login(user)  # on the day: a session opened months before would have expired
        queue = client.get("/dashboard/MI01/orders/").content.decode()
        page = client.get(f"/dashboard/MI01/orders/{fulfillment.pk}/").content.decode()
    assert 'class="muted" data-testid="promise">ready by 08/03 14:00' in queue
    assert "Promised to the customer: ready to collect by Monday 08/03 14:00." in page
    with time_machine.travel(datetime(2027, 3, 8, 15, 0, tzinfo=ROME), tick=False):
        late = client.get("/dashboard/MI01/orders/").content.decode()
    assert 'class="pill overdue" data-testid="promise">ready by 08/03 14:00' in late
    with time_machine.travel(datetime(2027, 3, 8, 15, 0, tzinfo=ROME), tick=False):
        client.post(f"/dashboard/MI01/orders/{fulfillment.pk}/start_picking/")
        client.post(f"/dashboard/MI01/orders/{fulfillment.pk}/ready/")
        ready = client.get(f"/dashboard/MI01/orders/{fulfillment.pk}/").content.decode()
    assert 'data-testid="promise"' not in ready  # kept or not, a promise no longer binds once the pickup is ready
