"""What order tests do over and over: place an order as the web shop, read stock and money, reserve, ship. Plain
functions (the fixtures are in conftest.py); imported by the tests of every app, never from another test module."""

from rest_framework.test import APIClient

from inventory.models import StockLevel
from orders import services
from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN
from tests.orders.factories import PlacedOrderFactory


def place(net, lines, fulfillment, **kw):
    return PlacedOrderFactory(net=net, lines=lines, fulfillment=fulfillment, **kw)


def level(net, location, sku):
    row = StockLevel.objects.get(location=net[location], sku=net["skus"][sku])
    return row.on_hand, row.committed


def events(order):
    return list(order.events.values_list("type", flat=True))


def money(order):
    p = order.payment
    p.refresh_from_db()
    # Given back: refunded of what was captured, or released of what never was (test_money_back tells them apart).
    return p.authorized_amount, p.captured_amount, p.refunded_amount + p.released_amount


def reserved_at_mi01(net, *, customer=None):
    """One tee held at MI01 (made a click & reserve store) for Giulia: the reservation tests' starting point."""
    from orders import services

    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    return services.reserve_items(
        channel=net["web"],
        customer=customer or {"email": "giulia@example.com"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )


def no_show_at_mi01(net):
    """`reserved_at_mi01`, and nobody came: the hold ended (a no-show case and a put-back task are open)."""
    import time_machine
    from django.utils import timezone

    from orders import services

    reservation = reserved_at_mi01(net)
    with time_machine.travel(reservation.expires_at + timezone.timedelta(minutes=1)):
        services.expire_reservations()
    return reservation


def shipped(order, tracking_number="BRT-55"):
    """The order's one parcel picked, packed and shipped with BRT (paid at shipping)."""
    from orders import services

    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number=tracking_number)
    parcel.refresh_from_db()
    return parcel


def location_api(location) -> APIClient:
    _row, key = create_api_key(kind="location", location=location, name=f"{location.code} WMS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def act(api, fulfillment_id, key=None, **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(f"/api/v1/fulfillments/{fulfillment_id}/actions/", body, format="json", **headers)


def lost_parcel(net, lines, fulfillment=HOME_MILAN):
    order = place(net, lines, fulfillment)
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number="BRT-77")
    services.declare_parcel_lost(fulfillment=parcel, reason="returned_to_sender")
    parcel.refresh_from_db()
    return order, parcel


def shelf(location, sku) -> tuple[int, int]:
    level = StockLevel.objects.get(location=location, sku__code=sku)
    return level.on_hand, level.committed
