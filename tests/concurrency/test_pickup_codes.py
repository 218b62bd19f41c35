"""Many counters typing wrong codes at once: exactly PICKUP_CODE_MAX_ATTEMPTS codes are ever compared."""

import pytest
from django.conf import settings

from orders import services
from orders.errors import PickupCodeLocked, WrongPickupCode
from tests.concurrency.conftest import run_in_threads
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    fulfillment.refresh_from_db()
    return fulfillment


@pytest.mark.parametrize("tries", [16, 30])
def test_parallel_wrong_codes_never_compare_more_than_the_limit(waiting, tries):
    wrong = "000000" if waiting.pickup_code != "000000" else "111111"
    answers = run_in_threads(lambda i: services.hand_over(fulfillment=waiting.pk, pickup_code=wrong), tries)
    limit = settings.PICKUP_CODE_MAX_ATTEMPTS
    assert all(isinstance(a, (WrongPickupCode, PickupCodeLocked)) for a in answers), answers
    compared = sorted(a.details["attempts_left"] for a in answers if isinstance(a, WrongPickupCode))
    assert compared == list(range(1, limit)), compared  # 4, 3, 2, 1 left: then the 5th locked it
    assert sum(isinstance(a, PickupCodeLocked) for a in answers) == tries - (limit - 1)
    waiting.refresh_from_db()
    assert waiting.pickup_code_attempts == limit and waiting.status == "ready_for_pickup"
    assert waiting.order.events.filter(type="pickup_code_locked").count() == 1
    with pytest.raises(PickupCodeLocked):
        services.hand_over(fulfillment=waiting, pickup_code=waiting.pickup_code)
