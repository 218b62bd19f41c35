"""Every API endpoint × every kind of caller × another channel's / carrier's data.

A row per endpoint says who gets what; the test fails when an endpoint is added without a row. Callers: no key,
a dashboard login (no key: sessions are not API credentials), the web channel's key (the owner of the data),
the marketplace's key (another channel), a location's key, two carriers' keys (BRT carries the parcel, SDA does
not), a care key and a head-office key. A refused request changes nothing (orders, reservations, parcels, stock,
messages and events are compared before and after)."""

import pytest
from django.db.models import Sum
from django.urls import URLPattern
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import StockLevel
from notifications.models import Notification
from omnichannel.api import urls as api_urls
from orders import services
from orders.models import (
    Fulfillment,
    Order,
    OrderEvent,
    Reservation,
    ReservationEvent,
    Return,
    ReturnEvent,
    TrackingEvent,
)
from stores.services import create_api_key
from support_playbook.models import Case, CaseEvent
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.orders.returns_helpers import deliver
from tests.stores.factories import SalesChannelFactory, StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CALLERS = [
    "none",
    "session",
    "web",
    "marketplace",
    "location",
    "other_location",
    "carrier",
    "other_carrier",
    "care",
    "head_office",
]
NO_KEY = {"none": 401, "session": 401}


def expect(**allowed) -> dict:
    """Statuses per caller: 401 without a key, 403 for key kinds the endpoint does not serve, else as given."""
    return {**{caller: 403 for caller in CALLERS}, **NO_KEY, **allowed}


def order_body(w):
    return {**payload([("TEE-M", 1, "19.90")], HOME_MILAN, email="new@example.com"), "channel": "web"}


def reservation_body(w):
    return {
        "channel": "web",
        "customer": {"email": "new@example.com"},
        "location": "MI01",
        "lines": [{"sku": "TEE-M", "quantity": 1}],
    }


def tracking_body(w):
    return {
        "tracking_number": "BRT-777",
        "event_id": "scan-1",
        "status": "delivered",
        "occurred_at": "2026-11-24T09:30:00+01:00",
    }


def return_body(w):
    return {
        "customer": {"email": "giulia@example.com"},
        "how": "in_store",
        "location": "MI01",
        "lines": [{"order": w["delivered"], "sku": "TEE-M", "quantity": 1, "reason": "too_small"}],
    }


def receive_body(w):
    return {
        "lines": [
            {"order": w["returned"], "sku": "TEE-M", "received": 1, "dispositions": {"restock_here": 1}},
        ]
    }


PUBLIC = {caller: 200 for caller in CALLERS}
# name → (method, path, body, expected status per caller). {order}, {reservation} are the web channel's.
MATRIX = {
    "locations": ("get", "/api/v1/locations/", None, {**NO_KEY, **{c: 200 for c in CALLERS[2:]}}),
    "products": ("get", "/api/v1/products/", None, expect(web=200, marketplace=200, care=200, head_office=200)),
    "product": (
        "get",
        "/api/v1/products/TEE-M/",
        None,
        expect(web=200, marketplace=200, care=200, head_office=200),
    ),
    "availability": (
        "get",
        "/api/v1/availability/?skus=TEE-M&channel=web",
        None,
        expect(web=200, marketplace=403, care=200, head_office=200),
    ),
    "availability-feed": (
        "get",
        "/api/v1/channels/web/availability-feed/",
        None,
        expect(web=200, marketplace=403, head_office=200),
    ),
    "orders": ("post", "/api/v1/orders/", order_body, expect(web=201)),
    "orders:list": ("get", "/api/v1/orders/", None, expect(web=200, marketplace=200, head_office=200)),
    "order": ("get", "/api/v1/orders/{order}/", None, expect(web=200, marketplace=404, head_office=200)),
    "order:patch": (
        "patch",
        "/api/v1/orders/{order}/",
        lambda w: {"shipping_address": {**HOME_MILAN["address"], "line1": "Via Torino 2"}},
        expect(web=200, marketplace=404),
    ),
    "order-cancel": ("post", "/api/v1/orders/{order}/cancel/", lambda w: {}, expect(web=200, marketplace=404)),
    "reservations": ("post", "/api/v1/reservations/", reservation_body, expect(web=201)),
    "reservation": (
        "get",
        "/api/v1/reservations/{reservation}/",
        None,
        expect(web=200, marketplace=404, head_office=200),
    ),
    "reservation-cancel": (
        "post",
        "/api/v1/reservations/{reservation}/cancel/",
        lambda w: {},
        expect(web=200, marketplace=404),
    ),
    "tracking-events": ("post", "/api/v1/tracking-events/", tracking_body, expect(carrier=201, other_carrier=404)),
    "location-fulfillments": (
        "get",
        "/api/v1/locations/MI01/fulfillments/",
        None,
        expect(location=200, other_location=404),
    ),
    "fulfillment-actions": (
        "post",
        "/api/v1/fulfillments/{at_mi01}/actions/",
        lambda w: {"action": "start_picking"},
        expect(location=200, other_location=404),
    ),
    "returns": ("post", "/api/v1/returns/", return_body, expect(web=201, marketplace=404)),
    "return": ("get", "/api/v1/returns/{ret}/", None, expect(web=200, marketplace=404, head_office=200)),
    "return-cancel": ("post", "/api/v1/returns/{ret}/cancel/", lambda w: {}, expect(web=200, marketplace=404)),
    "return-receive": (
        "post",
        "/api/v1/returns/{ret}/receive/",
        receive_body,
        expect(location=200, other_location=404),
    ),
    "return-transfer-shipped": (
        "post",
        "/api/v1/returns/{to_ship}/transfer-shipped/",
        lambda w: {},
        expect(location=200, other_location=404),
    ),
    "return-transfer-received": (
        "post",
        "/api/v1/returns/{shipped}/transfer-received/",
        lambda w: {},
        expect(location=404, other_location=200),
    ),
    "location-sales": (
        "post",
        "/api/v1/locations/MI01/sales/",
        lambda w: {
            "receipts": [
                {
                    "register": "T1",
                    "receipt": "0001",
                    "at": "2026-12-05T10:00:00+01:00",
                    "lines": [{"line": 1, "sku": "TEE-M", "quantity": 1, "unit_price": "19.90"}],
                }
            ]
        },
        expect(location=200, other_location=404),
    ),
    "location-counts": (
        "post",
        "/api/v1/locations/MI01/counts/",
        lambda w: {"count": "C-1", "reads": [{"sku": "TEE-M", "quantity": 1}]},
        expect(location=200, other_location=404),
    ),
    "return-reasons": (
        "get",
        "/api/v1/return-reasons/",
        None,
        expect(web=200, marketplace=200, location=200, other_location=200, care=200, head_office=200),
    ),
    "location-returns": (
        "get",
        "/api/v1/locations/MI01/returns/",
        None,
        expect(location=200, other_location=404),
    ),
    "cases": ("get", "/api/v1/cases/", None, expect(care=200, head_office=200)),
    "case": ("get", "/api/v1/cases/{case}/", None, expect(care=200, head_office=200)),
    "case-actions": (
        "post",
        "/api/v1/cases/{case}/actions/",
        lambda w: {"action": "note", "params": {"text": "Called the customer"}},
        expect(care=200),
    ),
    "schema": ("get", "/api/v1/schema/", None, PUBLIC),
    "docs": ("get", "/api/v1/docs/", None, PUBLIC),
    "redoc": ("get", "/api/v1/redoc/", None, PUBLIC),
}


def test_every_api_endpoint_has_a_row_in_the_matrix():
    names = {p.name for p in api_urls.urlpatterns if isinstance(p, URLPattern) and p.name}
    rows = {name.split(":")[0] for name in MATRIX}
    assert names - rows == set(), "a new endpoint needs its row in MATRIX"


@pytest.fixture
def world(net, client, return_reasons):  # noqa: F811
    marketplace = SalesChannelFactory(code="marketplace", kind="marketplace")
    marketplace.source_locations.set([net["WH01"], net["MI01"]])
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=10)
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    reservation = services.reserve_items(
        channel=net["web"],
        customer={"email": "giulia@example.com"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )
    at_mi01 = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    at_mi01 = at_mi01.fulfillments.get()
    assert at_mi01.source_location == net["MI01"]
    parcel = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN).fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number="BRT-777")
    missing = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN).fulfillments.get()
    services.report_missing(fulfillment_line=missing.lines.get(), quantity=1)
    case = Case.objects.get(order=missing.order)
    delivered, returned = (deliver(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)) for _ in range(2))
    return_request = services.request_return(
        how="in_store",
        location=net["MI01"],
        lines=[{"order": returned.number, "sku": "TEE-M", "quantity": 1, "reason": "too_big"}],
    )
    # Returns received in MI01 with a unit for the returns centre (WH01): one still there, one on its way.
    net["WH01"].capabilities = ["ships", "accepts_returns"]
    net["WH01"].save(update_fields=["capabilities"])
    transfers = []
    for _ in range(2):
        sent_on = deliver(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
        transfer = services.request_return(
            how="in_store",
            location=net["MI01"],
            lines=[{"order": sent_on.number, "sku": "TEE-M", "quantity": 1, "reason": "too_big"}],
        )
        services.receive_return(
            return_request=transfer,
            location=net["MI01"],
            lines=[{"order": sent_on.number, "sku": "TEE-M", "received": 1, "dispositions": {"send_to_warehouse": 1}}],
        )
        transfers.append(transfer)
    services.ship_return_transfer(return_request=transfers[1], location=net["MI01"])
    keys = {
        "web": create_api_key(channel=net["web"]),
        "marketplace": create_api_key(channel=marketplace),
        "location": create_api_key(kind="location", location=net["MI01"]),
        "other_location": create_api_key(kind="location", location=net["WH01"]),
        "carrier": create_api_key(kind="carrier", carrier="BRT"),
        "other_carrier": create_api_key(kind="carrier", carrier="SDA"),
        "care": create_api_key(kind="care"),
        "head_office": create_api_key(kind="head_office"),
    }
    clients = {}
    for caller in CALLERS:
        api = APIClient()
        if caller in keys:
            api.credentials(HTTP_AUTHORIZATION=f"Api-Key {keys[caller][1]}")
        elif caller == "session":
            user = UserFactory(username="mi01.associate")
            StoreMembershipFactory(user=user, location=net["MI01"])
            api.force_login(user)
        clients[caller] = api
    return {
        "order": order.number,
        "reservation": reservation.number,
        "at_mi01": at_mi01.pk,
        "case": case.pk,
        "delivered": delivered.number,
        "returned": returned.number,
        "ret": return_request.number,
        "to_ship": transfers[0].number,
        "shipped": transfers[1].number,
        "clients": clients,
        "net": net,
    }


def state() -> tuple:
    return (
        list(Order.objects.order_by("id").values_list("status", "shipping_address")),
        list(Reservation.objects.order_by("id").values_list("status", flat=True)),
        list(Fulfillment.objects.order_by("id").values_list("status", flat=True)),
        StockLevel.objects.aggregate(Sum("committed"), Sum("on_hand")),
        OrderEvent.objects.count(),
        ReservationEvent.objects.count(),
        TrackingEvent.objects.count(),
        Notification.objects.count(),
        CaseEvent.objects.count(),
        list(Return.objects.order_by("id").values_list("status", "transfer_shipped_at", "transfer_received_at")),
        ReturnEvent.objects.count(),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_authorization_matrix(world, endpoint, caller):
    method, path, body, expected = MATRIX[endpoint]
    path = path.format(
        order=world["order"],
        reservation=world["reservation"],
        at_mi01=world["at_mi01"],
        case=world["case"],
        ret=world["ret"],
        to_ship=world["to_ship"],
        shipped=world["shipped"],
    )
    before = state()
    kwargs = {"format": "json"} if body else {}
    data = body(world) if body else None
    response = getattr(world["clients"][caller], method)(path, data, **kwargs)
    assert response.status_code == expected[caller], (endpoint, caller, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["error"]["code"], response.content
        assert state() == before, f"{caller} was refused {endpoint} but something changed"
    if endpoint == "orders:list" and caller == "marketplace":
        assert world["order"] not in response.content.decode()  # another channel's orders are not listed
