import pytest
from django.db import OperationalError

from inventory import services
from inventory.errors import InsufficientStock
from inventory.models import StockHold, StockLevel
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.stores.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_buyers_for_twenty_units_get_exactly_twenty_holds():
    store = LocationFactory(code="MI01")
    sku = SKUFactory(code="LAST-UNITS")
    services.receive_stock(location=store, sku=sku, quantity=20)

    results = run_in_threads(
        lambda i: services.hold_stock(lines=[(store.pk, sku.pk, 1)], kind="allocation", reference=f"order:{i}"),
        50,
    )

    granted = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(granted), len(refused)) == (20, 30), [r for r in results if isinstance(r, Exception)][:3]
    assert all(r.lines == [{"sku": "LAST-UNITS", "location": "MI01", "requested": 1, "available": 0}] for r in refused)
    level = StockLevel.objects.get(location=store, sku=sku)
    assert (level.on_hand, level.committed) == (20, 20)
    assert StockHold.objects.filter(status="active").count() == 20
    assert_ledger_agrees()


def test_opposite_line_orders_never_deadlock():
    """Half the callers list (A, B), half (B, A); holds lock rows in (location, sku) order, so none deadlocks."""
    store = LocationFactory(code="MI01")
    warehouse = LocationFactory(code="WH01", kind="warehouse")
    sku_a, sku_b = SKUFactory(code="A"), SKUFactory(code="B")
    for location in (store, warehouse):
        for sku in (sku_a, sku_b):
            services.receive_stock(location=location, sku=sku, quantity=1000)

    def place(i):
        lines = [
            (store.pk, sku_a.pk, 1),
            (warehouse.pk, sku_b.pk, 1),
            (store.pk, sku_b.pk, 1),
            (warehouse.pk, sku_a.pk, 1),
        ]
        if i % 2:
            lines.reverse()
        for _round in range(5):
            services.hold_stock(lines=lines, kind="allocation", reference=f"order:{i}")
        return True

    results = run_in_threads(place, 20)

    deadlocks = [r for r in results if isinstance(r, OperationalError)]
    assert not deadlocks, deadlocks[0]
    assert results == [True] * 20
    for location in (store, warehouse):
        for sku in (sku_a, sku_b):
            assert StockLevel.objects.get(location=location, sku=sku).committed == 100
    assert_ledger_agrees()


def test_releases_and_consumes_racing_on_one_hold_close_it_once():
    store = LocationFactory(code="MI01")
    sku = SKUFactory(code="ONE-HOLD")
    services.receive_stock(location=store, sku=sku, quantity=5)
    (hold,) = services.hold_stock(lines=[(store, sku, 3)], kind="reservation", reference="R-1")

    def close(i):
        if i % 2:
            return services.release_hold(hold=hold.pk)
        return services.consume_hold(hold=hold.pk, reason="pos_sale")

    results = run_in_threads(close, 10)

    assert sum(isinstance(r, StockHold) for r in results) == 1
    level = StockLevel.objects.get(location=store, sku=sku)
    assert level.committed == 0
    assert level.on_hand in (2, 5)
    assert_ledger_agrees()
