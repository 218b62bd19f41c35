import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inventory.models import StockLevel
from orders.models import IdempotencyRecord, Order
from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(net):
    _row, key = create_api_key(channel=net["web"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def post(api, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/api/v1/orders/", body, format="json", **headers)


def test_place_an_order_and_read_it_back(api, net):
    body = payload([("JEANS-42", 1, "89.90")], HOME_MILAN, shipping="4.90")
    body["external_id"] = "WEB-1001"
    response = post(api, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "placed" and created["total"] == "94.80" and created["external_id"] == "WEB-1001"
    (fulfillment,) = created["fulfillments"]
    assert fulfillment["source_location"] == "WH01" and fulfillment["lines"][0]["sku"] == "JEANS-42"
    assert created["sourcing"]["explanation"][0] == {
        "location": "WH01",
        "distance_km": 16.3,
        "priority": 10,
        "covers_units": 1,
        "available_units": 3,
        "chosen": True,
        "eligible": True,
        "why": "covers every line, closest then by priority",
        "why_code": "covers_every_line",
        "why_params": {},
    }
    assert created["tracking_url"].startswith("http://testserver/track/")
    assert [e["type"] for e in created["events"]] == ["order_placed"]
    assert api.get(f"/api/v1/orders/{created['number']}/").json() == created


def test_bad_input_is_400_or_422_and_writes_nothing(api, net):
    cases = [
        (payload([("JEANS-42", 0, "89.90")], HOME_MILAN), 400, "invalid"),
        (payload([("JEANS-42", 1, "89.90")], {"method": "home_delivery"}), 400, "invalid"),
        (payload([("JEANS-42", 1, "89.90")], {"method": "teleport"}), 400, "invalid"),
        (payload([("JEANS-42", 1, "89.90")], HOME_MILAN, amount="1.00"), 422, "payment_mismatch"),
        (
            payload([("JEANS-42", 1, "89.90")], {"method": "curbside", "pickup_location": "VR01"}),
            422,
            "method_not_offered",
        ),
        (payload([("NOPE", 1, "89.90")], HOME_MILAN), 404, "not_found"),
        ({"lines": "x"}, 400, "invalid"),
    ]
    for body, status, code in cases:
        response = post(api, body)
        assert response.status_code == status, (body, response.json())
        assert response.json()["error"]["code"] == code
    assert not Order.objects.exists() and not StockLevel.objects.filter(committed__gt=0).exists()


def test_not_enough_stock_is_409_with_per_line_figures(api, net):
    response = post(api, payload([("JEANS-42", 5, "89.90"), ("TEE-M", 1, "19.90")], HOME_MILAN))
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "insufficient_stock",
        "message": "Not enough stock for one or more lines.",
        "details": {"lines": [{"sku": "JEANS-42", "requested": 5, "available": 3}]},
    }


def test_idempotency_replays_the_first_response(api, net):
    body = payload([("TEE-M", 1, "19.90")], HOME_MILAN)
    first = post(api, body, key="k-1")
    again = post(api, body, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    other_body = payload([("TEE-M", 2, "19.90")], HOME_MILAN)
    reused = post(api, other_body, key="k-1")
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    refused = post(api, payload([("JEANS-42", 9, "89.90")], HOME_MILAN), key="k-2")
    assert refused.status_code == 409
    assert post(api, payload([("JEANS-42", 9, "89.90")], HOME_MILAN), key="k-2").json() == refused.json()
    assert IdempotencyRecord.objects.count() == 2


def test_cancel_and_change_address(api, net):
    number = post(api, payload([("TEE-M", 3, "19.90")], HOME_MILAN)).json()["number"]
    response = api.post(f"/api/v1/orders/{number}/cancel/", {"lines": [{"sku": "TEE-M", "quantity": 1}]}, format="json")
    assert response.status_code == 200 and response.json()["lines"][0]["quantity_cancelled"] == 1
    assert (response.json()["payment"]["refunded_amount"], response.json()["payment"]["released_amount"]) == (
        "0.00",
        "19.90",
    )
    new_address = {**HOME_MILAN["address"], "line1": "Corso Como 5"}
    response = api.patch(f"/api/v1/orders/{number}/", {"shipping_address": new_address}, format="json")
    assert response.status_code == 200 and response.json()["shipping_address"]["line1"] == "Corso Como 5"
    too_many = api.post(f"/api/v1/orders/{number}/cancel/", {"lines": [{"sku": "TEE-M", "quantity": 5}]}, format="json")
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "order_not_changeable"
    response = api.post(f"/api/v1/orders/{number}/cancel/", {}, format="json")
    assert response.json()["status"] == "cancelled"


def test_a_channel_sees_only_its_own_orders(api, net):
    number = post(api, payload([("TEE-M", 1, "19.90")], HOME_MILAN)).json()["number"]
    other = SalesChannelFactory(code="marketplace", kind="marketplace")
    _row, key = create_api_key(channel=other)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(f"/api/v1/orders/{number}/").status_code == 404
    assert client.get("/api/v1/orders/").json()["results"] == []
    listed = api.get("/api/v1/orders/?status=placed").json()["results"]
    assert [o["number"] for o in listed] == [number]
    assert api.get("/api/v1/orders/?status=bogus").status_code == 400
    assert api.get("/api/v1/orders/?updated_since=yesterday").status_code == 400


def test_queries_per_order_grow_with_lines_not_with_locations(api, net):
    """A constant plus at most one per line (its hold); never one per candidate location or per source."""
    from inventory import services as stock
    from tests.inventory.factories import SKUFactory
    from tests.stores.factories import LocationFactory

    def queries(lines):
        with CaptureQueriesContext(connection) as ctx:
            response = post(api, payload(lines, HOME_MILAN))
            assert response.status_code == 201, response.json()
        return len(ctx.captured_queries), len(response.json()["fulfillments"])

    post(api, payload([("TEE-M", 1, "19.90")], HOME_MILAN))  # warm the per-process caches
    one, _ = queries([("TEE-M", 1, "19.90")])
    extra = [SKUFactory(code=f"X{n}") for n in range(4)]
    for n, sku in enumerate(extra):  # each extra SKU only in its own far store: a 5-source split order
        store = LocationFactory(code=f"S{n:02d}", capabilities=["ship_from_store"], latitude=40 + n, longitude=12)
        stock.receive_stock(location=store, sku=sku, quantity=1)
    for n in range(20):  # and many more candidate locations
        LocationFactory(code=f"T{n:02d}", capabilities=["ship_from_store"], latitude=44 + n / 10, longitude=9)
    rebuilt, _ = queries([("TEE-M", 1, "19.90")])
    assert rebuilt == one + 3, (one, rebuilt)  # the network changed: its snapshot is rebuilt once (3 queries)
    assert queries([("TEE-M", 1, "19.90")])[0] == one  # 25 candidate locations more, not one query more
    five, sources = queries([("TEE-M", 1, "19.90")] + [(sku.code, 1, "5.00") for sku in extra])
    assert sources == 5
    assert five - one <= 4, (one, five)  # four more lines (and four more sources): at most four more queries


def test_a_channel_naming_another_channel_in_the_list_is_refused(api, net):  # noqa: F811
    SalesChannelFactory(code="zalando", kind="marketplace")
    assert api.get("/api/v1/orders/", {"channel": "zalando"}).status_code == 403  # issue 25, item 13
    assert api.get("/api/v1/orders/", {"channel": "web"}).status_code == 200
