import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import MarketingBlock, Notification, TrackingPageView
from orders import services
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def promo(db):
    return MarketingBlock.objects.create(
        headline_it="Il 10% sul prossimo acquisto",
        headline_en="10% off your next purchase",
        coupon_code="GRAZIE10",
        banner_url="https://shop.example.com/saldi",
        banner_label_it="Scopri i saldi",
        banner_label_en="See the sale",
    )


def shipped_order(net, *, consent):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    order.customer.marketing_consent = order.marketing_consent = consent  # given with this order
    order.customer.save()
    order.save(update_fields=["marketing_consent"])
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT-1")
    return order


def test_the_page_is_counted_and_a_wrong_token_is_404(client, net):  # noqa: F811
    order = shipped_order(net, consent=False)
    for _ in range(3):
        page = client.get(f"/track/{order.tracking_token}/")
        assert page.status_code == 200 and page["Content-Language"] == "it"
    # Three reloads within the hour: one visit, one write (the later views are not written at all).
    assert TrackingPageView.objects.filter(order=order).count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/track/{order.tracking_token}/").status_code == 200
    assert not [q for q in queries.captured_queries if "notifications_trackingpageview" in q["sql"]]
    assert client.get("/track/not-a-token/").status_code == 404
    assert client.get(f"/track/{order.tracking_token[:-1]}/").status_code == 404


def test_marketing_only_with_consent_on_the_page_and_in_shipping_emails(client, net, promo):  # noqa: F811
    consenting = shipped_order(net, consent=True)
    page = client.get(f"/track/{consenting.tracking_token}/").content.decode()
    assert "GRAZIE10" in page and "Il 10% sul prossimo acquisto" in page
    email = Notification.objects.get(order=consenting, event="shipped", channel="email")
    assert "GRAZIE10" in email.body_html and "GRAZIE10" in email.body_text

    other = place(net, [("TEE-M", 1, "19.90")], {**HOME_MILAN}, email="noconsent@example.com")
    other.customer.marketing_consent = False
    other.customer.save()
    fulfillment = other.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT-2")
    assert "GRAZIE10" not in client.get(f"/track/{other.tracking_token}/").content.decode()
    email = Notification.objects.get(order=other, event="shipped", channel="email")
    assert "GRAZIE10" not in email.body_html


def test_a_ready_pickup_shows_the_store_hours_and_code(client, net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert "Pickup code" not in page  # not before it is ready
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert fulfillment.pickup_code in page and "Via Roma 1" in page and "openstreetmap.org/?mlat=45.4786" in page
    assert "Monday" in page and "10:00–19:30" in page


def test_a_missing_item_shows_as_missing_then_with_its_refund_not_in_the_parcel(client, net, settings):  # noqa: F811
    settings.AUTO_RECOVER_SHORT_LINES = False
    order = place(net, [("TEE-M", 2, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.report_missing(fulfillment_line=fulfillment.lines.get(order_line__sku__code="TEE-M"), quantity=1)

    def sections():
        page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
        return (
            page[page.index('data-testid="missing-items"') : page.index('data-testid="parcel"')],
            page[page.index('data-testid="parcel"') :],
        )

    missing, parcel = sections()
    assert "1 × " in parcel and "2 × " not in parcel  # one tee still in the parcel
    assert "1 × " in missing and "finding a solution" in missing and "refunded" not in missing
    services.refund_missing_units(order=order, sku="TEE-M", quantity=1)
    missing, _parcel = sections()
    assert "never charged: the hold of 19.90 EUR is released" in missing and "finding a solution" not in missing


def test_a_unit_sent_from_another_store_is_in_its_parcel_and_not_missing(client, net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    services.report_missing(fulfillment_line=order.fulfillments.get().lines.get(), quantity=1)
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert 'data-testid="missing-items"' not in page
    assert page.count('data-testid="parcel"') == 1 and "1 × " in page


def test_a_split_pickup_shows_the_store_once_in_the_customers_words_with_a_way_to_ask(client, net):  # noqa: F811
    net["MI01"].phone = "+39 02 2952 1133"
    net["MI01"].save()
    # TEE-M from MI01's shelf, the scarf shipped to MI01 from MI02: two parts, one store to collect at.
    order = place(
        net, [("TEE-M", 1, "19.90"), ("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI01"}
    )
    assert order.fulfillments.count() == 2
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert page.count('data-testid="store"') == 1 and "To collect at" in page
    assert 'data-testid="store-phone"' in page and "+39 02 2952 1133" in page
    assert "To prepare" not in page and "Being prepared" in page  # the customer's words, not the store's
    assert 'data-testid="contact"' in page and "assistenza@example.com" in page


def test_marketing_consent_is_the_orders_own_not_another_channels(client, net, promo):  # noqa: F811
    from tests.orders.conftest import payload
    from tests.stores.factories import SalesChannelFactory

    marketplace = SalesChannelFactory(code="zalando", kind="marketplace")
    marketplace.source_locations.set([net["WH01"]])

    def order_through(channel, consent, tracking):
        data = payload([("TEE-M", 1, "19.90")], HOME_MILAN)
        data["customer"]["marketing_consent"] = consent
        order = services.place_order(
            channel=channel,
            customer=data["customer"],
            lines=data["lines"],
            fulfillment=data["fulfillment"],
            payment=data["payment"],
        )
        fulfillment = order.fulfillments.get()
        services.start_picking(fulfillment=fulfillment)
        services.mark_packed(fulfillment=fulfillment)
        services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number=tracking)
        return order

    web_order = order_through(net["web"], True, "BRT-W")  # the web channel's customer, consent given
    market_order = order_through(marketplace, False, "BRT-Z")  # the same person through the marketplace: no
    assert market_order.customer == web_order.customer and web_order.customer.marketing_consent
    assert "GRAZIE10" in client.get(f"/track/{web_order.tracking_token}/").content.decode()
    assert "GRAZIE10" not in client.get(f"/track/{market_order.tracking_token}/").content.decode()
    email = Notification.objects.get(order=market_order, event="shipped", channel="email")
    assert "GRAZIE10" not in email.body_html and "GRAZIE10" not in email.body_text
