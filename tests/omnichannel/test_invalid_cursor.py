"""A tampered pagination cursor is a 400 `invalid_cursor` on every cursor-paged list, never a 500 (issue 25,
item 12)."""

import base64

import pytest
from rest_framework.test import APIClient

from stores.services import create_api_key
from tests.orders.conftest import net  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

TAMPERED = [
    base64.b64encode(b"p=abc").decode(),  # a position that is not a value of the ordering field
    base64.b64encode(b"o=1&p=2026-13-45").decode(),
    "not-base64!",
    base64.b64encode(b"o=x").decode(),  # an offset that is not a number
]


def client(**key) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(**key)[1]}")
    return api


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_is_a_400_on_every_list(net, cursor):  # noqa: F811
    lists = [
        (client(channel=net["web"]), "/api/v1/orders/"),
        (client(channel=net["web"]), "/api/v1/products/"),
        (client(kind="care", name="care"), "/api/v1/cases/"),
        (client(kind="location", location=net["WH01"]), "/api/v1/locations/WH01/fulfillments/"),
        (client(kind="location", location=net["WH01"]), "/api/v1/locations/WH01/returns/"),
    ]
    for api, url in lists:
        answer = api.get(url, {"cursor": cursor})
        assert answer.status_code == 400, (url, answer.status_code, answer.content[:200])
        assert answer.json()["error"]["code"] == "invalid_cursor", url
        assert api.get(url).status_code == 200, url  # the first page still answers
