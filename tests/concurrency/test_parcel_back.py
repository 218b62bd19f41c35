"""A lost parcel booked back by two people at once (the WMS and a person on the dashboard): its units come back into
stock once."""

import pytest

from inventory.models import StockMovement
from omnichannel.errors import InvalidTransition
from orders import services
from tests.concurrency.conftest import run_in_threads
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import lost_parcel, shelf

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_bookings_of_one_returned_parcel_at_once_restock_once(net):  # noqa: F811
    _order, parcel = lost_parcel(net, [("JEANS-42", 2, "89.90")])
    assert shelf(net["WH01"], "JEANS-42") == (1, 0)

    results = run_in_threads(lambda i: services.receive_parcel_back(fulfillment=parcel.pk), 4)

    assert sum(not isinstance(result, Exception) for result in results) == 1, results
    assert all(isinstance(result, InvalidTransition) for result in results if isinstance(result, Exception))
    assert shelf(net["WH01"], "JEANS-42") == (3, 0)
    assert StockMovement.objects.filter(reference=f"fulfillment:{parcel.pk}", reason="return").count() == 1
