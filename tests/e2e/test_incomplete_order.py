"""The click & collect incomplete order, both ways, in a real browser across roles (issue 12 acceptance): the
warehouse reports the item missing; the pickup store's task appears and is done (it had the unit), or it is not on
the shelf and the case reaches customer care, who refunds the line; the customer's tracking page and messages say
what happened."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from inventory import services as stock
from notifications.models import Notification
from support_playbook.models import Case
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("on_the_shelf", [True, False], ids=["store-has-it", "store-has-not"])
def test_click_and_collect_item_missing_at_the_warehouse(live_server, logged_in, net, on_the_shelf):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    order.contact_locale = "en"
    order.save(update_fields=["contact_locale"])
    parcel = order.fulfillments.get()
    assert (parcel.source_location.code, parcel.flow) == ("WH01", "ship_to_store")
    stock.receive_stock(location=net["BG01"], sku=net["skus"]["JEANS-42"], quantity=1)  # on Bergamo's books
    StoreMembershipFactory(user=UserFactory(username="wh01.associate"), location=net["WH01"])
    StoreMembershipFactory(user=UserFactory(username="bg01.associate"), location=net["BG01"])
    agent = UserFactory(username="care.agent")
    agent.groups.add(Group.objects.get_or_create(name="customer_care")[0])

    # The warehouse: the pair is not where the books say.
    warehouse = logged_in("wh01.associate")
    warehouse.goto(f"{live_server.url}/dashboard/WH01/orders/{parcel.pk}/")
    warehouse.get_by_role("button", name="Start picking").click()
    warehouse.get_by_role("button", name="Report missing").click()
    expect(warehouse.get_by_test_id("timeline").locator('[data-event="item_short_recovered"]')).to_be_visible()

    # Bergamo: a task with a badge, "complete order N from your shelf".
    store = logged_in("bg01.associate")
    expect(store.locator('nav.menu a[data-menu="tasks"] .badge')).to_have_text("1")
    store.locator('nav.menu a[data-menu="tasks"]').click()
    task = store.locator('[data-kind="complete_from_shelf"]')
    expect(task).to_contain_text(order.number)
    if on_the_shelf:
        task.get_by_role("button", name="Found 1 on the shelf: put aside for the customer").click()
        expect(store.get_by_text("Task done: thank you.")).to_be_visible()
        assert not Case.objects.exists()
        tracking = store.context.new_page()
        tracking.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
        expect(tracking.get_by_test_id("missing-items")).to_have_count(0)
        expect(tracking.get_by_test_id("parcel")).to_contain_text("1 × ")
        assert not Notification.objects.filter(order=order, event="item_missing").exists()
        return

    task.get_by_label("Why it cannot be done").fill("Not on the shelf nor in the stockroom")
    task.get_by_role("button", name="Not on the shelf").click()
    expect(store.get_by_text("Task done: thank you.")).to_be_visible()

    # Customer care: the case is in the queue; the agent refunds the line from the case page.
    care = logged_in("care.agent")
    expect(care).to_have_url(f"{live_server.url}/care/")
    case = Case.objects.get()
    care.locator(f'tr[data-case="{case.pk}"]').get_by_role("link", name=f"#{case.pk}").click()
    expect(care.get_by_test_id("case-status")).to_have_text("Open")
    refund = care.get_by_test_id("suggestions").locator("li", has_text="Refund 89.90 EUR")
    refund.get_by_role("button", name="Do it").click()
    expect(care.get_by_test_id("case-status")).to_have_text("Resolved")
    expect(care.get_by_test_id("case-timeline").locator('[data-event="refund_line"]')).to_be_visible()

    tracking = care.context.new_page()
    tracking.goto(f"{live_server.url}/track/{order.tracking_token}/?lang=en")
    # Never captured: the customer reads that they were never charged, not "refunded".
    expect(tracking.get_by_test_id("missing-items")).to_contain_text("never charged: the hold of 89.90 EUR")
    order.payment.refresh_from_db()
    assert (order.payment.refunded_amount, order.payment.released_amount) == (0, Decimal("89.90"))
    sent = set(Notification.objects.filter(order=order, channel="email").values_list("event", flat=True))
    assert {"item_missing", "item_refunded"} <= sent
