"""Serializers built once per thread (`omnichannel.api.serializers.validated` and `represent`): the same data, the
same answers and the same 400s as a serializer built for each request, whatever was validated before and in
whichever thread."""

import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.exceptions import ValidationError

from omnichannel.api.serializers import represent, validated
from orders import selectors, services
from orders.placement.serializers import OrderCreateInput, OrderOutput
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401


def drf_errors(body) -> dict:
    serializer = OrderCreateInput(data=body)
    assert not serializer.is_valid()
    return serializer.errors


def test_validated_gives_what_a_new_serializer_gives_and_refuses_alike():
    good = payload([("TEE-M", 2, "19.90")], HOME_MILAN)
    fresh = OrderCreateInput(data=good)
    assert fresh.is_valid()
    assert validated(OrderCreateInput, good) == fresh.validated_data

    bad = payload([("TEE-M", 0, "19.90")], {"method": "store_pickup"})
    bad["customer"]["email"] = "not an email"
    bad["colour"] = "red"
    with pytest.raises(ValidationError) as refused:
        validated(OrderCreateInput, bad)
    assert refused.value.detail == drf_errors(bad)
    assert set(refused.value.detail) == {"customer", "lines", "fulfillment", "colour"}

    # Nothing of the refused body stays behind for the next request in this thread.
    other = payload([("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "BG01"})
    data = validated(OrderCreateInput, other)
    assert [line["sku"] for line in data["lines"]] == ["SCARF"]
    assert data["fulfillment"] == {"method": "store_pickup", "pickup_location": "BG01"}
    assert data["customer"]["email"] == "giulia@example.com"


def test_validated_in_many_threads_at_once_keeps_each_body_its_own():
    results, failures = {}, []
    start = threading.Barrier(8)

    def check(n):
        start.wait()
        try:
            for round_ in range(50):
                body = payload([(f"SKU-{n}-{round_}", n + 1, "10.00")], HOME_MILAN, email=f"c{n}@example.com")
                data = validated(OrderCreateInput, body)
                assert data["lines"][0]["sku"] == f"SKU-{n}-{round_}"
                assert data["lines"][0]["quantity"] == n + 1
                assert data["customer"]["email"] == f"c{n}@example.com"
            results[n] = True
        except Exception as exc:  # reported below with the thread that saw it
            failures.append((n, exc))

    threads = [threading.Thread(target=check, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(results) == list(range(8))


@override_settings(PUBLIC_BASE_URL="", ALLOWED_HOSTS=["shop.example.com", "app.example.com"])
def test_represent_is_the_serializers_data_with_each_calls_request(net):  # noqa: F811
    order = services.place_order(
        channel=net["web"],
        customer={"email": "giulia@example.com", "phone": "+393331234567", "locale": "it"},
        lines=[
            {"sku": "TEE-M", "quantity": 2, "unit_price": "19.90"},
            {"sku": "SCARF", "quantity": 1, "unit_price": "45.00"},
        ],
        fulfillment=HOME_MILAN,
        payment={"provider": "manual", "amount": "84.80", "currency": "EUR"},
        shipping_price=Decimal("0"),
    )
    shop = RequestFactory().get("/", HTTP_HOST="shop.example.com")
    app = RequestFactory().get("/", HTTP_HOST="app.example.com")
    shop.user = app.user = SimpleNamespace(kind="channel")  # the order's channel's key: it gets the customer's links
    detail = selectors.with_details(order)

    assert represent(OrderOutput, detail, request=shop) == OrderOutput(detail, context={"request": shop}).data
    assert len(represent(OrderOutput, detail, request=shop)["fulfillments"]) == 2
    # The context is the call's: the tracking link is on the host each request came to.
    assert represent(OrderOutput, detail, request=app)["tracking_url"].startswith("http://app.example.com/track/")
    assert represent(OrderOutput, detail, request=shop)["tracking_url"].startswith("http://shop.example.com/track/")
