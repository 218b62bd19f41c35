from decimal import Decimal

import pytest

from inventory import services as stock
from tests.inventory.factories import SKUFactory
from tests.stores.factories import LocationFactory, SalesChannelFactory

ALL = ["ship_from_store", "click_and_collect", "ship_to_store", "curbside", "same_day", "accepts_returns"]


@pytest.fixture
def net(db):
    """A warehouse near Milan, two Milan stores, Bergamo (collect + ship-to-store only), Verona (collect only)."""
    web = SalesChannelFactory(code="web", kind="web")
    locations = {
        "WH01": LocationFactory(
            code="WH01",
            kind="warehouse",
            latitude=45.3237,
            longitude=9.1371,
            capabilities=["ships"],
            fulfillment_priority=10,
        ),
        "MI01": LocationFactory(code="MI01", latitude=45.4786, longitude=9.2105, capabilities=ALL),
        "MI02": LocationFactory(code="MI02", latitude=45.4615, longitude=9.1866, capabilities=ALL),
        "BG01": LocationFactory(
            code="BG01", latitude=45.6955, longitude=9.6675, capabilities=["click_and_collect", "ship_to_store"]
        ),
        "VR01": LocationFactory(code="VR01", latitude=45.4413, longitude=10.9974, capabilities=["click_and_collect"]),
    }
    web.source_locations.set([locations["WH01"], locations["MI01"], locations["MI02"]])
    skus = {code: SKUFactory(code=code) for code in ("TEE-M", "JEANS-42", "SCARF")}
    for location, sku, qty in [
        ("WH01", "TEE-M", 10),
        ("WH01", "JEANS-42", 3),
        ("MI01", "TEE-M", 2),
        ("MI02", "SCARF", 1),
        ("BG01", "SCARF", 2),
    ]:
        stock.receive_stock(location=locations[location], sku=skus[sku], quantity=qty)
    return {"web": web, "skus": skus, **locations}


def payload(lines, fulfillment, *, shipping="0.00", email="giulia@example.com", amount=None, currency="EUR"):
    total = sum(Decimal(price) * qty for _sku, qty, price in lines) + Decimal(shipping)
    return {
        "external_id": "",
        "customer": {
            "email": email,
            "phone": "+393331234567",
            "name": "Giulia Rossi",
            "locale": "it",
            "marketing_consent": False,
        },
        "lines": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines],
        "fulfillment": fulfillment,
        "payment": {"provider": "manual", "reference": "pi_1", "amount": amount or str(total), "currency": currency},
        "shipping_price": shipping,
    }


HOME_MILAN = {
    "method": "home_delivery",
    "speed": "standard",
    "address": {
        "name": "Giulia Rossi",
        "line1": "Via Dante 1",
        "city": "Milano",
        "postcode": "20121",
        "country": "IT",
        "lat": 45.4660,
        "lon": 9.1859,
    },
}
