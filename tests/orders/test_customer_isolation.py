"""One channel cannot take over another channel's customer: messages go to the contact details given with each
order, the shared record changes only through the channel that owns it, consent is recorded with its source,
and reservation limits count per channel."""

import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from orders import services
from orders.models import Customer, Fulfillment
from stores.services import create_api_key
from tests.orders.conftest import customer, net, payload, shops  # noqa: F401  (fixtures)
from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db

VICTIM_PHONE = "+393331234567"
ATTACKER_PHONE = "+393409999999"


def api_for(channel) -> APIClient:
    _row, key = create_api_key(channel=channel)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def pickup_order(api, *, phone, notify_by="email_and_sms", consent=False):
    body = payload([("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    body["customer"].update(phone=phone, notify_by=notify_by, marketing_consent=consent)
    answer = api.post("/api/v1/orders/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_another_channel_cannot_redirect_a_customers_messages_or_give_consent(net):  # noqa: F811
    marketplace = SalesChannelFactory(code="marketplace", kind="marketplace")
    marketplace.source_locations.set([net["WH01"], net["MI01"]])
    web_order = pickup_order(api_for(net["web"]), phone=VICTIM_PHONE)
    giulia = Customer.objects.get(email="giulia@example.com")
    assert giulia.owner_channel == net["web"]

    # The exploit: the marketplace posts an order with the web customer's email, its own phone, SMS only, consent.
    attack = pickup_order(api_for(marketplace), phone=ATTACKER_PHONE, notify_by="sms", consent=True)
    giulia.refresh_from_db()
    assert (giulia.phone, giulia.notify_by, giulia.marketing_consent) == (VICTIM_PHONE, "email_and_sms", False)
    assert giulia.marketing_consent_source == "channel:web"  # the web shop's "no" stands, with its source
    assert attack["customer"]["phone"] == ATTACKER_PHONE  # the attacker's own order keeps what it gave

    # The web order's pickup code still goes to the web customer's phone, never to the attacker's.
    fulfillment = Fulfillment.objects.get(order__number=web_order["number"])
    services.start_picking(fulfillment=fulfillment)
    services.mark_ready_for_pickup(fulfillment=fulfillment)
    fulfillment.refresh_from_db()
    sms = Notification.objects.filter(order__number=web_order["number"], channel="sms", event="ready_for_pickup")
    assert [n.recipient for n in sms] == [VICTIM_PHONE]
    assert fulfillment.pickup_code in sms.get().body_text
    assert not Notification.objects.filter(recipient=ATTACKER_PHONE, order__number=web_order["number"]).exists()


def test_the_owning_channel_updates_its_customer_and_consent_is_timestamped(net):  # noqa: F811
    web = api_for(net["web"])
    pickup_order(web, phone=VICTIM_PHONE)
    pickup_order(web, phone="+393351112222", consent=True)
    giulia = Customer.objects.get(email="giulia@example.com")
    assert giulia.phone == "+393351112222" and giulia.marketing_consent
    assert giulia.marketing_consent_at is not None and giulia.marketing_consent_source == "channel:web"


def test_one_channels_reservations_do_not_use_up_the_customers_reservations_elsewhere(shops):  # noqa: F811
    marketplace = SalesChannelFactory(code="marketplace", kind="marketplace")
    marketplace.source_locations.set([shops["MI01"]])
    attacker, web = api_for(marketplace), api_for(shops["web"])

    def reserve(api):
        body = {"customer": customer(), "location": "MI01", "lines": [{"sku": "TEE-M", "quantity": 1}]}
        return api.post("/api/v1/reservations/", body, format="json")

    assert [reserve(attacker).status_code for _ in range(4)] == [201, 201, 201, 422]
    assert reserve(web).status_code == 201  # the customer's own shop is not blocked
