"""Head office's network view and a manager's figures on the store home (issue 13, item 4): each figure counts
the right rows per store and opens the list behind it; only head office sees the network; constant queries."""

import pytest
import time_machine
from django.utils import timezone

from orders import services
from support_playbook.models import Case
from support_playbook.network_selectors import network_figures
from tests.orders.helpers import shipped
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory
from tests.support_playbook.conftest import HOME_MILAN, net, place, store_staff  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(net):  # noqa: F811
    """MI01: one pickup to prepare (placed two days ago: late), one waiting (expiring tomorrow); WH01: a parcel
    to Bergamo shipped four days ago (overdue there) and a short pick this week."""
    with time_machine.travel(timezone.now() - timezone.timedelta(days=2)):
        place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    waiting = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = waiting.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    with time_machine.travel(timezone.now() - timezone.timedelta(days=6, hours=12)):
        services.mark_ready_for_pickup(fulfillment=fulfillment)
    # Its deadline in 12 hours (the store's closing time would move it with the clock the test runs at).
    type(fulfillment).objects.filter(pk=fulfillment.pk).update(
        pickup_deadline=timezone.now() + timezone.timedelta(hours=12)
    )
    with time_machine.travel(timezone.now() - timezone.timedelta(days=4)):
        parcel = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
        parcel = parcel.fulfillments.get()
        services.start_picking(fulfillment=parcel)
        services.mark_packed(fulfillment=parcel)
        services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number="BRT-1")
    short = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    services.report_missing(fulfillment_line=short.fulfillments.get().lines.get(), quantity=1)
    return net


def test_each_figure_counts_its_stores_rows(today):
    figures = network_figures()
    rows = {row["location"].code: row for row in figures["rows"]}
    assert (rows["MI01"]["to_prepare"], rows["MI01"]["late"]) == (1, 1)
    assert (rows["MI01"]["pickups_waiting"], rows["MI01"]["pickups_expiring"]) == (1, 1)
    assert rows["BG01"]["incoming_overdue"] == 1 and rows["WH01"]["to_prepare"] == 0
    assert (rows["WH01"]["short_picks"], rows["WH01"]["short_units"]) == (1, 1)
    assert figures["totals"]["cases"] == 1
    by_scenario = {s["scenario"].code: s for s in figures["cases_by_scenario"]}
    assert by_scenario["incomplete_order_home"]["open"] == 1


def test_head_office_opens_each_figure_and_its_list(client, today, head_office):
    client.force_login(head_office)
    page = client.get("/care/network/").content.decode()
    assert 'data-store="MI01"' in page and 'data-testid="cases-by-scenario"' in page
    late = client.get("/care/network/late/", {"store": "MI01"}).content.decode()
    assert late.count("data-order=") == 1
    assert client.get("/care/network/incoming_overdue/", {"store": "BG01"}).content.decode().count("data-order=") == 1
    short_picks = client.get("/care/network/short_picks/").content.decode()
    short = Case.objects.get().order  # the one short pick of the week: its order opens from the list
    assert f'<a href="/care/orders/{short.number}/">{short.number}</a>' in short_picks
    assert client.get("/care/network/nope/").status_code == 404
    assert client.get("/care/network/late/", {"store": "XX99"}).status_code == 404


@pytest.mark.parametrize("who,expected", [("agent", 403), ("manager", 403), ("associate", 403), ("anonymous", 302)])
def test_only_head_office_sees_the_network(client, today, agent, who, expected):
    manager = UserFactory(username="mi01.manager")
    StoreMembershipFactory(user=manager, location=today["MI01"], role="manager")
    people = {"agent": agent, "manager": manager, "associate": store_staff(today, "MI01")}
    if who != "anonymous":
        client.force_login(people[who])
    assert client.get("/care/network/").status_code == expected
    assert client.get("/care/network/late/").status_code == expected


def test_a_manager_sees_their_stores_figures_on_the_store_home_an_associate_does_not(client, today):
    manager = UserFactory(username="mi01.manager")
    StoreMembershipFactory(user=manager, location=today["MI01"], role="manager")
    client.force_login(manager)
    home = client.get("/dashboard/MI01/").content.decode()
    figures = home[home.index('data-testid="store-figures"') :]
    assert 'data-figure="late" class="bad">1<' in figures
    client.force_login(store_staff(today, "MI01"))
    assert 'data-testid="store-figures"' not in client.get("/dashboard/MI01/").content.decode()


def test_the_network_view_is_constant_in_queries_whatever_the_stores(
    client, today, head_office, django_assert_max_num_queries
):
    client.force_login(head_office)
    client.get("/care/network/")
    with django_assert_max_num_queries(40) as few:  # the KPIs: 8 per period, 2 periods, the chart, the currency
        client.get("/care/network/")
    for n in range(10):
        LocationFactory(code=f"ST{n:02d}")
    with django_assert_max_num_queries(len(few)):
        assert client.get("/care/network/").content.decode().count("data-store=") == 5 + 10 + 1


def test_returns_on_their_way_count_where_they_are_received(client, today, head_office, return_reasons):
    from tests.orders.returns_helpers import deliver

    order = deliver(place(today, [("TEE-M", 1, "19.90")], HOME_MILAN))
    services.request_return(
        how="in_store",
        location=today["MI02"],
        lines=[{"order": order.number, "sku": "TEE-M", "quantity": 1, "reason": "too_big"}],
    )
    rows = {row["location"].code: row for row in network_figures()["rows"]}
    assert rows["MI02"]["returns_expected"] == 1 and rows["MI01"]["returns_expected"] == 0
    client.force_login(head_office)
    listing = client.get("/care/network/returns_expected/", {"store": "MI02"}).content.decode()
    assert listing.count("data-return=") == 1


def test_head_office_sees_the_refunds_waiting_for_approval(client, net, head_office, agent, settings):  # noqa: F811
    from support_playbook.services import console

    settings.CARE_REFUND_LIMIT = 10
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    shipped(order)
    console.refund(order=order, amount="25.00", reason="late delivery", kind="goodwill", actor=agent)  # over 10
    client.force_login(head_office)
    page = client.get("/care/network/").content.decode()
    box = page[page.index('data-testid="refunds-pending"') :]
    box = box[: box.index("</section>")]
    assert "1 request" in box and "25.00 EUR" in box and 'href="/care/refunds/"' in box
