"""What an order's state and its money say, through the pages of the customer, the store and customer care, on a
desk and a phone (issue 24, items 1, 2 and 4). Screenshots in var/screenshots/ (states_*.png)."""

from decimal import Decimal
from functools import partial

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from notifications.models import Notification
from orders import services
from orders.models import Payment, Return
from support_playbook.models import Case
from tests.e2e.conftest import SIZES
from tests.e2e.helpers import screenshot
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.orders.returns_helpers import delivered, line, rnet  # noqa: F401  (fixtures)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


shot = partial(screenshot, prefix="states")


def care_agent():
    agent = UserFactory(username="care.agent")
    agent.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    return agent


def customer_page(browser, size):
    width, height = SIZES[size]
    return browser.new_context(locale="en-GB", viewport={"width": width, "height": height}).new_page()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_incomplete_click_and_collect_reads_on_hold_everywhere(live_server, browser, logged_in, net, size):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    order.contact_locale = "en"
    order.save(update_fields=["contact_locale"])
    parcel = order.fulfillments.get()
    StoreMembershipFactory(user=UserFactory(username="wh01.associate"), location=net["WH01"])
    care_agent()

    # The warehouse does not find the pair; nobody else has one: a case opens.
    warehouse = logged_in("wh01.associate", size)
    warehouse.goto(f"{live_server.url}/dashboard/WH01/orders/{parcel.pk}/")
    warehouse.get_by_role("button", name="Start picking").click()
    warehouse.get_by_role("button", name="Report missing").click()
    expect(warehouse.get_by_test_id("timeline").locator('[data-event="item_missing"]')).to_be_visible()
    case = Case.objects.get(order=order)

    customer = customer_page(browser, size)
    customer.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
    expect(customer.get_by_test_id("order-status")).to_have_text("Waiting for a solution")
    timeline = customer.get_by_test_id("timeline")
    expect(timeline).to_contain_text("An item is missing: we are finding a solution")
    expect(timeline).not_to_contain_text("Fulfillment cancelled")
    expect(timeline).not_to_contain_text("Customer told")
    shot(customer, "tracking_on_hold", size)

    care = logged_in("care.agent", size)
    care.goto(f"{live_server.url}/care/cases/{case.pk}/")
    expect(care.get_by_test_id("case-order-status")).to_have_text("Waiting for a solution")
    shot(care, "case_on_hold", size)
    care.goto(f"{live_server.url}/care/orders/{order.number}/")
    expect(care.get_by_test_id("order-status")).to_have_text("Waiting for a solution")

    # The agent refunds the line: nothing is left to come, the order is cancelled, and it was never charged.
    care.goto(f"{live_server.url}/care/cases/{case.pk}/")
    care.get_by_test_id("suggestions").locator("li", has_text="Refund 89.90 EUR").get_by_role(
        "button", name="Do it"
    ).click()
    expect(care.get_by_test_id("case-status")).to_have_text("Resolved")
    expect(care.get_by_test_id("case-order-status")).to_have_text("Cancelled")
    customer.reload()
    expect(customer.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(customer.get_by_test_id("missing-items")).to_contain_text("never charged")
    shot(customer, "tracking_refunded_unpaid", size)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_unit_cancelled_before_payment_is_released_not_refunded(live_server, browser, logged_in, net, size):  # noqa: F811
    order = place(net, [("JEANS-42", 2, "79.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    order.contact_locale = "en"
    order.save(update_fields=["contact_locale"])
    care_agent()
    care = logged_in("care.agent", size)
    care.goto(f"{live_server.url}/care/orders/{order.number}/")
    cancel = care.locator('details[data-action="cancel"]')
    cancel.locator("summary").click()
    cancel.get_by_label("What to cancel").select_option("JEANS-42")
    cancel.get_by_label("Units").fill("1")
    cancel.get_by_label("Why (kept on the order's timeline)").fill("ordered one too many")
    cancel.get_by_label("I confirm").check()
    cancel.get_by_role("button", name="Cancel and refund").click()
    expect(care.get_by_test_id("captured")).to_have_text("0.00")
    expect(care.get_by_test_id("refunded")).to_have_text("0.00")
    expect(care.get_by_test_id("released")).to_have_text("79.90")
    shot(care, "console_released", size)
    payment = Payment.objects.get(order=order)
    assert (payment.refunded_amount, payment.released_amount) == (0, Decimal("79.90"))
    email = Notification.objects.get(order=order, event="lines_cancelled", channel="email")
    assert "never charged" in email.body_text and "Refund:" not in email.body_text
    assert "- 1 × " in email.body_text and "- 2 × " not in email.body_text

    customer = customer_page(browser, size)
    customer.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
    expect(customer.get_by_test_id("timeline")).to_contain_text("Part of the order cancelled")
    expect(customer.get_by_test_id("parcel")).to_contain_text("1 × ")
    shot(customer, "tracking_one_cancelled", size)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_damaged_unit_at_the_desk_is_left_to_care_who_decides(live_server, logged_in, rnet, size):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 2, reason="damaged")]
    )
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=rnet["MI01"])
    care_agent()

    store = logged_in("mi01.associate", size)
    store.goto(f"{live_server.url}/dashboard/MI01/returns/{return_request.number}/")
    fields = store.locator('fieldset[data-sku="TEE-M"]')
    fields.get_by_label("Back on sale here").fill("1")
    fields.get_by_label("Write off (damaged)").fill("1")
    store.get_by_test_id("confirm").check()
    store.get_by_role("button", name="Receive and refund").click()
    # Nothing chosen for the damaged unit: the page asks, nothing is written.
    expect(store.get_by_test_id("damaged-refund-error")).to_be_visible()
    shot(store, "desk_damaged_asks", size)
    assert Return.objects.get(pk=return_request.pk).status == Return.Status.REQUESTED
    store.locator('fieldset[data-sku="TEE-M"]').get_by_label("Back on sale here").fill("1")
    store.locator('fieldset[data-sku="TEE-M"]').get_by_label("Write off (damaged)").fill("1")
    store.get_by_test_id("damaged-refund").get_by_label("Let customer care decide").check()
    store.get_by_test_id("confirm").check()
    store.get_by_role("button", name="Receive and refund").click()
    expect(store.get_by_text(f"Return {return_request.number} received: 20.00 EUR refunded.")).to_be_visible()
    shot(store, "desk_received", size)

    case = Case.objects.get(scenario="return_problem", return_request=return_request)
    care = logged_in("care.agent", size)
    care.goto(f"{live_server.url}/care/cases/{case.pk}/")
    half = care.get_by_test_id("suggestions").locator("li", has_text="Refund half")
    expect(care.get_by_test_id("suggestions")).to_contain_text("Refund the 1 damaged unit in full: 20.00 EUR")
    shot(care, "case_damaged", size)
    half.get_by_role("button", name="Do it").click()
    expect(care.get_by_test_id("case-status")).to_have_text("Resolved")
    assert Payment.objects.get(order=order).refunded_amount == Decimal("30.00")
