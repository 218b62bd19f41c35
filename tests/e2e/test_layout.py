"""Store pages at a desktop's and a phone's size (1366×900, 390×844): every action visible inside its card,
and tables that stay readable when their rows become cards on a phone."""

import pytest
from playwright.sync_api import expect

from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.test_services import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def associate_page(browser, live_server, net):  # noqa: F811
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=net["MI01"])
    contexts = []

    def open_at(size):
        width, height = SIZES[size]
        contexts.append(browser.new_context(locale="en-GB", viewport={"width": width, "height": height}))
        page = contexts[-1].new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill("mi01.associate")
        page.get_by_label("Password").fill("secret-pass-1")
        page.get_by_role("button", name="Log in").click()
        return page

    yield open_at
    for context in contexts:
        context.close()


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
