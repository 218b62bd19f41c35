"""The returns API: a channel starts and reads returns, the receiving location receives them (DESIGN.md 13)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import Return, ReturnEvent
from stores.services import create_api_key
from tests.orders.returns_helpers import available, delivered, place, rnet  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def client_for(**key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(**key)[1]}")
    return api


@pytest.fixture
def web(rnet):  # noqa: F811
    return client_for(channel=rnet["web"])


def body(order, *, how="in_store", location="MI01", quantity=1, reason="too_small", **extra):
    return {
        "customer": {"email": "giulia@example.com"},
        "how": how,
        "location": location,
        "lines": [{"order": order.number, "sku": "TEE-M", "quantity": quantity, "reason": reason}],
        **extra,
    }


def test_start_read_and_receive_a_return(rnet, web):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    response = web.post("/api/v1/returns/", body(order), format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "requested" and created["location"] == "MI01"
    assert created["lines"] == [
        {
            "order": order.number,
            "sku": "TEE-M",
            "quantity": 1,
            "received": 0,
            "reason": "too_small",
            "sub_reason": "",
            "note": "",
            "restock_here": 0,
            "send_to_warehouse": 0,
            "quarantine": 0,
            "write_off": 0,
        }
    ]
    assert created["refund_preview"]["amount"] == "29.90" and created["refund"] is None
    assert created["return_url"].endswith(f"/return/{Return.objects.get().token}/")
    replay = web.post("/api/v1/returns/", body(order), format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert replay.status_code == 201 and replay.json()["number"] == created["number"]
    assert Return.objects.count() == 1

    number = created["number"]
    assert web.get(f"/api/v1/returns/{number}/").json()["number"] == number
    assert web.get(f"/api/v1/orders/{order.number}/").json()["lines"][0]["quantity_returned"] == 1
    store = client_for(kind="location", location=rnet["MI01"])
    assert [r["number"] for r in store.get("/api/v1/locations/MI01/returns/?status=requested").json()["results"]] == [
        number
    ]
    before = available(rnet, "MI01", "TEE-M")
    counts = {"lines": [{"order": order.number, "sku": "TEE-M", "received": 1, "dispositions": {"restock_here": 1}}]}
    answer = store.post(f"/api/v1/returns/{number}/receive/", counts, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "closed"
    assert answer.json()["refund"] == {"amount": "29.90", "currency": "EUR"}
    assert available(rnet, "MI01", "TEE-M") == before + 1
    again = store.post(f"/api/v1/returns/{number}/receive/", counts, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    # Another location does not see it: the returns centre's key gets a 404.
    centre = client_for(kind="location", location=rnet["WH01"])
    assert centre.post(f"/api/v1/returns/{number}/receive/", counts, format="json").status_code == 404


def test_cancel_through_the_api(rnet, web):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    number = web.post("/api/v1/returns/", body(order), format="json").json()["number"]
    response = web.post(f"/api/v1/returns/{number}/cancel/", {"reason": "kept it"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert web.post(f"/api/v1/returns/{number}/cancel/", {}, format="json").status_code == 409


def test_a_courier_return_with_an_exchange(rnet, web, settings):  # noqa: F811
    from inventory import services as stock
    from tests.inventory.factories import SKUFactory

    settings.RETURN_FEE = "0.00"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    SKUFactory(code="TEE-L", product=rnet["skus"]["TEE-M"].product, size="L")
    stock.receive_stock(location=rnet["WH01"], sku=SKUFactory(code="TEE-L"), quantity=2)
    response = web.post(
        "/api/v1/returns/",
        body(order, how="carrier", location="", label="BRT-R9", exchange=[{"sku": "TEE-L", "quantity": 1}]),
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["location"] == "WH01" and created["label"] == "BRT-R9"
    assert created["exchange"] == [{"sku": "TEE-L", "quantity": 1, "unit_price": "29.90", "held": True}]
    assert created["refund_preview"]["amount"] == "0.00" and created["refund_preview"]["exchange"] == "29.90"


def refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert Return.objects.count() == 0 and ReturnEvent.objects.count() == 0


def test_bad_input_is_a_clear_4xx_and_writes_nothing(rnet, web, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    refused(web.post("/api/v1/returns/", {**body(order), "lines": []}, format="json"), 400, "invalid")
    refused(web.post("/api/v1/returns/", {**body(order), "colour": "red"}, format="json"), 400, "invalid")
    refused(web.post("/api/v1/returns/", body(order, reason="meh"), format="json"), 400, "invalid")
    refused(web.post("/api/v1/returns/", body(order, location="NOPE"), format="json"), 400, "invalid")
    unknown = body(order)
    unknown["lines"][0]["order"] = "BR-NOPE"
    refused(web.post("/api/v1/returns/", unknown, format="json"), 404, "not_found")
    refused(
        web.post("/api/v1/returns/", {**body(order), "customer": {"email": "x@example.com"}}, format="json"),
        404,
        "not_found",
    )
    not_yet = place(rnet, [("TEE-M", 1, "29.90")])
    response = web.post("/api/v1/returns/", body(not_yet), format="json")
    refused(response, 422, "not_returnable")
    assert response.json()["error"]["details"]["why"] == "not_delivered"
    with time_machine.travel(timezone.now() + timedelta(days=settings.RETURN_WINDOW_DAYS + 1)):
        response = web.post("/api/v1/returns/", body(order), format="json")
    refused(response, 422, "not_returnable")
    assert response.json()["error"]["details"]["why"] == "window"
    settings.RETURN_EXCLUDED_CATEGORIES = [rnet["skus"]["TEE-M"].product.category]
    response = web.post("/api/v1/returns/", body(order), format="json")
    refused(response, 422, "not_returnable")
    assert response.json()["error"]["details"]["why"] == "category"
    settings.RETURN_EXCLUDED_CATEGORIES = []
    refused(web.post("/api/v1/returns/", body(order, quantity=2), format="json"), 409, "already_returned")
    refused(web.post("/api/v1/returns/", body(order, location="VR01"), format="json"), 422, "method_not_offered")
    assert order.lines.get().quantity_returned == 0


def test_bad_counts_are_refused_and_change_nothing(rnet, web):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "29.90")])
    number = web.post("/api/v1/returns/", body(order, quantity=2), format="json").json()["number"]
    store = client_for(kind="location", location=rnet["MI01"])
    before = available(rnet, "MI01", "TEE-M")
    for lines in (
        [{"order": order.number, "sku": "TEE-M", "received": 2, "dispositions": {"restock_here": 1}}],
        [{"order": order.number, "sku": "TEE-M", "received": 3, "dispositions": {"restock_here": 3}}],
        [{"order": order.number, "sku": "JEANS-42", "received": 1, "dispositions": {"restock_here": 1}}],
        [{"order": order.number, "sku": "TEE-M", "received": 1, "dispositions": {"throw_away": 1}}],
        [{"order": order.number, "sku": "TEE-M", "received": 1, "dispositions": {"restock_here": 1}}] * 2,
    ):
        response = store.post(f"/api/v1/returns/{number}/receive/", {"lines": lines}, format="json")
        assert response.status_code == 400, (lines, response.content)
    assert Return.objects.get().status == "requested"
    assert available(rnet, "MI01", "TEE-M") == before


def test_the_reasons_are_listed(rnet, web):  # noqa: F811
    codes = [row["code"] for row in web.get("/api/v1/return-reasons/").json()]
    assert codes[:3] == ["too_small", "too_big", "not_as_pictured"] and "damaged" in codes


def test_the_schema_documents_returns(rnet, web):  # noqa: F811
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/returns/",
        "/api/v1/returns/{number}/",
        "/api/v1/returns/{number}/cancel/",
        "/api/v1/returns/{number}/receive/",
        "/api/v1/locations/{code}/returns/",
        "/api/v1/return-reasons/",
    ):
        assert path in schema["paths"], path


def test_a_locations_returns_list_reads_in_a_fixed_number_of_queries(rnet, web):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    store = client_for(kind="location", location=rnet["MI01"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert store.get("/api/v1/locations/MI01/returns/").status_code == 200
        return len(queries)

    first = delivered(rnet, [("TEE-M", 1, "29.90")])
    web.post("/api/v1/returns/", body(first), format="json")
    store.get("/api/v1/locations/MI01/returns/")  # the key is looked up once, then cached
    one = count()
    for email in ("a@example.com", "b@example.com"):
        order = delivered(rnet, [("TEE-M", 1, "29.90")], email=email)
        web.post("/api/v1/returns/", {**body(order), "customer": {"email": email}}, format="json")
    assert len(store.get("/api/v1/locations/MI01/returns/").json()["results"]) == 3
    assert count() == one


def test_transfer_received_does_not_tell_which_return_numbers_exist(rnet, web):  # noqa: F811
    # Another store's return, really there, and a made-up number: the same 404, word for word (issue 25, item 13).
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    real = web.post("/api/v1/returns/", body(order), format="json").json()["number"]
    other_store = client_for(kind="location", location=rnet["MI02"])
    answers = [other_store.post(f"/api/v1/returns/{number}/transfer-received/") for number in (real, "RT-NOTREAL1")]
    assert [a.status_code for a in answers] == [404, 404]
    bodies = [a.json()["error"] for a in answers]
    assert bodies[0]["code"] == bodies[1]["code"] == "not_found"
    assert bodies[0]["message"].replace(real, "N") == bodies[1]["message"].replace("RT-NOTREAL1", "N")
    assert bodies[0]["details"] == bodies[1]["details"]


def test_customer_links_go_only_to_the_channel_and_customer_care(rnet, web):  # noqa: F811
    # The tracking and return pages open customer actions: a store's key and head office's read-only key do not
    # get them (issue 25, item 13).
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    number = web.post("/api/v1/returns/", body(order), format="json").json()["number"]
    store = client_for(kind="location", location=rnet["MI01"])
    received = store.post(
        f"/api/v1/returns/{number}/receive/",
        {"lines": [{"order": order.number, "sku": "TEE-M", "received": 1, "dispositions": {"restock_here": 1}}]},
        format="json",
    )
    assert received.status_code == 200 and received.json()["return_url"] == ""
    assert web.get(f"/api/v1/returns/{number}/").json()["return_url"].endswith("/")
    head_office = client_for(kind="head_office", name="HQ")
    assert head_office.get(f"/api/v1/orders/{order.number}/").json()["tracking_url"] == ""
    assert "/track/" in web.get(f"/api/v1/orders/{order.number}/").json()["tracking_url"]
