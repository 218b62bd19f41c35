"""The feed never skips a change committed out of order (PostgreSQL): a writer that took its position first but
commits last is still read, because the reader stops below every transaction in flight."""

import threading

import pytest
from django.db import connections, transaction

from inventory import feed
from inventory import services as stock
from inventory.models import SKU
from stores.selectors import network_snapshot
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import net  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_committed_out_of_order_is_never_skipped(net):  # noqa: F811
    for sku in net["skus"].values():
        ChannelListingFactory(sku=sku, channel=net["web"])
    channel = network_snapshot().channels_by_code["web"]
    cursor = feed.snapshot_page(channel=channel, page=None)["next_cursor"]
    wrote, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                stock.receive_stock(location=net["WH01"], sku=SKU.objects.get(code="JEANS-42"), quantity=1)
                wrote.set()  # its change is in the log, not committed
                release.wait(30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert wrote.wait(30)
    # A later writer commits first.
    stock.receive_stock(location=net["WH01"], sku=net["skus"]["TEE-M"], quantity=1)
    seen = {}
    early = feed.changes_since(channel=channel, cursor=cursor)
    seen.update({entry["sku"]: entry["channel_available"] for entry in early["results"]})
    # The slow writer's transaction is older and still open: nothing past it is handed out yet.
    assert seen == {}
    release.set()
    writer.join(30)
    late = feed.changes_since(channel=channel, cursor=early["next_cursor"])
    seen.update({entry["sku"]: entry["channel_available"] for entry in late["results"]})
    assert seen == {"JEANS-42": 4, "TEE-M": 13}
