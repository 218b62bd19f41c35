"""One lock order for every write of an order (issue 26, item 5; orders/locks.py): a customer's cancel and the
warehouse's short pick of the same parcel at the same moment never deadlock. Before, cancel_order locked the order,
then the stock, then the parcel, while report_missing locked the parcel, then the stock, then the order: each could
hold what the other waited for."""

import pytest
from django.db import OperationalError

from inventory import services as stock
from omnichannel.errors import DomainError
from orders import services
from orders.models import Fulfillment
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 6


@pytest.fixture
def warehouse(settings):
    settings.AUTO_RECOVER_SHORT_LINES = False  # the short pick stays a missing unit: the case, not a re-route
    web = SalesChannelFactory(code="web", kind="web")
    wh01 = LocationFactory(code="WH01", kind="warehouse", latitude=45.32, longitude=9.13, capabilities=["ships"])
    web.source_locations.set([wh01])
    for code in ("COAT", "SCARF"):
        stock.receive_stock(location=wh01, sku=SKUFactory(code=code), quantity=100)
    return web


def picking(web):
    data = payload([("COAT", 1, "79.90"), ("SCARF", 1, "29.90")], HOME_MILAN)
    order = services.place_order(
        channel=web,
        customer=data["customer"],
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
    )
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    return order, parcel


def test_a_cancel_and_a_short_pick_of_the_same_parcel_at_once_never_deadlock(warehouse):
    for _round in range(ROUNDS):
        order, parcel = picking(warehouse)
        coat = parcel.lines.get(order_line__sku__code="COAT")

        def act(i, order=order, coat=coat):
            if i == 0:
                return services.cancel_order(order=order, reason="changed my mind")
            return services.report_missing(fulfillment_line=coat, quantity=1)

        results = run_in_threads(act, 2)
        deadlocks = [r for r in results if isinstance(r, OperationalError)]
        assert not deadlocks, deadlocks
        # Whichever came second either fitted what the first left or was refused with a clear domain error.
        assert all(not isinstance(r, Exception) or isinstance(r, DomainError) for r in results), results
        assert Fulfillment.objects.get(pk=parcel.pk).status in ("cancelled", "picking")
    assert_ledger_agrees()
