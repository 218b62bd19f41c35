"""A parcel declared lost that the carrier brings back to its source (returned to sender, or found): its units are
booked back into the source's stock once, by the warehouse's WMS through the fulfillment API or by the store on its
dashboard; the customer's side (sent again or refunded by the lost parcel's case) does not change."""

import pytest

from inventory.models import StockMovement
from omnichannel.errors import InvalidTransition
from orders import services
from orders.models import OrderEvent
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import act, location_api, lost_parcel, place, shelf

pytestmark = pytest.mark.django_db


def test_the_units_of_a_lost_parcel_come_back_into_the_sources_stock_once(net):  # noqa: F811
    order, parcel = lost_parcel(net, [("JEANS-42", 2, "89.90"), ("TEE-M", 1, "19.90")])
    assert (shelf(net["WH01"], "JEANS-42"), shelf(net["WH01"], "TEE-M")) == ((1, 0), (9, 0))  # shipped: gone

    services.receive_parcel_back(fulfillment=parcel)

    assert (shelf(net["WH01"], "JEANS-42"), shelf(net["WH01"], "TEE-M")) == ((3, 0), (10, 0))
    back = StockMovement.objects.filter(reference=f"fulfillment:{parcel.pk}", reason="return")
    assert sorted(back.values_list("sku__code", "delta_on_hand")) == [("JEANS-42", 2), ("TEE-M", 1)]
    event = OrderEvent.objects.get(order=order, type="parcel_back_in_stock")
    assert event.fulfillment == parcel and event.data["location"] == "WH01"
    parcel.refresh_from_db()
    assert parcel.status == "lost" and parcel.back_in_stock_at is not None
    # The customer's side stays as the lost parcel left it: the units are missing on the order, to send or refund.
    assert order.lines.get(sku__code="JEANS-42").quantity_short_open == 2

    with pytest.raises(InvalidTransition):
        services.receive_parcel_back(fulfillment=parcel)
    assert shelf(net["WH01"], "JEANS-42") == (3, 0)
    assert back.count() == 2


def test_only_a_lost_parcel_can_be_booked_back(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    with pytest.raises(InvalidTransition):
        services.receive_parcel_back(fulfillment=parcel)
    assert shelf(net["WH01"], "JEANS-42") == (3, 1)
    assert not StockMovement.objects.filter(reference=f"fulfillment:{parcel.pk}").exists()


def test_the_warehouses_wms_books_it_back_through_the_fulfillment_api(net):  # noqa: F811
    _order, parcel = lost_parcel(net, [("JEANS-42", 1, "89.90")])
    wms, store = location_api(net["WH01"]), location_api(net["MI01"])

    listed = wms.get("/api/v1/locations/WH01/fulfillments/?status=lost").json()["results"]
    assert [(item["id"], item["actions"]) for item in listed] == [(parcel.pk, ["back_in_stock"])]
    assert act(store, parcel.pk, action="back_in_stock").status_code == 404  # not MI01's parcel
    assert shelf(net["WH01"], "JEANS-42") == (2, 0)

    answer = act(wms, parcel.pk, action="back_in_stock")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["actions"] == []
    assert shelf(net["WH01"], "JEANS-42") == (3, 0)
    again = act(wms, parcel.pk, action="back_in_stock")
    assert again.status_code == 409 and again.json()["error"]["code"] == "action_not_allowed"
    assert shelf(net["WH01"], "JEANS-42") == (3, 0)


def test_a_store_that_shipped_the_parcel_books_it_back_on_its_dashboard(client, net, mi01_staff):  # noqa: F811
    # MI01 is the closest source of a T-shirt to this customer: it ships it, the parcel is lost, then comes back.
    _order, parcel = lost_parcel(net, [("TEE-M", 1, "19.90")])
    assert parcel.source_location.code == "MI01"
    page = client.get(f"/dashboard/MI01/orders/{parcel.pk}/").content.decode()
    assert 'data-testid="back-in-stock"' in page
    before = shelf(net["MI01"], "TEE-M")

    answer = client.post(f"/dashboard/MI01/orders/{parcel.pk}/back_in_stock/")

    assert answer.status_code == 302
    assert shelf(net["MI01"], "TEE-M") == (before[0] + 1, before[1])
    page = client.get(f"/dashboard/MI01/orders/{parcel.pk}/").content.decode()
    assert 'data-testid="back-in-stock"' not in page and "items back in stock" in page
