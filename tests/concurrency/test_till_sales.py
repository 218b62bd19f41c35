"""Till sales under concurrency on PostgreSQL: the same batch sent four times at once changes stock once; two
registers selling the same SKUs in opposite line orders never deadlock; the till's receipt and the store's
"bought" button for one reservation at once leave stock once."""

import pytest
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import PosReceiptLine, StockMovement
from orders import services
from orders.models import Reservation
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import level

pytestmark = pytest.mark.django_db(transaction=True)


def batch(register="T1", skus=("TEE-M", "SCARF"), receipts=20):
    return {
        "receipts": [
            {
                "register": register,
                "receipt": f"{register}-{n:04d}",
                "at": "2026-12-05T10:00:00+01:00",
                "lines": [
                    {"line": i, "sku": sku, "quantity": 1, "unit_price": "9.90"} for i, sku in enumerate(skus, 1)
                ],
            }
            for n in range(receipts)
        ]
    }


def till_client(net):  # noqa: F811
    key = create_api_key(kind="location", location=net["MI01"])[1]

    def post(body):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return api.post("/api/v1/locations/MI01/sales/", body, format="json")

    return post


def test_the_same_batch_four_times_at_once_changes_stock_once(net):  # noqa: F811
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=98)  # 100 on hand
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["SCARF"], quantity=100)
    post = till_client(net)
    body = batch()
    answers = run_in_threads(lambda i: post(body), 4)
    assert [a.status_code for a in answers] == [200] * 4, [a.content[:200] for a in answers]
    assert sorted(a.json()["applied"] for a in answers) == [0, 0, 0, 40]
    assert sorted(a.json()["duplicates"] for a in answers) == [0, 40, 40, 40]
    assert level(net, "MI01", "TEE-M") == (80, 0) and level(net, "MI01", "SCARF") == (80, 0)
    assert PosReceiptLine.objects.count() == 40
    assert StockMovement.objects.filter(reason="pos_sale").count() == 40
    assert_ledger_agrees()


def test_two_registers_selling_the_same_skus_in_opposite_orders_never_deadlock(net):  # noqa: F811
    for sku in ("TEE-M", "SCARF", "JEANS-42"):
        stock.receive_stock(location=net["MI01"], sku=net["skus"][sku], quantity=200)
    post = till_client(net)
    bodies = [
        batch(f"T{i}", skus=("TEE-M", "SCARF", "JEANS-42") if i % 2 else ("JEANS-42", "SCARF", "TEE-M"))
        for i in range(6)
    ]
    answers = run_in_threads(lambda i: post(bodies[i]), 6)
    assert [a.status_code for a in answers] == [200] * 6, [a.content[:200] for a in answers]
    assert level(net, "MI01", "TEE-M") == (202 - 120, 0)
    assert level(net, "MI01", "SCARF") == (200 - 120, 0)
    assert_ledger_agrees()


@pytest.mark.parametrize("named", [True, False])
def test_the_till_and_the_button_for_one_reservation_at_once_leave_stock_once(net, named):  # noqa: F811
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    reservation = services.reserve_items(
        channel=net["web"],
        customer={"email": "giulia@example.com"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )
    post = till_client(net)
    body = batch(skus=("TEE-M",), receipts=1)
    if named:
        body["receipts"][0]["reservation"] = reservation.number
    receipt = body["receipts"][0]["receipt"]

    def act(i):
        if i == 0:
            return post(body).status_code
        return services.mark_purchased(reservation=reservation.pk, pos_receipt=receipt)

    results = run_in_threads(act, 2)
    assert results[0] == 200, results
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.PURCHASED
    # Two units on hand, one reserved: the customer's one unit leaves once, the other stays for sale.
    assert level(net, "MI01", "TEE-M") == (1, 0), results
    assert_ledger_agrees()
