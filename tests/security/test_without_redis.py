"""When the shared cache (Redis) does not answer, the API still sells; what each guard then does is decided
(omnichannel/shared_cache.py): rate limits fail open, key revocation and the login lockout fail closed. The fleet
tests (tests/fleet) show the same with a real Redis stopped under two web nodes."""

import logging

import pytest

from stores.models import ApiKey
from stores.services import revoke_api_key
from tests.fleet.servers import free_port
from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """A Redis cache at an address where nothing listens (refused at once)."""

    def go():
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

    return go


def test_rate_limits_fail_open_and_say_so(api, settings, redis_down, caplog):
    settings.API_RATES = {**settings.API_RATES, "key": "2/minute", "ip": "2/minute"}
    redis_down()
    with caplog.at_level(logging.WARNING, logger="omnichannel.shared_cache"):
        assert [api.get("/api/v1/locations/").status_code for _ in range(4)] == [200] * 4
    assert "shared cache unreachable (rate limits)" in caplog.text


def test_a_key_revoked_while_redis_is_down_is_refused_at_once(api, settings, redis_down):
    settings.API_KEY_CACHE_SECONDS = 300
    assert api.get("/api/v1/locations/").status_code == 200  # this process now holds the key, Redis up
    redis_down()
    assert api.get("/api/v1/locations/").status_code == 200
    revoke_api_key(api_key=ApiKey.objects.get())  # the version cannot move in Redis: the revocation still holds
    refused = api.get("/api/v1/locations/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "authentication_failed")


def test_the_login_lockout_holds_while_redis_is_down(client, redis_down):
    UserFactory(username="mi01.associate", password="right-password-2026")
    redis_down()
    for _ in range(5):
        client.post("/login/", {"username": "mi01.associate", "password": "wrong"})
    locked = client.post("/login/", {"username": "mi01.associate", "password": "right-password-2026"})
    assert locked.status_code == 429 and b"data-locked-out" in locked.content


def test_readyz_says_degraded_but_keeps_the_node_in_the_pool(client, redis_down):
    redis_down()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["cache"]["status"]) == ("degraded", "unreachable")
    assert answer.json()["database"]["status"] == "ok"


def test_readyz_is_ready_with_everything_answering(client):
    answer = client.get("/readyz")
    assert (answer.status_code, answer.json()["status"]) == (200, "ready")
    assert answer.json()["broker"] == {"status": "ok", "broker": "database"}
    assert "replica" not in answer.json()  # none configured
