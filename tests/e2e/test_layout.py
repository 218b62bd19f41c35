"""Store pages at a desktop's and a phone's size (1366×900, 390×844): every action visible inside its card,
and tables that stay readable when their rows become cards on a phone."""

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from inventory import services as stock
from orders import services
from tests.e2e.conftest import SIZES
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def associate_page(logged_in, net):  # noqa: F811
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=net["MI01"])
    return lambda size: logged_in("mi01.associate", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_order_page_shows_every_item_action_and_labels_its_columns(associate_page, live_server, net, size):  # noqa: F811
    order = place(net, [("TEE-M", 2, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    page = associate_page(size)
    page.goto(f"{live_server.url}/dashboard/MI01/orders/{fulfillment.pk}/")
    card = page.get_by_test_id("items")
    button = card.get_by_role("button", name="Report missing")
    expect(button).to_be_visible()
    card_box, button_box = card.bounding_box(), button.bounding_box()
    assert button_box["x"] + button_box["width"] <= card_box["x"] + card_box["width"] + 0.5, (size, button_box)
    assert page.evaluate("el => el.scrollWidth <= el.clientWidth + 1", card.element_handle())  # nothing clipped
    if size == "phone":
        qty_cell = card.locator("tbody td[data-label='Qty']").first
        label = page.evaluate("el => getComputedStyle(el, '::before').content", qty_cell.element_handle())
        assert "Qty" in label  # the row-as-card still says which number is the quantity


def fits_the_screen(page) -> bool:
    """Nothing wider than the viewport (a phone would have to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def manager_page(logged_in, net):  # noqa: F811
    user = UserFactory(username="area.manager")
    for code in ("WH01", "MI01"):
        StoreMembershipFactory(user=user, location=net[code], role="manager")
    return lambda size: logged_in("area.manager", size)


@pytest.mark.parametrize("size", SIZES)
def test_a_warehouse_queue_and_a_store_queue(manager_page, live_server, net, size):  # noqa: F811
    place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    page = manager_page(size)
    page.goto(f"{live_server.url}/dashboard/WH01/orders/")
    expect(page.get_by_role("heading", name="To prepare")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting at the till")).to_have_count(0)
    expect(page.get_by_role("heading", name="Parcels coming to this store")).to_have_count(0)
    assert fits_the_screen(page)
    page.goto(f"{live_server.url}/dashboard/MI01/orders/")
    expect(page.get_by_role("heading", name="Waiting at the till")).to_be_visible()
    assert fits_the_screen(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_split_orders_page_at_one_location(manager_page, live_server, net, size):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    first = order.fulfillments.get()
    services.report_missing(fulfillment_line=first.lines.get(), quantity=1)  # the warehouse sends it instead
    page = manager_page(size)
    page.goto(f"{live_server.url}/dashboard/MI01/orders/{first.pk}/")
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("order-status")).to_contain_text("the whole order: Placed")
    timeline = page.locator("[data-event]").all_inner_texts()
    assert timeline.index("Item missing here: sent from another location") > timeline.index("Order placed")
    expect(page.get_by_test_id("sourcing")).to_contain_text("closest then by priority")
    assert fits_the_screen(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_reservation_list_and_a_no_show(manager_page, live_server, net, size):  # noqa: F811
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=4)
    customer = {"email": "giulia@example.com"}
    bought = services.reserve_items(
        channel=net["web"], customer=customer, location="MI01", lines=[{"sku": "TEE-M", "quantity": 2}]
    )
    services.mark_purchased(reservation=bought, bought={bought.lines.get().pk: 1})
    no_show = services.reserve_items(
        channel=net["web"], customer=customer, location="MI01", lines=[{"sku": "TEE-M", "quantity": 1}]
    )
    with time_machine.travel(no_show.expires_at + timedelta(minutes=5), tick=False):
        services.expire_reservations()
    page = manager_page(size)
    page.goto(f"{live_server.url}/dashboard/MI01/reservations/")
    expect(page.locator(f'tr[data-reservation="{bought.number}"]')).to_contain_text("1 bought, 1 back on sale")
    assert fits_the_screen(page)
    page.goto(f"{live_server.url}/dashboard/MI01/reservations/{no_show.number}/")
    expect(page.get_by_test_id("actions").get_by_role("heading")).to_have_text("Outcome")
    assert fits_the_screen(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_tracking_page_of_a_split_pickup(browser, live_server, net, size):  # noqa: F811
    net["MI01"].phone = "+39 02 2952 1133"
    net["MI01"].save()
    order = place(
        net, [("TEE-M", 1, "19.90"), ("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI01"}
    )
    width, height = SIZES[size]
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
    expect(page.get_by_test_id("parcel")).to_have_count(2)
    expect(page.get_by_test_id("store")).to_have_count(1)
    expect(page.get_by_test_id("store-phone")).to_have_text("+39 02 2952 1133")
    expect(page.get_by_test_id("parcel-status").first).to_have_text("Being prepared")
    expect(page.get_by_test_id("contact")).to_be_visible()
    assert fits_the_screen(page)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_timeline_says_missing_before_refunded(manager_page, live_server, net, size, settings):  # noqa: F811
    settings.AUTO_RECOVER_SHORT_LINES = False
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1)
    services.refund_missing_units(order=order, sku="JEANS-42", quantity=1)  # customer care's decision
    page = manager_page(size)
    page.goto(f"{live_server.url}/dashboard/WH01/orders/{fulfillment.pk}/")
    timeline = page.locator("[data-event]").all_inner_texts()
    assert (
        timeline.index("Item missing")
        < timeline.index("Missing item refunded")
        < timeline.index("Payment hold released (never charged)")
    )
    assert fits_the_screen(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_care_queue_a_case_and_the_store_tasks(logged_in, manager_page, live_server, net, size):  # noqa: F811
    from django.contrib.auth.models import Group

    from support_playbook.models import Case

    agent = UserFactory(username="care.agent")
    agent.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    order = place(net, [("TEE-M", 1, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.report_missing(fulfillment_line=fulfillment.lines.get(order_line__sku__code="JEANS-42"), quantity=1)
    case = Case.objects.get()
    page = logged_in("care.agent", size)
    expect(page.locator(f'tr[data-case="{case.pk}"]')).to_be_visible()
    assert fits_the_screen(page)
    page.goto(f"{live_server.url}/care/cases/{case.pk}/")
    button = page.get_by_test_id("suggestions").get_by_role("button", name="Do it").first
    expect(button).to_be_visible()
    assert fits_the_screen(page)
    page.goto(f"{live_server.url}/care/playbook/")
    assert fits_the_screen(page)
    store = manager_page(size)
    store.goto(f"{live_server.url}/dashboard/WH01/tasks/")
    expect(store.locator('[data-kind="recount"]')).to_be_visible()
    assert fits_the_screen(store)


@pytest.mark.parametrize("size", SIZES)
def test_the_console_pages_fit_desktop_and_phone(logged_in, live_server, net, size):  # noqa: F811
    from django.contrib.auth.models import Group

    head_office = UserFactory(username="head.office")
    head_office.groups.add(Group.objects.get_or_create(name="head_office")[0])
    order = place(net, [("TEE-M", 1, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    page = logged_in("head.office", size)
    for url in (
        f"/care/customers/{order.customer_id}/",
        f"/care/orders/{order.number}/",
        f"/care/customers/{order.customer_id}/order/?q=TEE",
        "/care/network/",
        "/care/refunds/",
    ):
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("main h1")).to_be_visible()
        assert fits_the_screen(page), url
