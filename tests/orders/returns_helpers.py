"""Orders that reached the customer, ready to come back (the returns tests' starting point)."""

from decimal import Decimal

import pytest

from inventory.models import StockLevel
from orders import services
from orders.models import Order
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401  (fixture)
from tests.stores.factories import LocationFactory


@pytest.fixture
def rnet(net, return_reasons):  # noqa: F811
    """`net` with WH01 as the returns centre and a locker in Milan."""
    net["WH01"].capabilities = ["ships", "accepts_returns"]
    net["WH01"].save(update_fields=["capabilities"])
    net["LK01"] = LocationFactory(code="LK01", kind="locker", name="Locker Centrale", capabilities=[])
    return net


def place(net, lines, fulfillment=HOME_MILAN, *, shipping="0.00", discount="0.00", email="giulia@example.com"):
    data = payload(lines, fulfillment, shipping=shipping, email=email)
    total = Decimal(data["payment"]["amount"]) - Decimal(discount)
    return services.place_order(
        channel=net["web"],
        customer={**data["customer"], "locale": "en"},
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment={**data["payment"], "amount": str(total)},
        shipping_price=Decimal(shipping),
        discount=Decimal(discount),
    )


def deliver(order: Order) -> Order:
    """Every parcel of a home-delivery order picked, packed, shipped (paid) and delivered."""
    for fulfillment in order.fulfillments.all():
        services.start_picking(fulfillment=fulfillment)
        services.mark_packed(fulfillment=fulfillment)
        services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number=f"BRT{fulfillment.pk}")
        services.mark_delivered(fulfillment=fulfillment)
    order.refresh_from_db()
    return order


def delivered(net, lines, **kw) -> Order:
    return deliver(place(net, lines, **kw))


def collect(order: Order) -> Order:
    """A click & collect order picked, made ready and handed over at its store."""
    for fulfillment in order.fulfillments.all():
        services.start_picking(fulfillment=fulfillment)
        services.mark_ready_for_pickup(fulfillment=fulfillment)
        fulfillment.refresh_from_db()
        services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    order.refresh_from_db()
    return order


def available(net, location, sku) -> int:
    row = StockLevel.objects.get(location=net[location], sku=net["skus"][sku])
    return row.on_hand - row.committed - row.safety_stock


def stock_row(net, location, sku) -> tuple[int, int]:
    row = StockLevel.objects.get(location=net[location], sku=net["skus"][sku])
    return row.on_hand, row.committed


def line(order, sku, quantity=1, reason="too_small", **extra) -> dict:
    return {"order": order.number, "sku": sku, "quantity": quantity, "reason": reason, **extra}


def received(order, sku, count, **dispositions) -> dict:
    return {"order": order.number, "sku": sku, "received": count, "dispositions": dispositions}
