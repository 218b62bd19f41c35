"""`python -m tests.fleet.seed`: a small shop on the fleet's primary (DATABASE_URL), printed as JSON for the tests:
Milan sells T-shirts on the web channel with click & reserve; API keys for the web channel; a head office user."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnichannel.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402

from inventory import services as stock  # noqa: E402
from stores.services import create_api_key  # noqa: E402
from tests.inventory.factories import ChannelListingFactory, SKUFactory  # noqa: E402
from tests.orders.conftest import WEEK_STORE  # noqa: E402
from tests.stores.factories import LocationFactory, SalesChannelFactory  # noqa: E402

HEAD_OFFICE_PASSWORD = "fleet-head-office-2026"


def seed() -> dict:
    web = SalesChannelFactory(code="web", kind="web")
    milan = LocationFactory(
        code="MI01", latitude=45.4786, longitude=9.2105, opening_hours=WEEK_STORE, capabilities=["click_and_reserve"]
    )
    web.source_locations.set([milan])
    tee = SKUFactory(code="TEE-M")
    ChannelListingFactory(sku=tee, channel=web)
    stock.receive_stock(location=milan, sku=tee, quantity=5)
    User.objects.create_superuser("headoffice", "headoffice@example.com", HEAD_OFFICE_PASSWORD)
    keys, key_ids = {}, {}
    for name in ("writer", "reader", "revoked", "limited"):
        row, keys[name] = create_api_key(channel=web, name=name)
        key_ids[name] = row.pk
    return {"keys": keys, "key_ids": key_ids, "password": HEAD_OFFICE_PASSWORD}


if __name__ == "__main__":
    print(json.dumps(seed()))
