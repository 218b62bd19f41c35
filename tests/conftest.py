from importlib import import_module

import pytest
from django.apps import apps
from django.core.cache import cache
from rest_framework.test import APIClient

from inventory.selectors import forget_withheld_codes
from stores.selectors import forget_cached_api_keys, forget_network_snapshot
from stores.services import create_api_key
from tests.stores.factories import SalesChannelFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Password hashing is slow on purpose; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    forget_cached_api_keys()
    forget_network_snapshot()
    forget_withheld_codes()
    cache.clear()  # rate-limit windows and the key version start empty in every test
    yield
    forget_cached_api_keys()
    forget_network_snapshot()


@pytest.fixture
def web_channel(db):
    return SalesChannelFactory(code="web", kind="web")


@pytest.fixture
def api_key(web_channel):
    _row, raw_key = create_api_key(channel=web_channel)
    return raw_key


@pytest.fixture
def api(api_key):
    """An API client speaking for the web channel."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


@pytest.fixture
def return_reasons(db):
    """The return reasons a data migration writes (after a transactional test's flush they are gone)."""
    import_module("orders.migrations.0013_return_reasons").add_reasons(apps, None)
