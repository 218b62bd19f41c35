"""A page's write that PostgreSQL aborts for a deadlock (issue 26, item 5): the store dashboard and the care console
run it again once, in one transaction, so the first attempt leaves nothing behind; a second conflict is a 503
page "busy, try again", never a 500. (The API's own rule: test_lock_order.py.)"""

import pytest
from django.db import OperationalError

from orders.fulfillment import services
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Deadlock(Exception):
    sqlstate = "40P01"  # what PostgreSQL says when it aborts one side of a deadlock


def deadlocking(real, times):
    """`real`, which writes, then is aborted by a deadlock the first `times` calls."""
    calls = []

    def run(**kwargs):
        calls.append(1)
        result = real(**kwargs)
        if len(calls) <= times:
            raise OperationalError("deadlock detected") from Deadlock()
        return result

    return run, calls


@pytest.fixture
def picking_page(client, net):  # noqa: F811
    user = UserFactory(username="mi01.associate")
    StoreMembershipFactory(user=user, location=net["MI01"])
    client.force_login(user)
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    return order.fulfillments.get()


def test_a_deadlocked_store_action_runs_again_once_and_leaves_no_trace_of_the_first_try(
    client, picking_page, monkeypatch
):
    fulfillment = picking_page
    flaky, calls = deadlocking(services.start_picking, times=1)
    monkeypatch.setattr(services, "start_picking", flaky)
    answer = client.post(f"/dashboard/MI01/orders/{fulfillment.pk}/start_picking/")
    assert answer.status_code == 302 and len(calls) == 2
    fulfillment.refresh_from_db()
    assert fulfillment.status == "picking"
    assert fulfillment.order.events.filter(type="picking").count() == 1  # the aborted try wrote nothing


def test_a_second_deadlock_is_a_503_page_and_nothing_is_written(client, picking_page, monkeypatch):
    fulfillment = picking_page
    flaky, calls = deadlocking(services.start_picking, times=2)
    monkeypatch.setattr(services, "start_picking", flaky)
    answer = client.post(f"/dashboard/MI01/orders/{fulfillment.pk}/start_picking/")
    assert answer.status_code == 503 and answer["Retry-After"] == "1" and len(calls) == 2
    assert "try again" in answer.content.decode().lower()
    fulfillment.refresh_from_db()
    assert fulfillment.status == "pending" and not fulfillment.order.events.filter(type="picking").exists()
