"""What an email says (issue 25, item 19): a headline without the SMS's link, a store only where the customer
goes, the items the message is about, where an item was missed and when it is paid, and a pickup deadline at the
store's closing time."""

import re
import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.utils import translation

from notifications.messages import MESSAGES
from notifications.models import Notification
from notifications.rendering import email_headline
from orders import services
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")


@pytest.mark.parametrize("locale", ["it", "en"])
@pytest.mark.parametrize("event", sorted(MESSAGES))
def test_every_emails_headline_is_the_message_without_brand_or_link(event, locale):
    _subject, sms = MESSAGES[event]
    keys = set(re.findall(r"%\((\w+)\)s", str(sms)))
    context = {key: f"https://shop.example/{key}/" if key.endswith("_url") else f"<{key}>" for key in keys}
    context["brand"] = "Brunello"
    with translation.override(locale):
        headline = email_headline(sms, context)
    assert headline and "https://" not in headline and not headline.startswith("Brunello")
    assert not headline[0].islower() and not headline.endswith(":")


def missing_at(net, code, method):  # noqa: F811
    fulfillment = HOME_MILAN if method == "home" else {"method": "store_pickup", "pickup_location": "MI01"}
    net["web"].source_locations.set([net[code]])
    order = place(
        net,
        [("TEE-M", 1, "19.90"), ("JEANS-42", 1, "89.90")] if code == "WH01" else [("TEE-M", 1, "19.90")],
        fulfillment,
    )
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.report_missing(fulfillment_line=parcel.lines.get(order_line__sku__code="TEE-M"), quantity=1)
    return order


def test_a_home_deliverys_missing_item_email_names_the_warehouse_lists_that_item_and_no_store(net, settings):  # noqa: F811
    settings.AUTO_RECOVER_SHORT_LINES = False
    order = missing_at(net, "WH01", "home")
    email = Notification.objects.get(order=order, event="item_missing", channel="email")
    assert "nel nostro magazzino" in email.body_text and "finché non viene spedito" in email.body_text
    assert "- 1 × " in email.body_text and email.body_text.count(" × ") == 1  # the missing tee, not the jeans
    assert "Negozio:" not in email.body_text and "WH01" not in email.body_html
    headline = email.body_text.split("\n\n")[1]
    assert "http" not in headline and not headline.startswith("Brunello")


def test_a_stores_miss_on_a_click_and_collect_says_the_store_and_paying_at_pickup(net, settings):  # noqa: F811
    settings.AUTO_RECOVER_SHORT_LINES = False
    net["MI01"].city = "Milano"
    net["MI01"].save(update_fields=["city"])
    order = missing_at(net, "MI01", "pickup")
    sms = Notification.objects.get(order=order, event="item_missing", channel="sms")
    assert "nel nostro negozio di Milano" in sms.body_text and "magazzino" not in sms.body_text
    assert "finché non lo ritiri" in sms.body_text and "spedito" not in sms.body_text


def test_a_second_parcels_email_lists_that_parcel_only(net):  # noqa: F811
    order = place(net, [("TEE-M", 2, "19.90"), ("SCARF", 1, "45.00")], HOME_MILAN)
    first = order.fulfillments.get(lines__order_line__sku__code="TEE-M")
    services.start_picking(fulfillment=first)
    services.report_missing(fulfillment_line=first.lines.get(order_line__sku__code="TEE-M"), quantity=1)
    email = Notification.objects.get(order=order, event="second_parcel", channel="email")
    assert email.body_text.count(" × ") == 1 and "- 1 × " in email.body_text  # the one tee sent apart


@pytest.mark.parametrize("ready_at", ["2026-12-07 18:00", "2026-12-08 03:29", "2026-12-09 11:00"])
def test_a_pickup_deadline_falls_at_a_closing_time(net, ready_at):  # noqa: F811
    net["MI01"].opening_hours = {day: [["10:00", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    net["MI01"].save(update_fields=["opening_hours"])
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    with time_machine.travel(datetime.fromisoformat(ready_at).replace(tzinfo=ROME), tick=False):
        parcel = services.mark_ready_for_pickup(fulfillment=parcel)
    deadline = parcel.pickup_deadline.astimezone(ROME)
    assert deadline.strftime("%H:%M") == "19:30" and deadline.weekday() != 6  # when the store closes, never Sunday
    assert (deadline - datetime.fromisoformat(ready_at).replace(tzinfo=ROME)).days == 7  # never less than a week
