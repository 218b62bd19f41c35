"""The order KPIs in a browser (issue 27): head office reads the network's last 7 days with its daily charts, a
store manager their store's scorecard, on a desk and a phone, in Italian; an associate is refused. Screenshots in
var/screenshots/ (kpis_*.png)."""

from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from inventory import services as stock
from orders import services
from orders.models import Reservation
from support_playbook.services import kpi_rollup
from tests.e2e.conftest import SIZES
from tests.e2e.helpers import reads_italian, screenshot
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
shot = partial(screenshot, prefix="kpis")


@pytest.fixture
def todays_orders(net):  # noqa: F811
    shipped = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    parcel = shipped.fulfillments.get()
    services.ship_fulfillment(
        fulfillment=services.mark_packed(fulfillment=services.start_picking(fulfillment=parcel)),
        carrier="BRT",
        tracking_number="BRT-1",
    )
    cancelled = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    services.cancel_order(order=cancelled, reason="changed my mind")
    # At MI01 two reservations today: one bought, one nobody came for (its end moved into the past).
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=5)
    made = [
        services.reserve_items(
            channel=net["web"],
            customer={"email": f"{who}@example.com"},
            location="MI01",
            lines=[{"sku": "TEE-M", "quantity": 1}],
        )
        for who in ("bought", "gone")
    ]
    services.mark_purchased(reservation=made[0], pos_receipt="R-1")
    Reservation.objects.filter(pk=made[1].pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.expire_reservations()
    kpi_rollup.refresh_kpis()  # as the scheduled job does
    return {**net, "no_show": made[1]}


def fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", SIZES)
def test_head_office_reads_the_weeks_figures_and_charts(live_server, logged_in, todays_orders, size):
    user = UserFactory(username="head.office")
    user.groups.add(Group.objects.get_or_create(name="head_office")[0])
    page = logged_in("head.office", size, locale="it-IT")
    page.goto(f"{live_server.url}/care/network/")
    kpis = page.get_by_test_id("kpis")
    expect(kpis.get_by_role("heading", name="Gli ultimi 7 giorni")).to_be_visible()
    expect(kpis.get_by_test_id("chart-orders").locator("svg rect")).to_have_count(7)
    expect(kpis.locator('[data-kpi="cancellation_rate"]')).to_contain_text("50,0 %")
    expect(kpis.locator('[data-kpi="net_sales"]')).to_contain_text("19,90 EUR")
    reads_italian(page)
    assert fits_the_screen(page)
    shot(page, "network", size)
    kpis.locator('[data-figure="cancellation_rate"]').click()  # the figure opens exactly the orders it counts
    expect(page.get_by_test_id("rows").locator("[data-order]")).to_have_count(1)
    expect(page.get_by_test_id("formula")).to_contain_text("(1 ÷ 2)")
    reads_italian(page)
    page.go_back()  # one store's no-show rate opens exactly the reservations nobody came for
    stores = page.get_by_test_id("kpi-stores")
    expect(stores.locator('[data-kpi-store="MI01"] [data-figure="no_show_rate"]')).to_have_text("50,0 %")
    stores.locator('[data-kpi-store="MI01"] [data-figure="no_show_rate"]').click()
    rows = page.get_by_test_id("rows").locator("[data-reservation]")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-reservation", todays_orders["no_show"].number)
    reads_italian(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_manager_reads_their_scorecard_and_an_associate_is_refused(live_server, logged_in, todays_orders, size):
    StoreMembershipFactory(user=UserFactory(username="mi02.manager"), location=todays_orders["MI02"], role="manager")
    StoreMembershipFactory(user=UserFactory(username="mi02.associate"), location=todays_orders["MI02"])
    page = logged_in("mi02.manager", size, locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/MI02/")
    page.get_by_test_id("scorecard-link").click()
    expect(page.get_by_test_id("kpis")).to_be_visible()
    page.get_by_label("Periodo").select_option("28")
    page.get_by_role("button", name="Mostra").click()
    expect(page.get_by_test_id("chart-orders").locator("svg rect")).to_have_count(28)
    reads_italian(page)
    assert fits_the_screen(page)
    shot(page, "scorecard", size)
    refused = logged_in("mi02.associate", size, locale="it-IT")
    assert refused.goto(f"{live_server.url}/dashboard/MI02/scorecard/").status == 403
