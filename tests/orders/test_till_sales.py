"""Till sales (POS feed): `POST locations/{code}/sales/` with the location's key; each line applied once, a sale
never below the units promised, reservations bought at the till through one path with the store's button."""

import pytest
from rest_framework.test import APIClient

from inventory.models import PosReceiptLine, StockMovement, TillRegister
from orders import services
from orders.models import Fulfillment, Reservation
from stores.services import create_api_key
from support_playbook.models import Case, StoreTask
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import level, place

pytestmark = pytest.mark.django_db
PICKUP_MI01 = {"method": "store_pickup", "pickup_location": "MI01"}


@pytest.fixture
def till(net):  # noqa: F811
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(kind='location', location=net['MI01'])[1]}")
    return client


def receipt(number="0042-0815", lines=(("TEE-M", 1),), register="T1", at="2026-12-05T10:15:00+01:00", **extra):
    return {
        "register": register,
        "receipt": number,
        "at": at,
        **extra,
        "lines": [
            {"line": i, "sku": sku, "quantity": qty, "unit_price": "19.90"} for i, (sku, qty) in enumerate(lines, 1)
        ],
    }


def post(till, *receipts, code="MI01", partial=False):
    suffix = "?partial=true" if partial else ""
    return till.post(f"/api/v1/locations/{code}/sales/{suffix}", {"receipts": list(receipts)}, format="json")


def test_a_sale_and_a_till_return_move_on_hand_once_with_their_ledger_rows(net, till):  # noqa: F811
    first = post(till, receipt(lines=[("TEE-M", 2)]), receipt("0042-0816", [("TEE-M", -1)]))
    assert first.status_code == 200, first.content
    assert first.json()["applied"] == 2 and first.json()["duplicates"] == 0
    assert level(net, "MI01", "TEE-M") == (1, 0)  # 2 - 2 + 1
    again = post(till, receipt(lines=[("TEE-M", 2)]), receipt("0042-0816", [("TEE-M", -1)]))
    assert again.json() == {**again.json(), "applied": 0, "duplicates": 2}
    assert level(net, "MI01", "TEE-M") == (1, 0)
    reasons = list(
        StockMovement.objects.filter(location=net["MI01"], reference__startswith="pos:")
        .order_by("id")
        .values_list("reason", "delta_on_hand", "at")
    )
    assert [(r, d) for r, d, _at in reasons] == [("pos_sale", -2), ("pos_return", 1)]
    assert reasons[0][2].isoformat() == "2026-12-05T09:15:00+00:00"  # the till's own moment
    register = TillRegister.objects.get(location=net["MI01"], code="T1")
    assert register.last_receipt == "0042-0816"
    assert_ledger_agrees()


def test_non_stock_lines_are_recorded_and_never_booked(net, till):  # noqa: F811
    bag = receipt(lines=[("TEE-M", 1)])
    bag["lines"].append({"line": 2, "sku": "BAG-PAPER", "quantity": 1, "unit_price": "0.10", "non_stock": True})
    assert post(till, bag).json()["applied"] == 2
    assert PosReceiptLine.objects.get(item="BAG-PAPER").sku_id is None
    assert level(net, "MI01", "TEE-M") == (1, 0)


def test_the_same_key_with_other_content_is_a_conflict_and_nothing_is_written(net, till):  # noqa: F811
    post(till, receipt(lines=[("TEE-M", 1)]))
    changed = receipt(lines=[("TEE-M", 2)])
    response = post(till, changed, receipt("0042-0900"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "receipt_line_conflict"
    assert [line["line"] for line in response.json()["error"]["details"]["lines"]] == [1]
    assert not PosReceiptLine.objects.filter(receipt="0042-0900").exists()
    assert level(net, "MI01", "TEE-M") == (1, 0)
    partial = post(till, changed, receipt("0042-0900"), partial=True)
    assert partial.json()["applied"] == 1 and partial.json()["rejected"][0]["code"] == "receipt_line_conflict"
    assert level(net, "MI01", "TEE-M") == (0, 0)


@pytest.mark.parametrize(
    "bad, code",
    [
        ({"sku": "NOPE"}, "unknown_sku"),
        ({"quantity": 0}, "invalid_quantity"),
        ({"quantity": 5000}, "invalid_quantity"),
        ({"quantity": "2"}, "invalid_quantity"),
        ({"unit_price": "-1"}, "invalid_price"),
        ({"unit_price": "1.999"}, "invalid_price"),
        ({"unit_price": "NaN"}, "invalid_price"),
        ({"quantity": -1, "order": "BR-0001"}, "use_returns_desk"),
    ],
)
def test_a_batch_with_a_bad_line_is_refused_whole_unless_partial(net, till, bad, code):  # noqa: F811
    good_then_bad = receipt(lines=[("TEE-M", 1), ("TEE-M", 1)])
    good_then_bad["lines"][1].update(bad)
    response = post(till, good_then_bad)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_receipt_lines"
    assert response.json()["error"]["details"]["lines"][0]["code"] == code
    assert not PosReceiptLine.objects.exists() and level(net, "MI01", "TEE-M") == (2, 0)
    partial = post(till, good_then_bad, partial=True)
    assert partial.status_code == 200
    assert partial.json()["applied"] == 1 and [r["code"] for r in partial.json()["rejected"]] == [code]
    assert level(net, "MI01", "TEE-M") == (1, 0)


@pytest.mark.parametrize(
    "body",
    [[], {"receipts": "x"}, {"receipts": [1]}, {"receipts": [], "x": 1}, {"receipts": [{"register": "T1"}]}],
)
def test_malformed_bodies_are_400s(net, till, body):  # noqa: F811
    response = till.post("/api/v1/locations/MI01/sales/", body, format="json")
    assert response.status_code == 400, response.content
    assert not PosReceiptLine.objects.exists()


def test_another_locations_code_is_a_404(net, till):  # noqa: F811
    assert post(till, receipt(), code="MI02").status_code == 404


def test_a_sale_beyond_free_units_takes_the_newest_unpicked_order_and_never_a_packed_one(net, till):  # noqa: F811
    older = place(net, [("TEE-M", 1, "19.90")], PICKUP_MI01)
    packed = place(net, [("TEE-M", 1, "19.90")], PICKUP_MI01)  # MI01's two units are both held now
    assert level(net, "MI01", "TEE-M") == (2, 2)
    packed_fulfillment = packed.fulfillments.get()
    services.start_picking(fulfillment=packed_fulfillment)
    services.mark_ready_for_pickup(fulfillment=packed_fulfillment)
    response = post(till, receipt(lines=[("TEE-M", 2)]))
    assert response.status_code == 200
    body = response.json()
    # One unit came from the unpicked order (sent from the warehouse to the store instead); the ready one is
    # untouched and the second unit sold is not in the books: a recount task.
    assert body["taken_from_orders"] == [{"order": older.number, "sku": "TEE-M", "quantity": 1}]
    assert body["not_in_stock"] == [{"register": "T1", "receipt": "0042-0815", "line": 1, "sku": "TEE-M", "units": 1}]
    assert level(net, "MI01", "TEE-M") == (1, 1)
    packed_fulfillment.refresh_from_db()
    assert packed_fulfillment.status == Fulfillment.Status.READY_FOR_PICKUP
    older_fulfillments = list(older.fulfillments.order_by("id"))
    assert [f.status for f in older_fulfillments] == [Fulfillment.Status.CANCELLED, Fulfillment.Status.PENDING]
    assert older_fulfillments[1].source_location == net["WH01"]
    assert level(net, "WH01", "TEE-M") == (10, 1)
    assert "item_short_recovered" in list(older.events.values_list("type", flat=True))
    assert StoreTask.objects.filter(location=net["MI01"], kind="recount", sku=net["skus"]["TEE-M"]).count() == 1
    assert PosReceiptLine.objects.get().quantity_unbooked == 1
    assert_ledger_agrees()


def test_a_sale_taking_an_order_nobody_else_can_send_opens_its_case(net, till):  # noqa: F811
    net["MI02"].capabilities = ["click_and_collect"]
    net["MI02"].save()
    order = place(net, [("SCARF", 1, "29.90")], {"method": "store_pickup", "pickup_location": "MI02"})
    assert order.fulfillments.get().source_location == net["MI02"]
    mi02 = APIClient()
    mi02.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(kind='location', location=net['MI02'])[1]}")
    assert post(mi02, receipt(lines=[("SCARF", 1)]), code="MI02").json()["not_in_stock"] == []
    assert level(net, "MI02", "SCARF") == (0, 0)
    line = order.lines.get()
    assert line.quantity_short == 1
    assert Case.objects.filter(order=order, scenario="incomplete_order_pickup").exists()


def _reserve(net):  # noqa: F811
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    return services.reserve_items(
        channel=net["web"],
        customer={"email": "giulia@example.com"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )


def test_a_reservation_bought_at_the_till_then_by_the_button_leaves_stock_once(net, till):  # noqa: F811
    reservation = _reserve(net)
    assert level(net, "MI01", "TEE-M") == (2, 1)
    response = post(till, receipt(lines=[("TEE-M", 1)], reservation=reservation.number))
    assert response.json()["reservations"] == [reservation.number]
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.PURCHASED and reservation.pos_receipt == "0042-0815"
    assert level(net, "MI01", "TEE-M") == (1, 0)
    with pytest.raises(Exception, match="purchased"):
        services.mark_purchased(reservation=reservation, pos_receipt="0042-0815")
    assert level(net, "MI01", "TEE-M") == (1, 0)
    assert_ledger_agrees()


def test_a_reservation_bought_by_the_button_then_at_the_till_leaves_stock_once(net, till):  # noqa: F811
    reservation = _reserve(net)
    services.mark_purchased(reservation=reservation, pos_receipt="0042-0815")
    assert level(net, "MI01", "TEE-M") == (1, 0)
    # The till's receipt arrives second, naming the reservation or not: matched, not booked again.
    response = post(till, receipt(lines=[("TEE-M", 1)]))
    assert response.json()["applied"] == 1
    assert level(net, "MI01", "TEE-M") == (1, 0)
    assert PosReceiptLine.objects.get().reserved_units == 1
    assert_ledger_agrees()


def test_an_unnamed_till_receipt_then_the_button_releases_instead_of_selling_twice(net, till):  # noqa: F811
    reservation = _reserve(net)
    post(till, receipt(lines=[("TEE-M", 1)]))  # the till did not say it was the reservation: an ordinary sale
    assert level(net, "MI01", "TEE-M") == (1, 1)
    services.mark_purchased(reservation=reservation, pos_receipt="0042-0815")
    assert level(net, "MI01", "TEE-M") == (1, 0)
    assert_ledger_agrees()


def test_a_till_selling_the_reserved_unit_without_naming_it_is_settled_by_the_button(net, till):  # noqa: F811
    reservation = _reserve(net)
    post(till, receipt("0001", lines=[("TEE-M", 1)]))  # the free unit
    post(till, receipt("0002", lines=[("TEE-M", 1)]))  # the reserved one: not in the books for the till
    assert level(net, "MI01", "TEE-M") == (1, 1)
    services.mark_purchased(reservation=reservation, pos_receipt="0002")
    assert level(net, "MI01", "TEE-M") == (0, 0)
    assert PosReceiptLine.objects.get(receipt="0002").quantity_unbooked == 0
    assert_ledger_agrees()


def test_head_office_sees_registers_in_the_admin(net, till, admin_client):  # noqa: F811
    post(till, receipt(register="T2"))
    page = admin_client.get("/admin/inventory/tillregister/")
    assert page.status_code == 200 and "T2" in page.content.decode() and "0042-0815" in page.content.decode()


@pytest.mark.parametrize("at", ["2026-13-01T10:00:00Z", "yesterday", "2099-01-01T10:00:00Z", None])
def test_a_receipt_with_an_impossible_moment_is_refused(net, till, at):  # noqa: F811
    response = post(till, receipt(at=at))
    assert response.status_code == 400
    assert response.json()["error"]["details"]["lines"][0]["code"] == "invalid_at"


def test_the_till_takes_the_newest_unpicked_order_first(net, till):  # noqa: F811
    from inventory import services as stock

    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=1)  # 3 on hand
    older, newer, started = (place(net, [("TEE-M", 1, "19.90")], PICKUP_MI01) for _ in range(3))
    services.start_picking(fulfillment=started.fulfillments.get())  # being picked: set aside, never taken
    assert level(net, "MI01", "TEE-M") == (3, 3)
    body = post(till, receipt(lines=[("TEE-M", 1)])).json()
    assert body["taken_from_orders"] == [{"order": newer.number, "sku": "TEE-M", "quantity": 1}]
    assert body["not_in_stock"] == []
    assert older.fulfillments.get().status == Fulfillment.Status.PENDING
    assert started.fulfillments.get().status == Fulfillment.Status.PICKING
    assert level(net, "MI01", "TEE-M") == (2, 2)
    assert_ledger_agrees()
