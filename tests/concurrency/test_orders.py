import pytest
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import StockLevel
from orders.models import Order
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    web = SalesChannelFactory(code="web", kind="web")
    warehouse = LocationFactory(code="WH01", kind="warehouse", latitude=45.32, longitude=9.13, capabilities=["ships"])
    store = LocationFactory(code="MI01", latitude=45.47, longitude=9.21, capabilities=["ship_from_store"])
    web.source_locations.set([warehouse, store])
    _row, key = create_api_key(channel=web)
    return {"key": key, "WH01": warehouse, "MI01": store}


def client(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def test_a_hundred_buyers_for_twenty_units(shop):
    sku = SKUFactory(code="LAST-20")
    stock.receive_stock(location=shop["WH01"], sku=sku, quantity=20)
    body = payload([("LAST-20", 1, "29.90")], HOME_MILAN)

    responses = run_in_threads(lambda i: client(shop["key"]).post("/api/v1/orders/", body, format="json"), 100)

    codes = [r.status_code if hasattr(r, "status_code") else repr(r) for r in responses]
    assert codes.count(201) == 20 and codes.count(409) == 80, sorted(set(map(str, codes)))
    assert all(r.json()["error"]["code"] == "insufficient_stock" for r in responses if r.status_code == 409)
    level = StockLevel.objects.get(location=shop["WH01"], sku=sku)
    assert level.committed == level.on_hand == 20
    assert Order.objects.count() == 20
    assert_ledger_agrees()


def test_twenty_retries_with_one_key_create_one_order(shop):
    sku = SKUFactory(code="RETRY")
    stock.receive_stock(location=shop["WH01"], sku=sku, quantity=50)
    body = payload([("RETRY", 1, "29.90")], HOME_MILAN)

    responses = run_in_threads(
        lambda i: client(shop["key"]).post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key"), 20
    )

    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.json()["number"] for r in responses}) == 1
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(location=shop["WH01"], sku=sku).committed == 1


def test_orders_holding_the_same_skus_in_opposite_order_never_deadlock(shop):
    a, b = SKUFactory(code="A"), SKUFactory(code="B")
    for location in (shop["WH01"], shop["MI01"]):
        for sku in (a, b):
            stock.receive_stock(location=location, sku=sku, quantity=500)

    def place(i):
        lines = [("A", 1, "10.00"), ("B", 1, "10.00")]
        if i % 2:
            lines.reverse()
        api = client(shop["key"])
        return [api.post("/api/v1/orders/", payload(lines, HOME_MILAN), format="json").status_code for _ in range(5)]

    results = run_in_threads(place, 16)

    assert results == [[201] * 5] * 16, results
    assert Order.objects.count() == 80
    assert_ledger_agrees()
