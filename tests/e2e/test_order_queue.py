import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel
from orders.models import Fulfillment
from tests.e2e.helpers import SCREENSHOTS
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_click_and_collect_picked_readied_and_handed_over_with_the_code(live_server, page, net):  # noqa: F811
    order = place(net, [("TEE-M", 2, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=net["MI01"])

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("mi01.associate")
    page.get_by_label("Password").fill("secret-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.locator('nav.menu a[data-menu="orders"]').click()
    row = page.get_by_test_id("to-prepare").locator(f'tr[data-order="{order.number}"]')
    expect(row).to_contain_text("2 × TEE-M")
    row.get_by_role("link", name=order.number).click()

    page.get_by_role("button", name="Start picking").click()
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Picking")
    page.get_by_role("button", name="Mark ready for pickup").click()
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Ready for pickup")

    code = Fulfillment.objects.get(order=order).pickup_code
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Customer's pickup code").fill(wrong)
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_test_id("hand-over").get_by_role("alert")).to_contain_text("does not match")
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Ready for pickup")

    page.get_by_label("Customer's pickup code").fill(code)
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_test_id("fulfillment-status")).to_have_text("Collected")
    expect(page.get_by_test_id("timeline").locator('[data-event="payment_captured"]')).to_have_text("Payment captured")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "order_collected.png"), full_page=True)

    order.refresh_from_db()
    level = StockLevel.objects.get(location=net["MI01"], sku=net["skus"]["TEE-M"])
    assert order.status == "completed" and (level.on_hand, level.committed) == (0, 0)
    assert order.payment.captured_amount == order.total
