"""Messages speak the customer's language on the store's clock, whatever the request around them, and name
items as the customer knows them."""

import zoneinfo

import pytest
from django.utils import translation
from django.utils.formats import date_format

from notifications.models import Notification
from orders import services
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def ready_pickup(net, *, store="MI01", locale="it"):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": store})
    order.contact_locale = locale
    order.save(update_fields=["contact_locale"])
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    with translation.override("en"):  # a staff member working in English
        services.mark_ready_for_pickup(fulfillment=fulfillment)
    fulfillment.refresh_from_db()
    return order, fulfillment


def test_an_italian_customers_sms_is_italian_under_an_english_request(net):  # noqa: F811
    order, fulfillment = ready_pickup(net)
    sms = Notification.objects.get(order=order, event="ready_for_pickup", channel="sms")
    deadline = fulfillment.pickup_deadline.astimezone(zoneinfo.ZoneInfo("Europe/Rome"))
    assert "ti aspetta" in sms.body_text and "Codice di ritiro" in sms.body_text
    assert deadline.strftime("%d/%m/%Y") in sms.body_text  # Italian short date, not 12/06/2026 4:23 p.m.
    assert "a.m." not in sms.body_text and "p.m." not in sms.body_text


def test_dates_are_on_the_collecting_stores_clock(net):  # noqa: F811
    net["MI01"].timezone = "Europe/London"
    net["MI01"].save()
    order, fulfillment = ready_pickup(net, locale="en")
    sms = Notification.objects.get(order=order, event="ready_for_pickup", channel="sms")
    london = fulfillment.pickup_deadline.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    with translation.override("en"):
        assert date_format(london, "SHORT_DATETIME_FORMAT") in sms.body_text


def test_a_missing_item_is_named_not_coded(net, settings):  # noqa: F811
    settings.AUTO_RECOVER_SHORT_LINES = False
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    services.report_missing(fulfillment_line=order.fulfillments.get().lines.get(), quantity=1)
    sms = Notification.objects.get(order=order, event="item_missing", channel="sms")
    sku = order.lines.get().sku
    assert sku.product.name in sms.body_text and "JEANS-42" not in sms.body_text
