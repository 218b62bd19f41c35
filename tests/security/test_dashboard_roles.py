"""Dashboard pages × roles × another store: who may open and act on MI01's work. A member sees only their
stores (another store's URL is a 404, not a 403: a store does not learn which codes exist); customer care and
store staff of other stores get nothing; head office opens every store; only a manager unlocks a pickup code."""

import pytest
from django.contrib.auth.models import Group

from orders import services
from orders.models import Fulfillment
from stores.roles import CUSTOMER_CARE_GROUP, HEAD_OFFICE_GROUP
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "mi01.associate", "mi01.manager", "rm01.manager", "care.agent", "head.office"]


@pytest.fixture
def world(net):  # noqa: F811
    from tests.stores.factories import LocationFactory

    rm01 = LocationFactory(code="RM01", capabilities=["click_and_collect"])
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    pickup = order.fulfillments.get()
    services.start_picking(fulfillment=pickup)
    services.mark_ready_for_pickup(fulfillment=pickup)
    Fulfillment.objects.filter(pk=pickup.pk).update(pickup_code_attempts=5)  # locked after wrong codes
    reservation = services.reserve_items(
        channel=net["web"],
        customer={"email": "r@example.com"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )
    users = {}
    for name, store, role in [
        ("mi01.associate", net["MI01"], "associate"),
        ("mi01.manager", net["MI01"], "manager"),
        ("rm01.manager", rm01, "manager"),
    ]:
        users[name] = UserFactory(username=name)
        StoreMembershipFactory(user=users[name], location=store, role=role)
    users["care.agent"] = UserFactory(username="care.agent")
    users["care.agent"].groups.add(Group.objects.get_or_create(name=CUSTOMER_CARE_GROUP)[0])
    users["head.office"] = UserFactory(username="head.office")
    users["head.office"].groups.add(Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)[0])
    return {"pickup": pickup, "reservation": reservation, "users": users}


def opens(client, user, path) -> int:
    if user is not None:
        client.force_login(user)
    return client.get(path).status_code


PAGES = [
    "/dashboard/MI01/",
    "/dashboard/MI01/orders/",
    "/dashboard/MI01/orders/{pickup}/",
    "/dashboard/MI01/reservations/",
    "/dashboard/MI01/reservations/{reservation}/",
    "/dashboard/MI01/stock/?q=TEE",
    "/dashboard/MI01/tasks/",
]
SEES = {"mi01.associate": 200, "mi01.manager": 200, "head.office": 200, "rm01.manager": 404, "care.agent": 404}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", PAGES)
def test_who_opens_a_stores_pages(world, client, page, person):
    path = page.format(pickup=world["pickup"].pk, reservation=world["reservation"].number)
    status = opens(client, world["users"].get(person), path)
    if person == "anonymous":
        assert status == 302  # to the login page
    else:
        assert status == SEES[person], (person, path)


UNLOCK = {"mi01.manager": 302, "head.office": 302, "mi01.associate": 409, "rm01.manager": 404, "care.agent": 404}


@pytest.mark.parametrize("person", [p for p in PEOPLE if p != "anonymous"])
def test_only_a_manager_of_the_store_or_head_office_unlocks_a_pickup_code(world, client, person):
    client.force_login(world["users"][person])
    response = client.post(f"/dashboard/MI01/orders/{world['pickup'].pk}/unlock_code/")
    assert response.status_code == UNLOCK[person]
    world["pickup"].refresh_from_db()
    assert (world["pickup"].pickup_code_attempts == 0) == (UNLOCK[person] == 302)


@pytest.mark.parametrize("person", ["rm01.manager", "care.agent"])
def test_another_stores_staff_cannot_act_on_this_stores_work(world, client, person):
    client.force_login(world["users"][person])
    pickup, reservation = world["pickup"], world["reservation"]
    assert client.post(f"/dashboard/MI01/orders/{pickup.pk}/not_collected/").status_code == 404
    assert client.post(f"/dashboard/MI01/reservations/{reservation.number}/cancel/").status_code == 404
    pickup.refresh_from_db()
    reservation.refresh_from_db()
    assert pickup.status == "ready_for_pickup" and reservation.status == "held"


FIGURE_PAGES = {
    # A store's figures: its manager and head office; its associates are refused; other stores' staff see nothing.
    "/dashboard/MI01/scorecard/": {"mi01.associate": 403, "mi01.manager": 200, "head.office": 200},
    "/dashboard/MI01/scorecard/scorecard.csv": {"mi01.associate": 403, "mi01.manager": 200, "head.office": 200},
    "/dashboard/MI01/scorecard/no_show_rate/": {"mi01.associate": 403, "mi01.manager": 200, "head.office": 200},
    # The network's figures and targets: head office only.
    "/care/network/": {"head.office": 200},
    "/care/network/kpis.csv": {"head.office": 200},
    "/care/network/kpi/no_show_rate/?store=MI01": {"head.office": 200},
    "/care/network/targets/": {"head.office": 200},
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_who_reads_the_figures(world, client, page, person):
    status = opens(client, world["users"].get(person), page)
    if person == "anonymous":
        assert status == 302
    elif page.startswith("/dashboard/"):
        assert status == FIGURE_PAGES[page].get(person, 404), (person, page)
    else:
        assert status == FIGURE_PAGES[page].get(person, 403), (person, page)
