"""Rate limits and lockouts: per API key, per address, wrong keys; dashboard and admin logins."""

import pytest
from rest_framework.test import APIClient

from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_key_past_its_rate_gets_429_with_retry_after_in_the_error_shape(api, settings):
    settings.API_RATES = {**settings.API_RATES, "key": "5/minute"}
    statuses = [api.get("/api/v1/locations/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = api.get("/api/v1/locations/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert refused.json()["error"]["details"]["retry_after_seconds"] >= 1


def test_each_key_has_its_own_budget(api, web_channel, settings):
    from stores.services import create_api_key

    settings.API_RATES = {**settings.API_RATES, "key": "2/minute"}
    _row, other_key = create_api_key(channel=web_channel)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    assert [api.get("/api/v1/locations/").status_code for _ in range(3)] == [200, 200, 429]
    assert other.get("/api/v1/locations/").status_code == 200


def test_an_address_past_its_rate_gets_429_even_on_the_public_schema(client, db, settings):
    settings.API_RATES = {**settings.API_RATES, "ip": "3/minute"}
    assert [client.get("/api/v1/schema/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_guessing_keys_is_stopped_after_a_few_wrong_ones(api, db, settings):
    settings.API_RATES = {**settings.API_RATES, "bad_keys": "5/minute"}
    guesser = APIClient()
    statuses = []
    for n in range(8):
        guesser.credentials(HTTP_AUTHORIZATION=f"Api-Key oms_guess_{n}")
        statuses.append(guesser.get("/api/v1/locations/").status_code)
    assert statuses == [401] * 6 + [429] * 2
    # Then even a right key from that address waits: the guesser cannot learn which one was right.
    guesser.credentials(HTTP_AUTHORIZATION=api._credentials["HTTP_AUTHORIZATION"])
    assert guesser.get("/api/v1/locations/").status_code == 429
    # Another address with that key is served.
    assert api.get("/api/v1/locations/", REMOTE_ADDR="10.9.9.9").status_code == 200


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_a_login_is_locked_after_five_wrong_passwords_even_with_the_right_one(client, db, url):
    UserFactory(username="mi01.associate", password="right-password-2026", is_staff=True)
    for _ in range(5):
        wrong = client.post(url, {"username": "mi01.associate", "password": "wrong"})
        assert wrong.status_code in (200, 429)
    locked = client.post(url, {"username": "mi01.associate", "password": "right-password-2026"})
    assert locked.status_code == 429 and b"data-locked-out" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_right_password_after_a_few_wrong_ones_still_logs_in(client, db):
    UserFactory(username="mi01.associate", password="right-password-2026")
    for _ in range(3):
        client.post("/login/", {"username": "mi01.associate", "password": "wrong"})
    assert client.post("/login/", {"username": "mi01.associate", "password": "right-password-2026"}).status_code == 302
