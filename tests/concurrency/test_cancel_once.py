"""One fact, one message per medium (issue 24, item 5): a repeated or parallel cancel tells the customer once; a
retry with the same Idempotency-Key replays the first answer; a new cancel of a cancelled order is a 409."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory import services as stock
from notifications.models import Notification
from orders.models import Order, OrderEvent
from orders.timeline import record_event
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def order_and_key():
    web = SalesChannelFactory(code="web", kind="web")
    warehouse = LocationFactory(code="WH01", kind="warehouse", latitude=45.32, longitude=9.13, capabilities=["ships"])
    web.source_locations.set([warehouse])
    stock.receive_stock(location=warehouse, sku=SKUFactory(code="COAT"), quantity=5)
    _row, key = create_api_key(channel=web)
    placed = client(key).post("/api/v1/orders/", payload([("COAT", 2, "79.90")], HOME_MILAN), format="json")
    assert placed.status_code == 201, placed.content
    return Order.objects.get(number=placed.json()["number"]), key


def client(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def cancel(key, order, idempotency_key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    return client(key).post(
        f"/api/v1/orders/{order.number}/cancel/", {"reason": "changed my mind"}, format="json", **headers
    )


def told(order):
    return sorted(Notification.objects.filter(order=order, event="order_cancelled").values_list("channel", flat=True))


def test_six_cancels_in_a_row_cancel_and_tell_once(order_and_key):
    order, key = order_and_key
    answers = [cancel(key, order) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] + [409] * 5
    assert {a.json()["error"]["code"] for a in answers[1:]} == {"invalid_transition"}
    assert told(order) == ["email", "sms"]
    assert OrderEvent.objects.filter(order=order, type="order_cancelled").count() == 1
    order.payment.refresh_from_db()
    assert order.payment.authorized_amount - order.payment.captured_amount == Decimal("159.80")


def test_a_retry_with_the_same_key_replays_the_first_answer(order_and_key):
    order, key = order_and_key
    answers = [cancel(key, order, "cancel-1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert all(a.json() == answers[0].json() for a in answers)
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 3
    assert told(order) == ["email", "sms"]


def test_twelve_parallel_cancels_tell_once(order_and_key):
    order, key = order_and_key
    answers = run_in_threads(lambda i: cancel(key, order), 12)
    codes = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert codes == [200] + [409] * 11, codes
    assert told(order) == ["email", "sms"]


def test_the_outbox_writes_one_fact_once_per_medium_whatever_writes_it(order_and_key):
    # Two writers reporting the same fact at once (bypassing the order's own lock): one email, one SMS.
    order, _key = order_and_key
    run_in_threads(lambda i: record_event(order=Order.objects.get(pk=order.pk), type="order_cancelled"), 8)
    assert told(order) == ["email", "sms"]
    assert OrderEvent.objects.filter(order=order, type="order_cancelled").count() == 8
