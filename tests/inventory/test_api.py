import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inventory import services
from stores.services import create_api_key
from tests.inventory.factories import ProductFactory, SKUFactory
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db


def test_products_carry_their_skus_with_the_channel_price(api, shop):
    body = api.get("/api/v1/products/").json()
    assert [p["style"] for p in body["results"]] == ["TSH001"]
    skus = body["results"][0]["skus"]
    assert skus == [
        {
            "sku": "TSH001-NER-L",
            "gtin": "8012345000029",
            "colour": "Nero",
            "size": "L",
            "price": "21.90",
            "currency": "EUR",
        },
        {
            "sku": "TSH001-NER-M",
            "gtin": "8012345000012",
            "colour": "Nero",
            "size": "M",
            "price": "19.90",
            "currency": "EUR",
        },
    ]
    assert "next" in body and "previous" in body


def test_products_are_cursor_paginated(api, shop):
    for n in range(5):
        SKUFactory(product=ProductFactory(style=f"X{n}"), code=f"X{n}-M")
    first = api.get("/api/v1/products/?page_size=4").json()
    assert len(first["results"]) == 4 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None


def test_product_by_sku(api, shop):
    body = api.get("/api/v1/products/TSH001-NER-M/").json()
    assert body["style"] == "TSH001" and {s["sku"] for s in body["skus"]} == {"TSH001-NER-M", "TSH001-NER-L"}


def test_unknown_sku_is_404_with_the_error_shape(api, shop):
    response = api.get("/api/v1/products/NOPE/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Unknown SKU: NOPE", "details": {"sku": "NOPE"}}
    }


def test_availability_per_channel_and_location(api, shop):
    body = api.get("/api/v1/availability/?skus=TSH001-NER-M,TSH001-NER-L").json()
    tee_m, tee_l = body["results"]
    # MI01 3 - safety 1 = 2; MI02 2; WH01 10; RM01 does not sell on web.
    assert tee_m == {
        "sku": "TSH001-NER-M",
        "channel_available": 14,
        "locations": [
            {"location": "MI01", "available": 2},
            {"location": "MI02", "available": 2},
            {"location": "RM01", "available": 4},
            {"location": "WH01", "available": 10},
        ],
    }
    assert tee_l == {"sku": "TSH001-NER-L", "channel_available": 1, "locations": [{"location": "WH01", "available": 1}]}


def test_availability_counts_holds_and_the_channel_buffer(api, shop, web_channel):
    services.hold_stock(lines=[(shop["WH01"], shop["tee_m"], 9)], kind="allocation", reference="o:1")
    web_channel.safety_buffer = 2
    web_channel.save()
    tee_m = api.get("/api/v1/availability/?skus=TSH001-NER-M").json()["results"][0]
    assert tee_m["channel_available"] == 2 + 2 + 1 - 2
    assert {"location": "WH01", "available": 1} in tee_m["locations"]


def test_availability_near_and_location(api, shop):
    near = api.get("/api/v1/availability/?skus=TSH001-NER-M&near=45.4642,9.1900").json()["results"][0]
    assert [entry["location"] for entry in near["locations"]] == ["MI02", "MI01", "WH01", "RM01"]
    assert near["locations"][0]["distance_km"] < 2
    one = api.get("/api/v1/availability/?skus=TSH001-NER-L&location=MI02").json()["results"][0]
    assert one["locations"] == [{"location": "MI02", "available": 0}]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("", 400, "invalid"),
        ("?skus=", 400, "invalid"),
        ("?skus=,,", 400, "invalid"),
        ("?skus=" + ",".join(f"S{n}" for n in range(101)), 400, "invalid"),
        ("?skus=TSH001-NER-M&near=45", 400, "invalid"),
        ("?skus=TSH001-NER-M&near=x,y", 400, "invalid"),
        ("?skus=TSH001-NER-M,GHOST", 404, "not_found"),
        ("?skus=TSH001-NER-M&location=XX99", 404, "not_found"),
        ("?skus=TSH001-NER-M&channel=nope", 404, "not_found"),
    ],
)
def test_availability_bad_input(api, shop, query, status, code):
    response = api.get(f"/api/v1/availability/{query}")
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code


def test_unknown_skus_are_named(api, shop):
    response = api.get("/api/v1/availability/?skus=GHOST,TSH001-NER-M,BOO")
    assert response.json()["error"]["details"] == {"skus": ["GHOST", "BOO"]}


def test_a_key_speaks_only_for_its_own_channel(api, shop):
    SalesChannelFactory(code="marketplace", kind="marketplace")
    response = api.get("/api/v1/availability/?skus=TSH001-NER-M&channel=marketplace")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_marketplace_key_sees_its_own_sources(shop):
    marketplace = SalesChannelFactory(code="marketplace", kind="marketplace")
    marketplace.source_locations.set([shop["WH01"]])
    _row, raw_key = create_api_key(channel=marketplace)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    tee_m = client.get("/api/v1/availability/?skus=TSH001-NER-M").json()["results"][0]
    assert tee_m["channel_available"] == 10


def test_availability_query_count_does_not_grow_with_skus_or_locations(api, shop, web_channel):
    def queries_for(skus):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/availability/?skus={','.join(skus)}&near=45.46,9.19").status_code == 200
        return len(ctx.captured_queries)

    # API key, network snapshot (3), the channel's withdrawn listings (cached like the snapshot), stock levels.
    assert queries_for(["TSH001-NER-M"]) == 1 + 3 + 1 + 1
    small = queries_for(["TSH001-NER-M"])
    extra_locations = [LocationFactory(code=f"S{n:02d}") for n in range(15)]
    web_channel.source_locations.add(*extra_locations)
    many = []
    for n in range(20):
        sku = SKUFactory(code=f"MANY-{n}")
        many.append(sku.code)
        for location in extra_locations[:5]:
            services.receive_stock(location=location, sku=sku, quantity=2)
    assert queries_for(many) == small + 3  # the network changed: the snapshot is rebuilt once, in 3 queries
    assert queries_for(many) == small == 1  # stock levels only: key, channel and locations are cached


def test_a_sku_out_of_stock_everywhere_costs_one_more_query(api, shop):
    api.get("/api/v1/availability/?skus=TSH001-NER-M")
    SKUFactory(code="SOLD-OUT")
    with CaptureQueriesContext(connection) as ctx:
        body = api.get("/api/v1/availability/?skus=SOLD-OUT").json()
    assert body["results"] == [{"sku": "SOLD-OUT", "channel_available": 0, "locations": []}]
    assert len(ctx.captured_queries) == 2


def test_new_locations_show_at_once_in_this_process(api, shop, web_channel):
    assert api.get("/api/v1/availability/?skus=TSH001-NER-L").json()["results"][0]["channel_available"] == 1
    new_store = LocationFactory(code="MI03")
    web_channel.source_locations.add(new_store)
    services.receive_stock(location=new_store, sku=shop["tee_l"], quantity=4)
    assert api.get("/api/v1/availability/?skus=TSH001-NER-L").json()["results"][0]["channel_available"] == 5
    new_store.active = False
    new_store.save()
    assert api.get("/api/v1/availability/?skus=TSH001-NER-L").json()["results"][0]["channel_available"] == 1
