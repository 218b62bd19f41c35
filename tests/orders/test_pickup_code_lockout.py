"""The 6-digit pickup code cannot be guessed at the counter: locked after PICKUP_CODE_MAX_ATTEMPTS wrong codes;
a manager unlocks it (an associate cannot), or the customer is sent a new code."""

import pytest

from notifications.models import Notification
from orders import services
from orders.errors import PickupCodeLocked, WrongPickupCode
from stores.roles import NotAllowed
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_ready_for_pickup(fulfillment=fulfillment)
    fulfillment.refresh_from_db()
    return fulfillment


def wrong(fulfillment) -> str:
    return "000000" if fulfillment.pickup_code != "000000" else "111111"


def staff(net, role):  # noqa: F811
    user = UserFactory(username=f"mi01.{role}")
    StoreMembershipFactory(user=user, location=net["MI01"], role=role)
    return user


def test_five_wrong_codes_lock_the_pickup_even_for_the_right_code(waiting):
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPickupCode) as refused:
            services.hand_over(fulfillment=waiting, pickup_code=wrong(waiting))
        assert refused.value.details == {"attempts_left": left}
    with pytest.raises(PickupCodeLocked):
        services.hand_over(fulfillment=waiting, pickup_code=wrong(waiting))
    with pytest.raises(PickupCodeLocked):
        services.hand_over(fulfillment=waiting, pickup_code=waiting.pickup_code)
    waiting.refresh_from_db()
    assert waiting.status == "ready_for_pickup" and waiting.pickup_code_attempts == 5
    assert waiting.order.events.filter(type="pickup_code_locked").count() == 1


def test_a_manager_unlocks_an_associate_cannot(waiting, net):  # noqa: F811
    for _ in range(5):
        with pytest.raises((WrongPickupCode, PickupCodeLocked)):
            services.hand_over(fulfillment=waiting, pickup_code=wrong(waiting))
    with pytest.raises(NotAllowed):
        services.unlock_pickup_code(fulfillment=waiting, actor=staff(net, "associate"))
    manager = staff(net, "manager")
    services.unlock_pickup_code(fulfillment=waiting, actor=manager)
    assert waiting.order.events.get(type="pickup_code_unlocked").actor == manager
    done = services.hand_over(fulfillment=waiting, pickup_code=waiting.pickup_code)
    assert done.status == "collected"


def test_a_new_code_is_sent_and_the_old_one_stops_working(waiting, net):  # noqa: F811
    old = waiting.pickup_code
    for _ in range(5):
        with pytest.raises((WrongPickupCode, PickupCodeLocked)):
            services.hand_over(fulfillment=waiting, pickup_code=wrong(waiting))
    renewed = services.renew_pickup_code(fulfillment=waiting, actor=staff(net, "associate"))
    assert renewed.pickup_code_attempts == 0
    sms = Notification.objects.get(order=waiting.order, event="pickup_code_renewed", channel="sms")
    assert renewed.pickup_code in sms.body_text
    if renewed.pickup_code != old:
        with pytest.raises(WrongPickupCode):
            services.hand_over(fulfillment=waiting, pickup_code=old)
    assert services.hand_over(fulfillment=waiting, pickup_code=renewed.pickup_code).status == "collected"


def test_the_dashboard_shows_the_lock_and_only_a_manager_gets_the_unlock_button(waiting, net, client):  # noqa: F811
    url = f"/dashboard/MI01/orders/{waiting.pk}/"
    client.force_login(staff(net, "associate"))
    for _ in range(5):
        client.post(f"{url}hand_over/", {"pickup_code": wrong(waiting)})
    page = client.get(url).content.decode()
    assert 'data-testid="pickup-code-locked"' in page and "unlock_code" not in page and "renew_code" in page
    assert client.post(f"{url}unlock_code/").status_code == 409  # not offered to an associate
    client.force_login(staff(net, "manager"))
    assert "unlock_code" in client.get(url).content.decode()
    assert client.post(f"{url}unlock_code/").status_code == 302
    waiting.refresh_from_db()
    assert waiting.pickup_code_attempts == 0
