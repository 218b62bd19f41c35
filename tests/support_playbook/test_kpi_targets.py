"""Head office's KPI targets: set on their page, for every location or one, shown beside the figures and marked
met (✓) or missed (✗) in the figure's own direction; bad input is a form error and writes nothing."""

import pytest
from django.contrib.auth.models import Group

from support_playbook.models import KpiTarget
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.stores.factories import StoreMembershipFactory, UserFactory
from tests.support_playbook.test_kpis import at, week  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_office(client):
    user = UserFactory(username="head.office")
    user.groups.add(Group.objects.get_or_create(name="head_office")[0])
    client.force_login(user)
    return user


def row_of(page: str, key: str) -> str:
    return page.split(f'data-kpi="{key}"')[1].split("</tr>")[0]


def test_a_target_for_every_location_and_one_stores_own(client, head_office, week, net):  # noqa: F811
    # The week: 1 of 3 orders cancelled (33.3 %); at MI01 1 of 2 parcels short (50 %).
    assert (
        client.post("/care/network/targets/", {"key": "cancellation_rate", "location": "", "percent": "10"}).status_code
        == 302
    )
    client.post("/care/network/targets/", {"key": "rejection_rate", "location": "", "percent": "60"})
    client.post("/care/network/targets/", {"key": "rejection_rate", "location": "MI01", "percent": "5"})
    client.post("/care/network/targets/", {"key": "rejection_rate", "location": "MI01", "percent": "4"})  # changed
    assert KpiTarget.objects.count() == 3
    with at(2027, 3, 14, 18, 0):  # sessions expire: log in on the day
        client.force_login(head_office)
        network = client.get("/care/network/").content.decode()
        client.force_login(StoreMembershipFactory(location=net["MI01"], role="manager").user)
        scorecard = client.get("/dashboard/MI01/scorecard/").content.decode()
        csv = client.get("/dashboard/MI01/scorecard/scorecard.csv").content.decode()
    # Lower is better: 33.3 % misses ≤ 10 %; the network's 25 % rejection meets ≤ 60 %.
    assert 'data-verdict="misses"' in row_of(network, "cancellation_rate") and "≤ 10.0 %" in row_of(
        network, "cancellation_rate"
    )
    assert 'data-verdict="meets"' in row_of(network, "rejection_rate")
    # MI01's own target (4 %) wins over every location's: its 50 % misses it, in its scorecard and head office's table.
    assert "≤ 4.0 %" in row_of(scorecard, "rejection_rate") and 'data-verdict="misses"' in row_of(
        scorecard, "rejection_rate"
    )
    mi01 = network.split('data-kpi-store="MI01"')[1].split("</tr>")[0]
    assert 'data-figure="rejection_rate"><span class="kpi-bad" data-verdict="misses">' in mi01
    assert "data-verdict" not in row_of(network, "orders")  # no target, no verdict
    assert "≤ 4.0 %" in csv


@pytest.mark.parametrize(
    "data",
    [
        {"key": "cancellation_rate", "location": "", "percent": "150"},
        {"key": "cancellation_rate", "location": "", "percent": "-1"},
        {"key": "orders", "location": "", "percent": "10"},  # a count takes no target
        {"key": "cancellation_rate", "location": "NOPE", "percent": "10"},
        {"key": "cancellation_rate", "location": "", "percent": "ten"},
    ],
)
def test_a_bad_target_is_a_form_error_and_writes_nothing(client, head_office, net, data):  # noqa: F811
    response = client.post("/care/network/targets/", data)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not KpiTarget.objects.exists()


def test_a_target_is_removed_and_only_head_office_sets_them(client, head_office, net):  # noqa: F811
    client.post("/care/network/targets/", {"key": "no_show_rate", "location": "", "percent": "15"})
    target = KpiTarget.objects.get()
    page = client.get("/care/network/targets/").content.decode()
    assert 'data-target="no_show_rate-all"' in page and "≤ 15.0 %" in page
    assert client.post("/care/network/targets/", {"remove": "x"}).status_code == 404
    client.post("/care/network/targets/", {"remove": str(target.pk)})
    assert not KpiTarget.objects.exists()
    client.force_login(StoreMembershipFactory(location=net["MI01"], role="manager").user)
    assert client.get("/care/network/targets/").status_code == 403
    assert client.post("/care/network/targets/", {"key": "no_show_rate", "percent": "1"}).status_code == 403
    assert not KpiTarget.objects.exists()
