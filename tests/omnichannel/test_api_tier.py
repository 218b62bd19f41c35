"""The API tier (omnichannel/settings_api.py): the same API answers, checks and limits with API-only middleware;
nothing but the API and the health check is served there."""

import pytest
from rest_framework.test import APIClient

from omnichannel import settings_api
from tests.inventory.conftest import shop  # noqa: F401  (fixture)
from tests.stores.factories import UserFactory


@pytest.fixture
def api_tier(settings):
    settings.MIDDLEWARE = settings_api.MIDDLEWARE
    settings.ROOT_URLCONF = settings_api.ROOT_URLCONF


def test_the_api_tier_answers_like_the_full_stack(shop, api, settings):  # noqa: F811
    path = "/api/v1/availability/?skus=TSH001-NER-M,TSH001-NER-L&near=45.4642,9.1900"
    full = api.get(path)
    settings.MIDDLEWARE = settings_api.MIDDLEWARE
    settings.ROOT_URLCONF = settings_api.ROOT_URLCONF
    tier = api.get(path)
    assert (tier.status_code, tier.json()) == (full.status_code, full.json()) == (200, full.json())
    for header in ("Content-Type", "Content-Language", "Cache-Control", "X-Frame-Options", "Vary"):
        assert tier[header] == full[header], header


def test_the_api_tier_keeps_keys_kinds_and_limits_and_serves_no_pages(shop, api, api_tier, settings, client):  # noqa: F811
    assert APIClient().get("/api/v1/locations/").status_code == 401
    client.force_login(UserFactory())
    assert client.get("/api/v1/orders/").status_code == 401  # no session here either
    settings.API_RATES = {**settings.API_RATES, "key": "2/minute"}
    assert [api.get("/api/v1/locations/").status_code for _ in range(3)] == [200, 200, 429]
    for page in ("/dashboard/", "/admin/", "/login/"):
        assert client.get(page).status_code == 404
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 200
