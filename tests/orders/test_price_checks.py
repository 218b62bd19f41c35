"""A unit price below the channel's listing is refused (issue 24, item 10): reductions come as the order's
discount; a pricing-authority channel (a marketplace that collected the money) is placed and flagged."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import StockLevel
from orders.models import Order
from stores.services import create_api_key
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401  (fixture)
from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


def client_for(channel) -> APIClient:
    _row, key = create_api_key(channel=channel)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def order(api, price, *, discount="0.00", sku="JEANS-42"):
    body = payload([(sku, 1, price)], HOME_MILAN)
    body["discount"] = discount
    body["payment"]["amount"] = str(Decimal(price) - Decimal(discount))
    return api.post("/api/v1/orders/", body, format="json")


@pytest.fixture
def listed(net):  # noqa: F811
    ChannelListingFactory(channel=net["web"], sku=net["skus"]["JEANS-42"], price=Decimal("79.90"))
    return net


def test_a_line_below_the_listing_is_refused_and_nothing_is_written(listed):
    api = client_for(listed["web"])
    refused = order(api, "0.01")
    assert refused.status_code == 422, refused.content
    error = refused.json()["error"]
    assert error["code"] == "price_mismatch" and "79.90" in error["message"]
    assert error["details"]["lines"] == [{"sku": "JEANS-42", "unit_price": "0.01", "listing_price": "79.90"}]
    assert not Order.objects.exists()
    assert StockLevel.objects.get(location=listed["WH01"], sku__code="JEANS-42").committed == 0
    # The listing price with a reduction as the order's discount is fine; so is an item the channel does not list.
    assert order(api, "79.90", discount="20.00").status_code == 201
    assert order(api, "5.00", sku="TEE-M").status_code == 201


def test_the_tolerance_is_a_setting_in_percent(listed, settings):
    settings.ORDER_PRICE_TOLERANCE_PERCENT = 5  # 79.90 less 5% = 75.91
    api = client_for(listed["web"])
    assert order(api, "75.91").status_code == 201
    assert order(api, "75.90").json()["error"]["code"] == "price_mismatch"


def test_a_pricing_authority_channel_is_placed_and_flagged_for_head_office(listed):
    marketplace = SalesChannelFactory(code="zalando", kind="marketplace", pricing_authority=True)
    marketplace.source_locations.set([listed["WH01"]])
    ChannelListingFactory(channel=marketplace, sku=listed["skus"]["JEANS-42"], price=Decimal("79.90"))
    placed = order(client_for(marketplace), "59.90")
    assert placed.status_code == 201, placed.content
    flagged = Order.objects.get(number=placed.json()["number"])
    assert flagged.price_review
    below = flagged.events.get(type="order_placed").data["below_listing"]
    assert below == [{"sku": "JEANS-42", "unit_price": "59.90", "listing_price": "79.90"}]
    assert not Order.objects.filter(price_review=True).exclude(pk=flagged.pk).exists()
