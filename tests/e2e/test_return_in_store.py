"""Buy online, return in store, in a real browser (issue 16 acceptance): the customer starts a return from the
tracking page choosing a store; the store associate finds it by phone, receives it, puts one unit back on sale and
writes one off; the refund, the stock and the customer's messages are right."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel
from notifications.models import Notification
from orders.models import Return
from tests.e2e.conftest import SIZES
from tests.orders.helpers import money
from tests.orders.returns_helpers import delivered, net, rnet  # noqa: F401  (fixtures)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_customer_returns_in_a_store_and_the_store_refunds_on_the_spot(live_server, browser, logged_in, rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=rnet["MI01"])
    shelf = StockLevel.objects.get(location=rnet["MI01"], sku=rnet["skus"]["TEE-M"])

    # The customer, on a phone, from the tracking link.
    width, height = SIZES["phone"]
    customer = browser.new_context(locale="en-GB", viewport={"width": width, "height": height}).new_page()
    customer.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
    customer.get_by_test_id("send-back").click()
    item = customer.locator('fieldset[data-sku="TEE-M"]')
    item.get_by_label("How many").select_option("2")
    item.get_by_label("Why").select_option(label="Too small")
    customer.get_by_label("In a store").check()
    customer.get_by_label("Store (to bring them in person, refunded on the spot)").select_option("MI01")
    customer.get_by_test_id("start-return").click()
    expect(customer.get_by_test_id("instructions")).to_contain_text("Bring the items to the store")
    expect(customer.get_by_test_id("refund")).to_contain_text("40.00 EUR when all the items arrive")
    return_request = Return.objects.get()
    assert (return_request.location.code, return_request.how) == ("MI01", "in_store")

    # The store: the return waits on the desk (badge); the customer gives their phone at the counter.
    store = logged_in("mi01.associate")
    expect(store.locator('nav.menu a[data-menu="returns"] .badge')).to_have_text("1")
    store.locator('nav.menu a[data-menu="returns"]').click()
    store.get_by_placeholder("Order or return number, email or phone").fill("333 123 4567")
    store.get_by_role("button", name="Find").click()
    store.get_by_test_id("matching-returns").get_by_role("link", name=return_request.number).click()
    line = store.locator('fieldset[data-sku="TEE-M"]')
    line.get_by_label("Back on sale here").fill("1")
    line.get_by_label("Write off (damaged)").fill("1")
    store.get_by_test_id("damaged-refund").get_by_label("Refund now").check()  # the associate decides on the spot
    store.get_by_test_id("confirm").check()
    store.get_by_role("button", name="Receive and refund").click()
    expect(store.get_by_text(f"Return {return_request.number} received: 40.00 EUR refunded.")).to_be_visible()
    expect(store.get_by_test_id("restocked")).to_have_text("1")
    expect(store.get_by_test_id("written-off")).to_have_text("1")

    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CLOSED and return_request.refunded_amount == Decimal("40.00")
    before_on_hand = shelf.on_hand
    shelf.refresh_from_db()
    assert shelf.on_hand == before_on_hand + 1  # the good unit is on sale in Milan at once
    assert money(order)[2] == Decimal("40.00")
    emails = {n.event: n for n in Notification.objects.filter(return_request=return_request, channel="email")}
    assert set(emails) == {"return_requested", "return_received", "return_refunded"}
    assert "We refunded 40.00 EUR" in emails["return_refunded"].subject

    customer.reload()
    expect(customer.get_by_test_id("refunded")).to_contain_text("We refunded 40.00 EUR")
    customer.context.close()
