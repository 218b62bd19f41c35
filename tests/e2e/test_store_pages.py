"""Store pages as the shop floor uses them (issue 25, item 20), in Italian on a desk and a phone: a no-show is
confirmed before it is recorded, a parcel reported not received says so, the phone's menu shows every entry, the
returns desk's received table fits, and stock lookup offers only places that have the item, the warehouse
included. Screenshots in var/screenshots/ (store_*.png)."""

from functools import partial

import pytest
from playwright.sync_api import expect

from inventory import services as stock
from orders import services
from orders.models import Fulfillment, Return
from tests.e2e.conftest import SIZES
from tests.e2e.helpers import screenshot
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place, shipped
from tests.orders.returns_helpers import delivered, line, received, rnet  # noqa: F401  (fixtures)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


shot = partial(screenshot, prefix="store")


def fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def staff(net, code, role="associate"):  # noqa: F811
    username = f"{code.lower()}.{role}"
    StoreMembershipFactory(user=UserFactory(username=username), location=net[code], role=role)
    return username


@pytest.mark.parametrize("size", SIZES)
def test_a_no_show_is_confirmed_before_it_is_recorded(live_server, logged_in, net, size):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    parcel = services.mark_ready_for_pickup(fulfillment=services.start_picking(fulfillment=order.fulfillments.get()))
    page = logged_in(staff(net, "MI01"), size, locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/MI01/orders/{parcel.pk}/")
    no_show = page.get_by_test_id("not-collected")
    expect(no_show.get_by_role("button", name="Non ritirato")).to_be_hidden()  # not one tap under the hand-over
    no_show.locator("summary").click()
    no_show.get_by_role("button", name="Non ritirato").click()  # not ticked: the browser asks, nothing is sent
    assert Fulfillment.objects.get(pk=parcel.pk).status == "ready_for_pickup"
    shot(page, "no_show_confirm", size)
    no_show.get_by_role("checkbox").check()
    no_show.get_by_role("button", name="Non ritirato").click()
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Non ritirato")
    assert fits_the_screen(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_parcel_reported_not_received_says_so(live_server, logged_in, net, size):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    parcel = shipped(order, "BRT-77")
    page = logged_in(staff(net, "BG01"), size, locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/BG01/orders/{parcel.pk}/")
    page.get_by_role("button", name="Pacco non ricevuto").click()
    expect(page.get_by_test_id("not-received")).to_contain_text("Segnalato non ricevuto")
    expect(page.get_by_role("button", name="Pacco non ricevuto")).to_have_count(0)
    shot(page, "not_received", size)
    assert fits_the_screen(page)


@pytest.mark.parametrize("role", ["associate", "manager"])
def test_the_phone_menu_shows_every_entry(live_server, logged_in, net, role):  # noqa: F811
    page = logged_in(staff(net, "MI01", role), "phone", locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/MI01/")
    entries = page.locator("nav.menu a")
    assert entries.count() >= 6
    width = page.viewport_size["width"]
    for entry in entries.all():
        box = entry.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, entry.inner_text()
    expect(page.locator('nav.menu a[data-menu="tasks"]')).to_be_in_viewport()
    expect(page.locator('nav.menu a[data-menu="stock"]')).to_be_in_viewport()
    shot(page, f"menu_{role}", "phone")


@pytest.mark.parametrize("size", SIZES)
def test_the_returns_desks_received_table_shows_every_column(live_server, logged_in, rnet, size):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 2, reason="too_big")]
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["MI01"],
        lines=[received(order, "TEE-M", 2, restock_here=1, quarantine=1)],
        damaged_refund="now",
    )
    page = logged_in(staff(rnet, "MI01"), size, locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/MI01/returns/{return_request.number}/")
    table = page.get_by_test_id("received-lines")
    card = page.locator("section.card", has=table)
    assert page.evaluate("el => el.scrollWidth <= el.clientWidth + 1", card.element_handle())  # nothing clipped
    if size == "desktop":
        expect(table.get_by_role("columnheader", name="Quarantena")).to_be_in_viewport()
        expect(table.get_by_role("columnheader", name="Scartati")).to_be_in_viewport()
    shot(page, "return_received", size)


@pytest.mark.parametrize("size", SIZES)
def test_stock_lookup_offers_the_places_that_have_it_the_warehouse_included(live_server, logged_in, net, size):  # noqa: F811
    stock.receive_stock(location=net["BG01"], sku=net["skus"]["TEE-M"], quantity=1)
    stock.hold_stock(lines=[(net["BG01"], net["skus"]["TEE-M"], 1)], kind="reservation", reference="R-1")  # 0 free
    page = logged_in(staff(net, "MI02"), size, locale="it-IT")
    page.goto(f"{live_server.url}/dashboard/MI02/stock/?q=TEE-M")
    row = page.locator('tr[data-sku="TEE-M"]')
    expect(row.locator("li[data-location]")).to_have_count(2)
    expect(row.locator('li[data-location="MI01"]')).to_contain_text("2")
    expect(row.locator('li[data-location="WH01"]')).to_contain_text("10")  # the warehouse has it too
    expect(row.locator('li[data-location="BG01"]')).to_have_count(0)  # nothing free there
    expect(row.locator('li[data-location="MI01"]')).to_contain_text(",")  # "(2,6 km)": an Italian decimal
    shot(page, "stock_lookup", size)
    assert fits_the_screen(page)
