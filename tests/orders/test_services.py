from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import StockHold, StockLevel, StockMovement
from omnichannel.errors import InvalidTransition, NotFound
from orders import services
from orders.errors import InvalidOrder, MethodNotOffered, OrderNotChangeable, PaymentMismatch, WrongPickupCode
from orders.models import Order
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN
from tests.orders.helpers import events, level, money, place

pytestmark = pytest.mark.django_db


def test_home_delivery_from_placement_to_delivered(net):
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN, shipping="4.90")
    (fulfillment,) = order.fulfillments.all()
    assert (fulfillment.source_location.code, fulfillment.flow, order.status) == ("WH01", "ship", "placed")
    assert level(net, "WH01", "JEANS-42") == (3, 1)
    assert money(order) == (Decimal("94.80"), 0, 0)
    assert order.sourcing["explanation"][0]["location"] == "WH01" and order.sourcing["explanation"][0]["chosen"]

    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    with pytest.raises(InvalidTransition) as excinfo:
        services.mark_delivered(fulfillment=fulfillment)
    assert excinfo.value.details == {"current": "packed", "wanted": "delivered", "allowed": ["cancelled", "shipped"]}
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT123")
    order.refresh_from_db()
    assert order.status == "shipped"
    assert level(net, "WH01", "JEANS-42") == (2, 0)
    assert money(order) == (Decimal("94.80"), Decimal("94.80"), 0)  # lines + shipping captured on shipping
    assert StockMovement.objects.filter(reason="sale", reference=f"order:{order.number}").get().delta_on_hand == -1
    services.mark_delivered(fulfillment=fulfillment)
    order.refresh_from_db()
    assert order.status == "completed"
    assert events(order) == ["order_placed", "picking", "packed", "shipped", "payment_captured", "delivered"]
    assert_ledger_agrees()


def test_click_and_collect_from_the_store_with_pickup_code(net):
    order = place(net, [("TEE-M", 2, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    (fulfillment,) = order.fulfillments.all()
    assert (fulfillment.source_location.code, fulfillment.flow) == ("MI01", "pickup")
    assert level(net, "MI01", "TEE-M") == (2, 2)
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    assert len(fulfillment.pickup_code) == 6 and fulfillment.pickup_deadline > timezone.now()
    order.refresh_from_db()
    assert order.status == "ready_for_pickup"
    wrong = "000000" if fulfillment.pickup_code != "000000" else "111111"
    with pytest.raises(WrongPickupCode):
        services.hand_over(fulfillment=fulfillment, pickup_code=wrong)
    fulfillment.refresh_from_db()
    assert fulfillment.status == "ready_for_pickup" and level(net, "MI01", "TEE-M") == (2, 2)
    services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    order.refresh_from_db()
    assert order.status == "completed" and level(net, "MI01", "TEE-M") == (0, 0)
    assert money(order) == (Decimal("39.80"), Decimal("39.80"), 0)
    assert events(order)[-2:] == ["collected", "payment_captured"]
    assert_ledger_agrees()


def test_ship_to_store_when_the_pickup_store_lacks_the_item(net):
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    (fulfillment,) = order.fulfillments.all()
    assert (fulfillment.source_location.code, fulfillment.pickup_location.code, fulfillment.flow) == (
        "WH01",
        "BG01",
        "ship_to_store",
    )
    assert level(net, "WH01", "JEANS-42") == (3, 1)
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="T1")
    assert level(net, "WH01", "JEANS-42") == (2, 0)
    assert money(order)[1] == 0  # paid when collected, not when it travels between our locations
    with pytest.raises(InvalidTransition):
        services.mark_ready_for_pickup(fulfillment=fulfillment)
    services.receive_in_store(fulfillment=fulfillment)
    assert level(net, "BG01", "JEANS-42") == (1, 1)  # in the store, held for the customer
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    assert level(net, "BG01", "JEANS-42") == (0, 0)
    assert money(order) == (Decimal("89.90"), Decimal("89.90"), 0)
    reasons = list(
        StockMovement.objects.filter(reference=f"order:{order.number}")
        .order_by("id")
        .values_list("reason", "location__code")
    )
    assert reasons == [("transfer_out", "WH01"), ("transfer_in", "BG01"), ("sale", "BG01")]
    assert_ledger_agrees()


def test_a_split_order_and_cancelling_everything_before_shipping(net):
    order = place(net, [("JEANS-42", 1, "89.90"), ("SCARF", 1, "45.00")], HOME_MILAN, shipping="4.90")
    assert sorted(f.source_location.code for f in order.fulfillments.all()) == ["MI02", "WH01"]
    services.start_picking(fulfillment=order.fulfillments.get(source_location=net["MI02"]))
    order = services.cancel_order(order=order, reason="customer changed their mind")
    assert order.status == "cancelled"
    assert set(order.fulfillments.values_list("status", flat=True)) == {"cancelled"}
    assert level(net, "WH01", "JEANS-42") == (3, 0) and level(net, "MI02", "SCARF") == (1, 0)
    assert money(order) == (Decimal("139.80"), 0, Decimal("139.80"))
    assert "order_cancelled" in events(order)
    assert_ledger_agrees()


def test_cancelling_some_lines_refunds_them(net):
    order = place(net, [("TEE-M", 3, "19.90")], HOME_MILAN)
    order = services.cancel_order(order=order, lines={"TEE-M": 2})
    line = order.lines.get()
    assert (line.quantity, line.quantity_cancelled) == (3, 2)
    assert money(order) == (Decimal("59.70"), 0, Decimal("39.80"))
    assert StockHold.objects.filter(reference=f"order:{order.number}").get().open_quantity == 1
    with pytest.raises(OrderNotChangeable):
        services.cancel_order(order=order, lines={"TEE-M": 2})
    with pytest.raises(InvalidOrder):
        services.cancel_order(order=order, lines={"NOPE": 1})


def test_nothing_can_be_cancelled_once_shipped(net):
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="X")
    with pytest.raises(OrderNotChangeable):
        services.cancel_order(order=order)
    with pytest.raises(OrderNotChangeable):
        services.change_shipping_address(order=order, address={"line1": "Via Nuova 2"})


def test_a_short_pick_writes_off_the_missing_unit_and_waits_for_a_decision_before_any_refund(
    net, django_capture_on_commit_callbacks, settings
):
    settings.AUTO_RECOVER_SHORT_LINES = False  # a brand that wants a person to decide
    from orders.signals import order_event

    seen = []
    order_event.connect(lambda sender, event, **kw: seen.append(event.type), weak=False, dispatch_uid="t-short")
    try:
        order = place(net, [("TEE-M", 2, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
        fulfillment = order.fulfillments.get()
        services.start_picking(fulfillment=fulfillment)
        tee = fulfillment.lines.get(order_line__sku__code="TEE-M")
        services.report_missing(fulfillment_line=tee, quantity=1)
    finally:
        order_event.disconnect(dispatch_uid="t-short")
    assert "item_missing" in seen
    event = order.events.get(type="item_missing")
    assert event.data["sku"] == "TEE-M" and event.data["quantity"] == 1 and event.data["amount"] == "19.90"
    # Nothing refunded at the moment of the short pick: the case decides.
    assert events(order)[-1] == "item_missing" and "payment_refunded" not in events(order)
    # The missing unit was never there: on-hand and committed both fall by it (was 10 on hand, 2 committed).
    assert level(net, "WH01", "TEE-M") == (9, 1)
    shortage = StockMovement.objects.get(reason="shortage")
    assert (shortage.location, shortage.delta_on_hand, shortage.reference) == (net["WH01"], -1, f"order:{order.number}")
    assert money(order)[2] == Decimal("0")
    assert order.lines.get(sku__code="TEE-M").quantity_short_open == 1
    with pytest.raises(InvalidOrder):
        services.report_missing(fulfillment_line=tee, quantity=2)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="Y")
    # The parcel is paid; the missing tee's money stays authorized (not captured, not released) until decided.
    assert money(order) == (Decimal("129.70"), Decimal("109.80"), Decimal("0"))
    assert services.refund_missing_units(order=order, sku="TEE-M", quantity=1) == Decimal("19.90")
    assert money(order) == (Decimal("129.70"), Decimal("109.80"), Decimal("19.90"))
    assert events(order)[-2:] == ["item_refunded", "payment_released"]  # never captured: released
    with pytest.raises(InvalidOrder):  # never twice
        services.refund_missing_units(order=order, sku="TEE-M", quantity=1)
    assert_ledger_agrees()


def test_a_short_pick_does_not_put_the_missing_unit_back_on_sale(net):
    """The bug behind the support manual: the released unit showed as available and the next customer bought it."""
    from rest_framework.test import APIClient

    from stores.services import create_api_key

    _row, key = create_api_key(channel=net["web"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def available_at_warehouse():
        answer = api.get("/api/v1/availability/?skus=JEANS-42&location=WH01").json()
        return answer["results"][0]["locations"][0]["available"]

    order = place(net, [("JEANS-42", 2, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    assert fulfillment.source_location.code == "WH01" and available_at_warehouse() == 1
    services.start_picking(fulfillment=fulfillment)
    services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1)
    assert available_at_warehouse() == 1  # not 2: the missing pair is not sold again
    assert level(net, "WH01", "JEANS-42") == (2, 1)
    assert_ledger_agrees()


def test_a_short_parcel_line_is_sourced_again_from_another_location_without_a_refund(net):
    order = place(net, [("TEE-M", 2, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    first = order.fulfillments.get()
    assert first.source_location.code == "WH01"
    services.start_picking(fulfillment=first)
    services.report_missing(fulfillment_line=first.lines.get(order_line__sku__code="TEE-M"), quantity=1)
    # The warehouse's missing tee is written off; MI01 (2 tees, 4 km from the customer) sends one instead.
    assert level(net, "WH01", "TEE-M") == (9, 1) and level(net, "MI01", "TEE-M") == (2, 1)
    second = order.fulfillments.exclude(pk=first.pk).get()
    assert (second.source_location.code, second.flow, second.status) == ("MI01", "ship", "pending")
    assert [(fl.order_line.sku.code, fl.quantity, fl.hold.stock_level.location.code) for fl in second.lines.all()] == [
        ("TEE-M", 1, "MI01")
    ]
    assert money(order)[2] == Decimal("0")  # nothing refunded: the customer still gets every item
    assert order.lines.get(sku__code="TEE-M").quantity_short == 0
    resourced = order.events.get(type="line_resourced")
    assert resourced.data["from"] == "MI01" and resourced.data["instead_of"] == "WH01"
    assert any(entry["chosen"] for entry in resourced.data["explanation"])
    # One parcel became two: the customer is told.
    assert order.events.filter(type="second_parcel").count() == 1
    from notifications.models import Notification

    assert Notification.objects.filter(order=order, event="second_parcel").exists()
    # Both parcels ship and the whole order is paid; nothing missing for the customer.
    for parcel in (first, second):
        parcel.refresh_from_db()
        if parcel.status == "pending":
            services.start_picking(fulfillment=parcel)
        services.mark_packed(fulfillment=parcel)
        services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number=f"T-{parcel.pk}")
    assert money(order) == (Decimal("129.70"), Decimal("129.70"), Decimal("0"))
    assert_ledger_agrees()


def test_a_whole_parcel_missing_is_replaced_without_telling_the_customer_of_a_change(net):
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    first = order.fulfillments.get()
    services.report_missing(fulfillment_line=first.lines.get(), quantity=1)
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == "cancelled" and order.status == "placed"
    replacement = order.fulfillments.exclude(pk=first.pk).get()
    assert replacement.source_location != first.source_location and replacement.status == "pending"
    assert not order.events.filter(type="second_parcel").exists()  # still one parcel
    assert money(order)[2] == Decimal("0")


def test_a_short_line_nobody_else_has_waits_for_a_decision(net):
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)  # only the warehouse has jeans
    fulfillment = order.fulfillments.get()
    services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1)
    assert not order.events.filter(type="line_resourced").exists()
    assert order.events.get(type="item_missing").data["amount"] == "89.90"
    assert order.fulfillments.count() == 1
    assert money(order)[2] == Decimal("0")


def test_every_item_missing_cancels_the_fulfillment_and_keeps_the_money_until_decided(net):
    order = place(net, [("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI02"})
    fulfillment = order.fulfillments.get()
    services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1)
    fulfillment.refresh_from_db()
    order.refresh_from_db()
    assert fulfillment.status == "cancelled" and order.status == "on_hold"  # being fixed, not cancelled
    # Bergamo has scarves but does not ship: nothing can cover it. The authorization waits for the case.
    assert money(order) == (Decimal("45.00"), 0, Decimal("0"))
    services.refund_missing_units(order=order, sku="SCARF", quantity=1)
    assert money(order) == (Decimal("45.00"), 0, Decimal("45.00"))


def test_an_uncollected_pickup_expires_and_gives_the_stock_back(net):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    assert services.expire_uncollected_pickups() == 0
    with time_machine.travel(fulfillment.pickup_deadline + timezone.timedelta(minutes=1)):
        assert services.expire_uncollected_pickups() == 1
        assert services.expire_uncollected_pickups() == 0  # idempotent
    fulfillment.refresh_from_db()
    order.refresh_from_db()
    assert (fulfillment.status, order.status) == ("not_collected", "not_collected")
    assert level(net, "MI01", "TEE-M") == (2, 0)
    assert money(order) == (Decimal("19.90"), 0, Decimal("19.90"))
    assert_ledger_agrees()


@pytest.mark.parametrize(
    ("lines", "fulfillment", "kw", "error"),
    [
        ([("TEE-M", 1, "19.90")], {"method": "curbside", "pickup_location": "VR01"}, {}, MethodNotOffered),
        ([("TEE-M", 1, "19.90")], {"method": "ship_to_store", "pickup_location": "VR01"}, {}, MethodNotOffered),
        ([("TEE-M", 1, "19.90")], {"method": "locker", "pickup_location": "MI01"}, {}, MethodNotOffered),
        ([("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "XX99"}, {}, NotFound),
        ([("GHOST", 1, "19.90")], HOME_MILAN, {}, NotFound),
        ([("TEE-M", 0, "19.90")], HOME_MILAN, {"amount": "0.00"}, InvalidOrder),
        ([("TEE-M", 1, "19.90")], HOME_MILAN, {"amount": "19.00"}, PaymentMismatch),
        ([("TEE-M", 1, "19.90")], HOME_MILAN, {"currency": "USD"}, PaymentMismatch),
        ([("TEE-M", 99, "19.90")], HOME_MILAN, {}, InsufficientStock),
        ([("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "VR01"}, {}, InsufficientStock),
    ],
)
def test_bad_orders_write_nothing(net, lines, fulfillment, kw, error):
    with pytest.raises(error):
        place(net, lines, fulfillment, **kw)
    assert not Order.objects.exists()
    assert StockLevel.objects.filter(committed__gt=0).count() == 0
    assert not StockHold.objects.exists()


def test_insufficient_stock_names_each_line(net):
    with pytest.raises(InsufficientStock) as excinfo:
        place(net, [("TEE-M", 13, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    assert excinfo.value.details == {"lines": [{"sku": "TEE-M", "requested": 13, "available": 12}]}


def test_same_day_is_refused_beyond_the_radius(net):
    far = {**HOME_MILAN, "speed": "same_day", "address": {**HOME_MILAN["address"], "lat": 41.9, "lon": 12.48}}
    with pytest.raises(InsufficientStock):
        place(net, [("TEE-M", 1, "19.90")], far)
    near = {**HOME_MILAN, "speed": "same_day"}
    order = place(net, [("TEE-M", 1, "19.90")], near)
    assert order.fulfillments.get().source_location.code == "MI01"


def test_one_customer_across_orders(net):
    place(net, [("TEE-M", 1, "19.90")], HOME_MILAN, email="Giulia@Example.com")
    place(net, [("TEE-M", 1, "19.90")], HOME_MILAN, email="giulia@example.com")
    assert Order.objects.values("customer").distinct().count() == 1


def test_curbside_is_a_pickup_at_the_store(net):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "curbside", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    assert (fulfillment.method, fulfillment.flow, fulfillment.source_location.code) == ("curbside", "pickup", "MI01")
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    order.refresh_from_db()
    assert order.status == "completed" and level(net, "MI01", "TEE-M") == (1, 0)
    assert money(order) == (Decimal("19.90"), Decimal("19.90"), 0)


def test_a_locker_order_ships_to_the_locker_and_is_delivered(net):
    from tests.stores.factories import LocationFactory

    LocationFactory(code="LK01", kind="locker", latitude=45.4861, longitude=9.2044, capabilities=[])
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "locker", "pickup_location": "LK01"}, shipping="2.90")
    fulfillment = order.fulfillments.get()
    assert (fulfillment.flow, fulfillment.pickup_location.code) == ("ship", "LK01")
    assert fulfillment.source_location.code == "WH01"  # the only source with jeans
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="InPost", tracking_number="LK-1")
    services.mark_delivered(fulfillment=fulfillment, data={"locker": "LK01"})
    order.refresh_from_db()
    assert order.status == "completed" and level(net, "WH01", "JEANS-42") == (2, 0)
    assert money(order) == (Decimal("92.80"), Decimal("92.80"), 0)


def test_ship_to_store_method_uses_the_stores_own_stock_when_it_has_it(net):
    own = place(net, [("SCARF", 1, "45.00")], {"method": "ship_to_store", "pickup_location": "BG01"})
    assert [(f.flow, f.source_location.code) for f in own.fulfillments.all()] == [("pickup", "BG01")]
    shipped = place(net, [("TEE-M", 1, "19.90")], {"method": "ship_to_store", "pickup_location": "BG01"})
    fulfillment = shipped.fulfillments.get()
    assert (fulfillment.flow, fulfillment.pickup_location.code) == ("ship_to_store", "BG01")
    assert fulfillment.source_location.code in ("WH01", "MI01")


def test_express_home_delivery_from_a_store(net):
    order = place(net, [("SCARF", 1, "45.00")], {**HOME_MILAN, "speed": "express"})
    fulfillment = order.fulfillments.get()
    assert (order.speed, fulfillment.source_location.code, fulfillment.flow) == ("express", "MI02", "ship")
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="SDA", tracking_number="S-1")
    assert level(net, "MI02", "SCARF") == (0, 0)
    assert_ledger_agrees()
