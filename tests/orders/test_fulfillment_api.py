"""The fulfillment API for the warehouse's WMS / 3PL and store handhelds (location keys): a location's work
list and its actions, through the same services and the same who-may-do-what rule as the store dashboard."""

import pytest
from django.utils import timezone

from inventory.models import StockLevel, StockMovement
from orders import services
from orders.models import OrderEvent
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import act, location_api, place

pytestmark = pytest.mark.django_db


def test_the_warehouse_works_a_home_delivery_and_reports_a_unit_missing(net):  # noqa: F811
    order = place(net, [("JEANS-42", 2, "89.90"), ("TEE-M", 1, "19.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    assert fulfillment.source_location.code == "WH01"
    wms = location_api(net["WH01"])

    work = wms.get("/api/v1/locations/WH01/fulfillments/", {"status": "pending"}).json()
    assert [(row["id"], row["order"], row["actions"]) for row in work["results"]] == [
        (fulfillment.id, order.number, ["cannot_fulfil", "report_short", "start_picking"])
    ]
    assert act(wms, fulfillment.id, action="start_picking").json()["status"] == "picking"
    short = act(wms, fulfillment.id, action="report_short", lines=[{"sku": "JEANS-42", "quantity": 1}])
    assert short.status_code == 200, short.content
    jeans = next(line for line in short.json()["lines"] if line["sku"] == "JEANS-42")
    assert (jeans["quantity_short"], jeans["quantity_open"]) == (1, 1)
    # The missing pair left the warehouse's stock: on-hand 3 → 2, committed 2 → 1 (available stays 1).
    level = StockLevel.objects.get(location=net["WH01"], sku__code="JEANS-42")
    assert (level.on_hand, level.committed) == (2, 1)
    movement = StockMovement.objects.get(reason="shortage")
    assert movement.api_key.name == "WH01 WMS" and movement.actor is None
    assert act(wms, fulfillment.id, action="mark_packed").json()["status"] == "packed"
    shipped = act(wms, fulfillment.id, action="mark_shipped", carrier="BRT", tracking_number="BRT-9")
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "BRT-9")
    assert OrderEvent.objects.get(order=order, type="shipped").api_key.name == "WH01 WMS"


def test_a_store_handheld_hands_over_with_the_pickup_code(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    handheld = location_api(net["MI01"])
    act(handheld, fulfillment.id, action="start_picking")
    ready = act(handheld, fulfillment.id, action="mark_ready")
    assert ready.json()["status"] == "ready_for_pickup" and "hand_over" in ready.json()["actions"]
    fulfillment.refresh_from_db()
    wrong = "000000" if fulfillment.pickup_code != "000000" else "111111"
    refused = act(handheld, fulfillment.id, action="hand_over", pickup_code=wrong)
    assert refused.status_code == 422 and refused.json()["error"]["details"] == {"attempts_left": 4}
    done = act(handheld, fulfillment.id, action="hand_over", pickup_code=fulfillment.pickup_code)
    assert done.json()["status"] == "collected" and done.json()["actions"] == []


def test_actions_not_possible_now_or_malformed_are_refused_and_change_nothing(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    wms = location_api(net["WH01"])
    too_early = act(wms, fulfillment.id, action="mark_shipped", carrier="BRT", tracking_number="X")
    assert too_early.status_code == 409
    assert too_early.json()["error"]["details"]["allowed"] == ["cannot_fulfil", "report_short", "start_picking"]
    assert act(wms, fulfillment.id, action="mark_shipped").status_code == 400  # carrier and tracking number
    assert act(wms, fulfillment.id, action="teleport").status_code == 400
    unknown = act(wms, fulfillment.id, action="report_short", lines=[{"sku": "SCARF", "quantity": 1}])
    assert unknown.status_code == 400 and unknown.json()["error"]["details"] == {"skus": ["SCARF"]}
    too_many = act(wms, fulfillment.id, action="report_short", lines=[{"sku": "JEANS-42", "quantity": 2}])
    assert too_many.status_code == 400
    assert wms.get("/api/v1/locations/WH01/fulfillments/", {"status": "flying"}).status_code == 400
    fulfillment.refresh_from_db()
    assert fulfillment.status == "pending" and not StockMovement.objects.filter(reason="shortage").exists()


def test_a_retried_action_with_the_same_idempotency_key_is_done_once(net):  # noqa: F811
    order = place(net, [("JEANS-42", 2, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    wms = location_api(net["WH01"])
    act(wms, fulfillment.id, action="start_picking")
    body = {"action": "report_short", "lines": [{"sku": "JEANS-42", "quantity": 1}]}
    first = act(wms, fulfillment.id, key="wms-77", **body)
    again = act(wms, fulfillment.id, key="wms-77", **body)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.filter(reason="shortage").count() == 1
    other = act(wms, fulfillment.id, key="wms-77", action="mark_packed")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_tracking_number_on_a_parcel_still_travelling_is_refused(net):  # noqa: F811
    first, second, third = (place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN) for _ in range(3))
    wms = location_api(net["WH01"])
    assert {order.fulfillments.get().source_location.code for order in (first, second, third)} == {"WH01"}
    for order in (first, second, third):
        fulfillment = order.fulfillments.get()
        act(wms, fulfillment.id, action="start_picking")
        act(wms, fulfillment.id, action="mark_packed")
    shipped = act(wms, first.fulfillments.get().id, action="mark_shipped", carrier="BRT", tracking_number="BRT-1")
    assert shipped.status_code == 200
    # The same number of the same carrier (whatever its case) while the first parcel travels: 409, nothing moves.
    again = act(wms, second.fulfillments.get().id, action="mark_shipped", carrier="brt", tracking_number="BRT-1")
    assert again.status_code == 409, again.content
    assert again.json()["error"]["code"] == "tracking_number_in_use"
    second_parcel = second.fulfillments.get()
    assert (second_parcel.status, second_parcel.tracking_number) == ("packed", "")
    assert StockLevel.objects.get(location=net["WH01"], sku__code="JEANS-42").committed == 2
    # Another carrier's number space is its own.
    other = act(wms, second_parcel.id, action="mark_shipped", carrier="GLS", tracking_number="BRT-1")
    assert other.status_code == 200
    # Once the first parcel is delivered, the carrier may reuse its number.
    services.record_tracking_event(
        carrier="BRT", tracking_number="BRT-1", event_id="e1", status="delivered", occurred_at=timezone.now()
    )
    assert first.fulfillments.get().status == "delivered"
    reused = act(wms, third.fulfillments.get().id, action="mark_shipped", carrier="BRT", tracking_number="BRT-1")
    assert reused.status_code == 200, reused.content
