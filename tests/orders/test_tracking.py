import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from orders import services
from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT-555")
    _row, key = create_api_key(kind="carrier", carrier="BRT")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return order, fulfillment, api


def report(api, event_id, status, **extra):
    body = {
        "carrier": "BRT",
        "tracking_number": "BRT-555",
        "event_id": event_id,
        "status": status,
        "location": "Hub Milano",
        "occurred_at": "2026-11-24T09:30:00+01:00",
        **extra,
    }
    return api.post("/api/v1/tracking-events/", body, format="json")


def test_carrier_events_move_the_parcel_to_delivered(shipped):
    order, fulfillment, api = shipped
    first = report(api, "e1", "in_transit")
    assert first.status_code == 201 and first.json()["fulfillment_status"] == "in_transit"
    assert report(api, "e2", "in_transit").json()["fulfillment_status"] == "in_transit"  # kept, no move
    assert report(api, "e3", "out_for_delivery").json()["fulfillment_status"] == "out_for_delivery"
    assert report(api, "e4", "delivered").json()["fulfillment_status"] == "delivered"
    order.refresh_from_db()
    assert order.status == "completed"
    types = list(order.events.values_list("type", flat=True))
    assert types[-4:] == ["in_transit", "tracking_update", "out_for_delivery", "delivered"]
    told = set(Notification.objects.filter(order=order, channel="email").values_list("event", flat=True))
    assert {"in_transit", "out_for_delivery", "delivered"} <= told


def test_the_same_carrier_event_twice_changes_nothing(shipped):
    order, fulfillment, api = shipped
    assert report(api, "e1", "delivery_exception").status_code == 201
    events = order.events.count()
    again = report(api, "e1", "delivery_exception")
    assert again.status_code == 200 and order.events.count() == events


def test_unknown_parcels_and_statuses_are_refused(shipped):
    _order, _fulfillment, api = shipped
    assert report(api, "x", "delivered", tracking_number="NOPE").status_code == 404
    assert report(api, "y", "teleported").status_code == 400
    assert report(api, "z", "delivered", occurred_at="yesterday").status_code == 400


def test_a_carrier_key_reports_only_its_own_parcels_and_learns_no_order_number(shipped, net):  # noqa: F811
    order, fulfillment, brt = shipped
    _row, key = create_api_key(kind="carrier", carrier="SDA")
    sda = APIClient()
    sda.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # SDA does not carry BRT-555: not found, whichever carrier it names in the body.
    assert report(sda, "f1", "delivered", carrier="SDA").status_code == 404
    assert report(sda, "f2", "delivered").status_code == 403  # the body says BRT: not SDA's to say
    assert report(sda, "f3", "delivered", carrier=None).status_code == 400
    fulfillment.refresh_from_db()
    assert fulfillment.status == "shipped" and not fulfillment.tracking_events.exists()
    # A channel's key cannot post carrier events at all (the exploit: the marketplace marked a web order delivered).
    _row, channel_key = create_api_key(channel=net["web"])
    channel_api = APIClient()
    channel_api.credentials(HTTP_AUTHORIZATION=f"Api-Key {channel_key}")
    assert report(channel_api, "f4", "delivered").status_code == 403
    answer = report(brt, "e1", "in_transit")
    assert answer.status_code == 201 and order.number not in answer.content.decode()
    event = order.events.get(type="in_transit")
    assert event.actor is None and event.api_key.carrier == "BRT"


def test_a_store_associate_enters_a_carrier_update_by_hand(client, net):  # noqa: F811
    from tests.stores.factories import StoreMembershipFactory, UserFactory

    order = place(net, [("SCARF", 1, "45.00")], {**HOME_MILAN, "speed": "express"})
    fulfillment = order.fulfillments.get()
    assert fulfillment.source_location.code == "MI02"
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="SDA", tracking_number="S-9")
    user = UserFactory(username="mi02.associate")
    StoreMembershipFactory(user=user, location=net["MI02"])
    client.force_login(user)
    url = f"/dashboard/MI02/orders/{fulfillment.pk}/tracking/"
    assert client.post(url, {"status": "teleported"}).status_code == 422
    assert client.post(url, {"status": "delivered", "location": "Milano"}).status_code == 302
    fulfillment.refresh_from_db()
    assert fulfillment.status == "delivered"
    assert fulfillment.tracking_events.get().description == "entered by the store"
