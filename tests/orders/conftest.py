from decimal import Decimal

import pytest

from inventory import services as stock
from tests.inventory.factories import SKUFactory
from tests.stores.factories import LocationFactory, SalesChannelFactory, StoreMembershipFactory, UserFactory

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


# Milan's week (as the demo's big stores) and a store that closes for lunch and on Sunday.
WEEK_STORE = {
    **{day: [["10:00", "19:30"]] for day in ("mon", "tue", "wed", "thu")},
    "fri": [["10:00", "20:00"]],
    "sat": [["10:00", "20:00"]],
    "sun": [["11:00", "19:00"]],
}
WEEK_SPLIT = {
    **{day: [["09:30", "13:00"], ["15:30", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    "sun": [],
}


@pytest.fixture
def shops(db):
    """Click & reserve: Milan (reserve, 5 tees + 1 pair of jeans + 2 scarves), Bergamo (split hours, reserve),
    Verona (no click & reserve); the web channel."""
    web = SalesChannelFactory(code="web", kind="web")
    milan = LocationFactory(
        code="MI01",
        name="Brunello Milano",
        address="Corso Buenos Aires 33",
        city="Milano",
        latitude=45.4786,
        longitude=9.2105,
        opening_hours=WEEK_STORE,
        capabilities=["click_and_collect", "click_and_reserve"],
    )
    bergamo = LocationFactory(
        code="BG01",
        city="Bergamo",
        latitude=45.6955,
        longitude=9.6675,
        opening_hours=WEEK_SPLIT,
        capabilities=["click_and_reserve"],
    )
    verona = LocationFactory(code="VR01", latitude=45.4413, longitude=10.9974, capabilities=["click_and_collect"])
    web.source_locations.set([milan, bergamo, verona])
    skus = {code: SKUFactory(code=code) for code in ("TEE-M", "JEANS-42", "SCARF")}
    for location, sku, qty in [
        (milan, "TEE-M", 5),
        (milan, "JEANS-42", 1),
        (milan, "SCARF", 2),
        (bergamo, "TEE-M", 2),
        (verona, "TEE-M", 3),
    ]:
        stock.receive_stock(location=location, sku=skus[sku], quantity=qty)
    return {"web": web, "skus": skus, "MI01": milan, "BG01": bergamo, "VR01": verona}


def customer(email="giulia@example.com", *, locale="en", phone="+393331234567", name="Giulia Rossi"):
    return {"email": email, "phone": phone, "name": name, "locale": locale, "marketing_consent": False}


@pytest.fixture
def mi01_staff(client, net):
    user = UserFactory(username="mi01.associate")
    StoreMembershipFactory(user=user, location=net["MI01"])
    client.force_login(user)
    return user
