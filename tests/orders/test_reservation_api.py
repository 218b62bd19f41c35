"""POST/GET/cancel reservations through the API: shapes, errors, idempotency, and availability following along."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inventory.models import StockLevel
from orders.models import Customer, IdempotencyRecord, Reservation
from stores.services import create_api_key
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)
from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


def client_for(channel):
    _row, key = create_api_key(channel=channel)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def api(shops):  # noqa: F811
    return client_for(shops["web"])


def body(lines=(("TEE-M", 1),), *, location="MI01", email="giulia@example.com"):
    return {
        "customer": customer(email),
        "location": location,
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
    }


def reserve(api, payload, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/api/v1/reservations/", payload, format="json", **headers)


def available(api, sku="TEE-M", location="MI01"):
    result = api.get(f"/api/v1/availability/?skus={sku}").json()["results"][0]
    return next((row["available"] for row in result["locations"] if row["location"] == location), 0)


def test_reserve_read_back_and_cancel_with_availability_following(api):
    assert available(api) == 5
    response = reserve(api, body([("TEE-M", 2)]))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "held" and created["location"] == "MI01" and created["channel"] == "web"
    assert created["expires_at"] and created["closed_at"] is None
    assert created["lines"] == [
        {"sku": "TEE-M", "name": created["lines"][0]["name"], "colour": "Nero", "size": "M", "quantity": 2,
         "quantity_purchased": 0}
    ]  # fmt: skip
    assert created["store"]["address"] == "Corso Buenos Aires 33" and "mon" in created["store"]["opening_hours"]
    assert [event["type"] for event in created["events"]] == ["held"]
    assert created["reservation_url"].startswith("http://testserver/reservation/")
    assert available(api) == 3  # held units are not for sale

    assert api.get(f"/api/v1/reservations/{created['number']}/").json() == created

    cancel_url = f"/api/v1/reservations/{created['number']}/cancel/"
    cancelled = api.post(cancel_url, {"reason": "found it elsewhere"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert [event["type"] for event in cancelled.json()["events"]] == ["held", "cancelled"]
    assert available(api) == 5

    again = api.post(f"/api/v1/reservations/{created['number']}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert again.json()["error"]["details"]["current"] == "cancelled"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (body([("TEE-M", 0)]), 400, "invalid"),
        ({"customer": customer(), "location": "MI01", "lines": []}, 400, "invalid"),
        ({"customer": {"email": "not-an-email"}, "location": "MI01", "lines": [{"sku": "TEE-M", "quantity": 1}]},
         400, "invalid"),
        (body(location="VR01"), 422, "method_not_offered"),
        (body(location="XX99"), 404, "not_found"),
        (body([("NOPE", 1)]), 404, "not_found"),
        (body([("TEE-M", 3)]), 422, "reservation_limit"),
        (body([("JEANS-42", 2)]), 409, "insufficient_stock"),
    ],
)  # fmt: skip
def test_bad_requests_get_a_clear_error_and_write_nothing(api, payload, status, code):
    response = reserve(api, payload)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert Reservation.objects.count() == 0 and Customer.objects.count() == 0
    assert not StockLevel.objects.filter(committed__gt=0).exists()


def test_limits_are_named_in_the_error(api, settings):
    settings.RESERVATION_MAX_OPEN_PER_CUSTOMER = 1
    assert reserve(api, body()).status_code == 201
    refused = reserve(api, body([("SCARF", 1)]))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"limit": "open_reservations_per_customer", "max": 1}
    per_line = reserve(api, body([("SCARF", 3)], email="other@example.com")).json()["error"]
    assert per_line["details"] == {"limit": "units_per_line", "max": 2, "skus": ["SCARF"]}


def test_not_enough_stock_names_each_short_line(api):
    refused = reserve(api, body([("TEE-M", 1), ("JEANS-42", 2)]))
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["lines"] == [
        {"sku": "JEANS-42", "location": "MI01", "requested": 2, "available": 1}
    ]
    assert available(api) == 5


def test_a_retry_with_the_same_key_gets_the_first_answer_and_holds_once(api):
    first = reserve(api, body(), key="res-1")
    retry = reserve(api, body(), key="res-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert Reservation.objects.count() == 1 and available(api) == 4
    other_body = reserve(api, body([("SCARF", 1)]), key="res-1")
    assert other_body.status_code == 422 and other_body.json()["error"]["code"] == "idempotency_key_reused"
    assert IdempotencyRecord.objects.count() == 1


def test_a_channel_sees_only_its_own_reservations(api, shops):  # noqa: F811
    number = reserve(api, body()).json()["number"]
    marketplace = client_for(SalesChannelFactory(code="marketplace", kind="marketplace"))
    assert marketplace.get(f"/api/v1/reservations/{number}/").status_code == 404
    assert marketplace.post(f"/api/v1/reservations/{number}/cancel/", {}, format="json").status_code == 404
    assert api.get("/api/v1/reservations/RS-NOPE/").json()["error"]["code"] == "not_found"
    assert APIClient().post("/api/v1/reservations/", body(), format="json").status_code == 401


def test_reservations_are_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    assert {"/api/v1/reservations/", "/api/v1/reservations/{number}/", "/api/v1/reservations/{number}/cancel/"} <= set(
        schema["paths"]
    )


def test_queries_per_reservation_do_not_grow_with_its_lines(api):
    assert reserve(api, body(email="warm@example.com")).status_code == 201  # per-process caches
    counts = []
    for n, lines in enumerate(
        [[("TEE-M", 1)], [("TEE-M", 1), ("SCARF", 1)], [("TEE-M", 1), ("SCARF", 1), ("JEANS-42", 1)]]
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert reserve(api, body(lines, email=f"c{n}@example.com")).status_code == 201
        counts.append(len(ctx.captured_queries))
    # Every stock row of the reservation changes in one conditional statement, whatever the number of lines.
    assert counts[0] == counts[1] == counts[2], counts
