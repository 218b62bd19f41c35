"""Every right the roles table names is checked where it applies (issue 26, item 4): the reservations' actions and
the returns desk ask for their own rights, so taking one from a role in stores/roles.py takes it away there."""

import re
from pathlib import Path

import pytest

from orders.models import Return
from stores import roles
from stores.roles import RIGHTS, Right
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import reserved_at_mi01
from tests.orders.returns_helpers import delivered, line, rnet  # noqa: F401  (fixtures)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
APPS = ("orders", "inventory", "stores", "notifications", "support_playbook", "omnichannel")


def test_every_right_in_the_table_is_asked_for_somewhere():
    root = Path(__file__).resolve().parents[2]
    code = "\n".join(
        path.read_text()
        for app in APPS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "roles.py"
    )
    asked = set(re.findall(r"Right\.([A-Z_]+)", code))
    assert {right.name for right in RIGHTS} <= asked


@pytest.fixture
def without_associates(monkeypatch):
    """The roles table with associates no longer allowed `right`."""

    def take(right):
        monkeypatch.setitem(roles.RIGHTS, right, RIGHTS[right] - {roles.Role.ASSOCIATE})

    return take


def member(net, role):  # noqa: F811
    user = UserFactory(username=f"mi01.{role}")
    StoreMembershipFactory(user=user, location=net["MI01"], role=role)
    return user


def test_a_role_without_the_reservations_right_cannot_act_on_a_reservation(client, rnet, without_associates):  # noqa: F811
    reservation = reserved_at_mi01(rnet)
    url = f"/dashboard/MI01/reservations/{reservation.number}/cancel/"
    without_associates(Right.WORK_RESERVATIONS)
    client.force_login(member(rnet, "associate"))
    assert client.get(f"/dashboard/MI01/reservations/{reservation.number}/").status_code == 200  # sees the work
    assert client.post(url, {"reason": "asked"}).status_code == 403
    reservation.refresh_from_db()
    assert reservation.status == "held"
    client.force_login(member(rnet, "manager"))
    assert client.post(url, {"reason": "asked"}).status_code == 302


def test_the_returns_desk_has_its_own_right(client, rnet, without_associates):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    from orders import services

    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 1, reason="too_big")]
    )
    without_associates(Right.WORK_RETURNS_DESK)
    client.force_login(member(rnet, "associate"))
    url = f"/dashboard/MI01/returns/{return_request.number}/cancel/"
    assert client.post(url, {"reason": "customer kept it", "confirm": "on"}).status_code == 403
    return_request.refresh_from_db()
    assert return_request.status == "requested"
