"""A fault reads as a fault, briefly (issue 25, item 15): a lock held elsewhere past `lock_timeout` and an
unreachable database answer 503 with Retry-After, the API error shape on the API and a small page on the store
dashboard; never a 500, a traceback, or a web worker held until gunicorn kills it."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.utils import OperationalError
from rest_framework.test import APIClient

from inventory.models import StockLevel
from orders.models import Fulfillment
from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class HeldElsewhere:
    """Another connection holding `queryset`'s rows locked until the block ends (a long job, a stuck session)."""

    def __init__(self, queryset):
        self.queryset, self.locked, self.release = queryset, threading.Event(), threading.Event()

    def _hold(self):
        try:
            with transaction.atomic():
                list(self.queryset.select_for_update())
                self.locked.set()
                self.release.wait(30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread = threading.Thread(target=self._hold)
        self.thread.start()
        assert self.locked.wait(10)
        with connection.cursor() as cursor:  # this test's requests wait at most 200 ms for a lock
            cursor.execute("SET lock_timeout = '200ms'")

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def test_an_order_whose_stock_row_is_locked_elsewhere_is_a_503_not_a_500(net):  # noqa: F811
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(channel=net['web'])[1]}")
    with HeldElsewhere(StockLevel.objects.filter(location=net["WH01"], sku__code="JEANS-42")):
        answer = api.post("/api/v1/orders/", payload([("JEANS-42", 1, "89.90")], HOME_MILAN), format="json")
    assert answer.status_code == 503, answer.content
    assert answer.json()["error"]["code"] == "service_unavailable" and answer["Retry-After"] == "5"
    assert not Fulfillment.objects.exists()  # nothing half-written
    again = api.post("/api/v1/orders/", payload([("JEANS-42", 1, "89.90")], HOME_MILAN), format="json")
    assert again.status_code == 201  # the lock gone, the same request goes through


def test_a_dashboard_action_on_a_row_locked_elsewhere_is_a_503_page(net, client):  # noqa: F811
    user = UserFactory(username="mi01.associate")
    StoreMembershipFactory(user=user, location=net["MI01"])
    client.force_login(user)
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    with HeldElsewhere(Fulfillment.objects.filter(pk=fulfillment.pk)):
        page = client.post(f"/dashboard/MI01/orders/{fulfillment.pk}/start_picking/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "Briefly unavailable" in page.content.decode() and "Traceback" not in page.content.decode()
    fulfillment.refresh_from_db()
    assert fulfillment.status == "pending"


def test_an_unreachable_database_on_the_api_is_a_503(net, monkeypatch):  # noqa: F811
    # The database restarting under load: the connection fails (what psycopg raises is OperationalError).
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(channel=net['web'])[1]}")
    from orders.placement import selectors

    def gone(**kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(selectors, "orders_for_channel", gone)
    answer = api.get("/api/v1/orders/")
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "service_unavailable"
    assert answer["Retry-After"] == "5"
