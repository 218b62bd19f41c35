"""Customer care's day in a real browser (issue 13 acceptance): find a customer by a phone number typed with
spaces, change an order's address, cancel a line, then place an order on the customer's behalf for a store
pickup, which the pickup store's queue shows."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from inventory.models import StockLevel
from notifications.models import Notification
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import SalesChannelFactory, StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_finds_a_customer_fixes_an_order_and_orders_by_phone(live_server, logged_in, net):  # noqa: F811
    phone = SalesChannelFactory(code="call_center", kind="call_center")
    phone.source_locations.set(net["web"].source_locations.all())
    ChannelListingFactory(sku=net["skus"]["TEE-M"], channel=net["web"], price=Decimal("19.90"))
    order = place(net, [("TEE-M", 2, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    agent = UserFactory(username="care.agent")
    agent.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=net["MI01"])

    page = logged_in("care.agent")
    page.get_by_test_id("care-nav").get_by_role("link", name="Customers").click()
    page.get_by_label("Email, phone, order or reservation number, or name").fill("333 123 4567")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("Giulia Rossi")
    page.get_by_test_id("customer-orders").get_by_role("link", name=order.number).click()

    # A new delivery address, with a reason and a confirmation.
    address = page.locator('details[data-action="change_address"]')
    address.locator("summary").click()
    address.get_by_label("Address", exact=True).fill("Via Torino 2")
    address.get_by_label("Why (kept on the order's timeline)").fill("customer moved")
    address.get_by_label("I confirm").check()
    address.get_by_role("button", name="Change the address").click()
    expect(page.get_by_test_id("shipping-address")).to_contain_text("Via Torino 2")

    # One of the two tees cancelled: stock released, the refund recorded, the customer told.
    cancel = page.locator('details[data-action="cancel"]')
    cancel.locator("summary").click()
    cancel.get_by_label("What to cancel").select_option("TEE-M")
    cancel.get_by_label("Units").fill("1")
    cancel.get_by_label("Why (kept on the order's timeline)").fill("ordered one too many")
    cancel.get_by_label("I confirm").check()
    cancel.get_by_role("button", name="Cancel and refund").click()
    expect(page.get_by_test_id("timeline").locator('[data-event="lines_cancelled"]')).to_be_visible()
    # Nothing was charged yet: the unit's money is released, not refunded.
    expect(page.get_by_test_id("released")).to_have_text("19.90")
    expect(page.get_by_test_id("refunded")).to_have_text("0.00")
    assert StockLevel.objects.get(location=net["WH01"], sku__code="TEE-M").committed == 1
    assert Notification.objects.filter(order=order, event="lines_cancelled").exists()

    # Then an order by phone for a pickup in Milan.
    page.get_by_role("link", name="Giulia Rossi").click()
    page.get_by_test_id("order-on-behalf").click()
    page.get_by_label("Item: name, colour, size, SKU or barcode").fill("TEE-M")
    page.get_by_role("button", name="Find availability").click()
    found = page.get_by_test_id("availability").locator('tr[data-sku="TEE-M"]')
    expect(found).to_contain_text("MI01 2")
    found.get_by_role("button", name="Add").click()
    form = page.get_by_test_id("on-behalf-form")
    form.get_by_label("How").select_option("store_pickup")
    form.get_by_label("Store (collect or reserve)").fill("MI01")
    form.get_by_label("Pay-by-link reference").fill("plink_2026_001")
    form.get_by_role("button", name="Place for the customer").click()
    expect(page.get_by_test_id("order-status")).to_be_visible()
    phone_order = order.customer.orders.get(channel=phone)

    store = logged_in("mi01.associate")
    store.locator('nav.menu a[data-menu="orders"]').click()
    expect(store.get_by_test_id("to-prepare").locator(f'tr[data-order="{phone_order.number}"]')).to_be_visible()
