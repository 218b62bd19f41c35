"""One lock order for every stock write (issue 15, item 3): orders placed, orders cancelled and reservations
expiring at the same time, on the same two SKUs of one store, listing them in opposite orders, never deadlock;
and a lock conflict that still happens is retried once, then answered 503, never 500."""

from decimal import Decimal

import pytest
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import StockHold, StockLevel
from omnichannel.db import DatabaseBusy, retry_once_on_lock_conflict
from orders import services
from orders.models import Reservation
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


@pytest.fixture
def store():
    web = SalesChannelFactory(code="web", kind="web")
    milan = LocationFactory(
        code="MI01", latitude=45.47, longitude=9.21, capabilities=["ship_from_store", "click_and_reserve"]
    )
    web.source_locations.set([milan])
    # B is created first: its row id is lower, so "B then A" is the rows' id order and "A then B" the opposite.
    b, a = SKUFactory(code="B-TEE"), SKUFactory(code="A-JEANS")
    for sku in (a, b):
        stock.receive_stock(location=milan, sku=sku, quantity=500)
    return {"web": web, "MI01": milan, "a": a, "b": b}


def place(store, codes):
    data = payload([(code, 1, "10.00") for code in codes], HOME_MILAN)
    return services.place_order(
        channel=store["web"],
        customer=data["customer"],
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
    )


def reserve(store, codes, n):
    return services.reserve_items(
        channel=store["web"],
        customer={"email": f"r{n}@example.com"},
        location="MI01",
        lines=[{"sku": code, "quantity": 1} for code in codes],
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_placing_cancelling_and_expiring_in_opposite_line_orders_never_deadlock(store, round_):
    to_cancel = [place(store, ["B-TEE", "A-JEANS"] if n % 2 else ["A-JEANS", "B-TEE"]) for n in range(6)]
    to_expire = [reserve(store, ["B-TEE", "A-JEANS"] if n % 2 else ["A-JEANS", "B-TEE"], n) for n in range(6)]
    Reservation.objects.filter(pk__in=[r.pk for r in to_expire]).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )

    def work(i):
        kind = i % 3
        if kind == 0:  # new orders, both line orders
            return place(store, ["A-JEANS", "B-TEE"] if i % 2 else ["B-TEE", "A-JEANS"])
        if kind == 1:
            return services.cancel_order(order=to_cancel[i // 3 % len(to_cancel)], reason="customer")
        return services.expire_reservations()

    results = run_in_threads(work, 18)
    failures = [r for r in results if isinstance(r, Exception)]
    # Two cancels of one order: the second is refused (nothing left to cancel); nothing else may fail.
    assert all(type(f).__name__ == "OrderNotChangeable" for f in failures), failures
    assert not any(isinstance(f, OperationalError) for f in failures)
    for sku in (store["a"], store["b"]):
        level = StockLevel.objects.get(location=store["MI01"], sku=sku)
        active = sum(
            h.quantity - h.released_quantity - h.consumed_quantity
            for h in StockHold.objects.filter(stock_level=level, status="active")
        )
        assert level.committed == active, (sku.code, level.committed, active)
    assert Reservation.objects.filter(status="expired").count() == 6
    assert_ledger_agrees()


def test_a_lock_conflict_is_retried_once_then_answered_503():
    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def flaky(times):
        def run():
            calls.append(1)
            if len(calls) <= times:
                raise OperationalError("deadlock detected") from Deadlock()
            return "done"

        return retry_once_on_lock_conflict(run)

    assert flaky(1)() == "done" and len(calls) == 2  # retried once
    calls.clear()
    with pytest.raises(DatabaseBusy) as busy:
        flaky(5)()
    assert busy.value.status_code == 503 and len(calls) == 2


def test_the_api_answers_a_lock_conflict_in_the_error_shape(store, monkeypatch):
    _row, key = create_api_key(channel=store["web"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    class Deadlock(Exception):
        sqlstate = "40P01"

    def always_deadlocks(**kwargs):
        raise OperationalError("deadlock detected") from Deadlock()

    from orders.placement import api as views

    monkeypatch.setattr(views.placing, "place_order", always_deadlocks)
    body = payload([("A-JEANS", 1, "10.00")], HOME_MILAN)
    answer = api.post("/api/v1/orders/", body, format="json")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "temporarily_unavailable"
    assert Decimal("0") == Decimal(StockLevel.objects.get(location=store["MI01"], sku=store["a"]).committed)
