import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import MarketingBlock
from orders import services
from tests.e2e.helpers import SCREENSHOTS
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("locale", "consent"), [("it", True), ("en", False)])
def test_tracking_a_shipped_home_delivery(live_server, page, net, locale, consent):  # noqa: F811
    MarketingBlock.objects.create(
        headline_it="Il 10% sul prossimo acquisto", headline_en="10% off your next purchase", coupon_code="GRAZIE10"
    )
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    order.customer.marketing_consent = order.marketing_consent = consent  # given with the order
    order.customer.save()
    order.contact_locale = locale
    order.save()
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT-42")
    services.record_tracking_event(
        carrier="BRT",
        tracking_number="BRT-42",
        event_id="e1",
        status="in_transit",
        occurred_at=timezone.now(),
        location="Hub Milano",
    )

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/track/{order.tracking_token}/")
    expect(page.get_by_test_id("parcel-status")).to_have_text("In viaggio" if locale == "it" else "On its way")
    expect(page.get_by_test_id("carrier-events")).to_contain_text("Hub Milano")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    if consent:
        expect(page.get_by_test_id("marketing")).to_contain_text("GRAZIE10")
    else:
        expect(page.get_by_test_id("marketing")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"tracking_shipped_{locale}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["en", "it"])
def test_tracking_a_ready_pickup_and_a_wrong_token(live_server, page, net, locale):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    order.contact_locale = locale
    order.save()
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)

    page.goto(f"{live_server.url}/track/{order.tracking_token}/")
    expect(page.get_by_test_id("pickup-code")).to_have_text(fulfillment.pickup_code)
    expect(page.get_by_test_id("store")).to_contain_text("Via Roma 1")
    expect(page.get_by_test_id("order-status")).to_have_text(
        "Ready for pickup" if locale == "en" else "Pronto per il ritiro"
    )
    page.screenshot(path=str(SCREENSHOTS / f"tracking_pickup_{locale}.png"), full_page=True)
    response = page.goto(f"{live_server.url}/track/wrong-token/")
    assert response.status == 404
