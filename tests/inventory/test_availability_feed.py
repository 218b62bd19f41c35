"""The channel availability feed (`GET channels/{code}/availability-feed/`): a snapshot, then each SKU whose number
changed since a cursor, once, with its latest number, from every path that moves it; cursors signed and kept
for the retention."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from inventory import feed
from inventory import services as stock
from inventory.models import AvailabilityChange, ChannelListing
from orders import services
from stores.services import create_api_key
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

# Committed transactions: the feed returns only changes below every transaction still in flight.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web(net):  # noqa: F811
    for sku in net["skus"].values():
        ChannelListingFactory(sku=sku, channel=net["web"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(channel=net['web'])[1]}")
    return client


def read(web, **params):
    response = web.get("/api/v1/channels/web/availability-feed/", params)
    assert response.status_code == 200, response.content
    return response.json()


def numbers(answer):
    return {entry["sku"]: entry["channel_available"] for entry in answer["results"]}


def test_a_snapshot_then_each_changed_sku_once_with_its_latest_number(net, web, monkeypatch):  # noqa: F811
    monkeypatch.setattr(feed, "PAGE_SIZE", 2)
    first = read(web)
    assert first["next_cursor"] is None and len(first["results"]) == 2
    # A change while the snapshot is paged: the cursor of the last page still brings it.
    stock.receive_stock(location=net["WH01"], sku=net["skus"]["JEANS-42"], quantity=4)
    last = read(web, page=first["next_page"])
    assert last["next_page"] is None and last["next_cursor"]
    snapshot = numbers(first) | numbers(last)
    assert snapshot["TEE-M"] == 12 and snapshot["SCARF"] == 1  # WH01 10 + MI01 2; MI02 1 (BG01 is not a source)
    cursor = last["next_cursor"]
    # Changes on many paths: an order's hold, a till sale, a reservation, a count, a short pick.
    order = place(net, [("TEE-M", 1, "29.90")], HOME_MILAN)  # the listing price
    services.report_missing(fulfillment_line=order.fulfillments.get().lines.get(), quantity=1)
    stock.adjust_stock(location=net["MI02"], sku=net["skus"]["SCARF"], delta=2, note="found")
    changed = read(web, cursor=cursor)
    assert numbers(changed) == {"JEANS-42": 7, "TEE-M": 10, "SCARF": 3}  # each once, latest number
    again = read(web, cursor=changed["next_cursor"])
    assert again["results"] == []  # up to date
    # Resuming from the old cursor misses nothing.
    assert numbers(read(web, cursor=cursor)) == numbers(changed)


def test_a_change_at_a_location_the_channel_does_not_sell_from_is_not_news(net, web):  # noqa: F811
    cursor = read(web)["next_cursor"]
    stock.receive_stock(location=net["BG01"], sku=net["skus"]["SCARF"], quantity=3)
    assert read(web, cursor=cursor)["results"] == []


def test_a_policy_change_appears_in_the_feed(net, web):  # noqa: F811
    cursor = read(web)["next_cursor"]
    listing = ChannelListing.objects.get(channel=net["web"], sku=net["skus"]["TEE-M"])
    listing.published = False
    listing.save()
    answer = read(web, cursor=cursor)
    assert numbers(answer) == {"TEE-M": 0}
    api = web.get("/api/v1/availability/", {"skus": "TEE-M", "channel": "web"}).json()
    assert api["results"][0]["channel_available"] == 0  # the API publishes the same number
    net["web"].safety_buffer = 1
    net["web"].save()
    after_buffer = read(web, cursor=answer["next_cursor"])
    assert numbers(after_buffer) == {"TEE-M": 0, "JEANS-42": 2, "SCARF": 0}


def test_a_tampered_cursor_is_a_400_and_an_old_one_a_410(net, web):  # noqa: F811
    cursor = read(web)["next_cursor"]
    response = web.get("/api/v1/channels/web/availability-feed/", {"cursor": cursor[:-2] + "xx"})
    assert response.status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        gone = web.get("/api/v1/channels/web/availability-feed/", {"cursor": cursor})
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "cursor_expired"


def test_another_channels_feed_is_refused(net, web):  # noqa: F811
    assert web.get("/api/v1/channels/marketplace/availability-feed/").status_code in (403, 404)


def test_the_log_is_pruned_past_the_retention(net, web):  # noqa: F811
    assert AvailabilityChange.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert stock.prune_availability_changes() > 0
    assert not AvailabilityChange.objects.exists()


def test_the_feed_and_the_availability_api_publish_the_same_number(net, web):  # noqa: F811
    stock.hold_stock(lines=[(net["MI01"], net["skus"]["TEE-M"], 1)], kind="reservation", reference="R-1")
    stock.set_safety_stock(location=net["WH01"], sku=net["skus"]["JEANS-42"], safety_stock=1)
    snapshot = numbers(read(web))
    api = web.get("/api/v1/availability/", {"skus": "TEE-M,JEANS-42,SCARF", "channel": "web"}).json()
    assert (
        snapshot
        == {row["sku"]: row["channel_available"] for row in api["results"]}
        == {
            "TEE-M": 11,
            "JEANS-42": 2,
            "SCARF": 1,
        }
    )


def test_the_publishing_policy_caps_and_zeroes_the_same_number_everywhere_and_explains_it(net, web, admin_client):  # noqa: F811
    cursor = read(web)["next_cursor"]
    net["web"].max_listed_quantity = 5
    net["web"].publish_zero_at_or_below = 1
    net["web"].save()
    feed_numbers = numbers(read(web, cursor=cursor))
    api = web.get("/api/v1/availability/", {"skus": "TEE-M,JEANS-42,SCARF", "channel": "web", "explain": "1"}).json()
    assert (
        feed_numbers
        == {row["sku"]: row["channel_available"] for row in api["results"]}
        == {
            "TEE-M": 5,  # 12 at the sources, at most 5 listed
            "JEANS-42": 3,
            "SCARF": 0,  # 1 left: at or below 1, listed as sold out
        }
    )
    tee = next(row for row in api["results"] if row["sku"] == "TEE-M")["explanation"]
    assert tee["units_at_sources"] == 12 and tee["max_listed_quantity"] == 5 and tee["published"] == 5
    assert {(e["location"], e["available"], e["counted"]) for e in tee["locations"]} == {
        ("WH01", 10, True),
        ("MI01", 2, True),
    }
    scarf = next(row for row in api["results"] if row["sku"] == "SCARF")["explanation"]
    assert ("BG01", 2, False) in {(e["location"], e["available"], e["counted"]) for e in scarf["locations"]}
    listing = ChannelListing.objects.get(channel=net["web"], sku=net["skus"]["TEE-M"])
    page = admin_client.get(f"/admin/inventory/channellisting/{listing.pk}/change/").content.decode()
    assert "At the channel&#x27;s sources: 12" in page and "Published: 5" in page
