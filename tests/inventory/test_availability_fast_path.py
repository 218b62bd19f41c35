"""The WSGI fast path for availability (omnichannel/api/fastpath.py) gives exactly Django's answer, and steps
aside for everything it does not mirror."""

import contextlib
from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from inventory import services
from omnichannel.api.fastpath import FastReadPath
from omnichannel.wsgi import application, django_application
from stores.services import create_api_key, revoke_api_key
from tests.stores.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    answered_by: type


@contextlib.contextmanager
def kept_test_transaction():
    # As Django's test client does: the request signals must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app, url, method="get", **headers) -> Answer:
    """`app` "fast": the WSGI application gunicorn serves; "django": Django's own, without the fast path."""
    environ = getattr(RequestFactory(), method)(url, headers=headers).environ
    started_by, response = [], {}

    def record(sender, **kwargs):
        started_by.append(sender)

    def start_response(status, response_headers, exc_info=None):
        response.update(status=int(status.split()[0]), headers=dict(response_headers))

    request_started.connect(record)
    try:
        with kept_test_transaction():
            wsgi_app = application if app == "fast" else django_application
            chunks = wsgi_app(environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
    finally:
        request_started.disconnect(record)
    return Answer(response["status"], response["headers"], body, started_by[-1])


@pytest.fixture
def key(api_key):
    return f"Api-Key {api_key}"


@pytest.mark.parametrize(
    "query, headers",
    [
        ("?skus=TSH001-NER-M,TSH001-NER-L&near=45.4642,9.1900", {}),
        ("?skus=TSH001-NER-M", {"Accept": "application/json"}),
        ("?skus=TSH001-NER-L&location=MI02", {}),
        ("?skus=TSH001-NER-L&location=RM01&near=41.9,12.5", {}),
        ("?skus=TSH001-NER-M&channel=web", {"Accept": "text/html, */*;q=0.1"}),
        ("?skus=TSH001-NER-M", {"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}),
        ("?skus=TSH001-NER-M", {"Accept-Language": "en-GB"}),
    ],
)
def test_the_fast_path_answers_exactly_what_django_answers(shop, key, query, headers):
    url = f"/api/v1/availability/{query}"
    fast = call("fast", url, authorization=key, **headers)
    django = call("django", url, authorization=key, **headers)
    assert fast.answered_by is FastReadPath
    assert django.answered_by is WSGIHandler
    assert fast.status == django.status == 200
    assert fast.headers == django.headers
    assert fast.body == django.body


def test_the_fast_path_answers_from_live_stock_in_one_query(shop, key, web_channel):
    url = "/api/v1/availability/?skus=TSH001-NER-L&near=45.4642,9.1900"
    call("fast", url, authorization=key)  # the key and the network are now cached in this process
    with CaptureQueriesContext(connection) as ctx:
        before = call("fast", url, authorization=key)
    assert len(ctx.captured_queries) == 1
    services.receive_stock(location=shop["MI02"], sku=shop["tee_l"], quantity=3)
    after = call("fast", url, authorization=key)
    assert before.answered_by is after.answered_by is FastReadPath
    assert b'"channel_available":1' in before.body
    assert b'"channel_available":4' in after.body
    assert before.headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    "query, headers, status, code",
    [
        ("?skus=TSH001-NER-M", {}, 401, "not_authenticated"),
        ("?skus=TSH001-NER-M", {"authorization": "Api-Key not-a-key"}, 401, "authentication_failed"),
        ("?skus=", None, 400, "invalid"),
        ("?skus=NOPE-1", None, 404, "not_found"),
        ("?skus=TSH001-NER-M&near=x,y", None, 400, "invalid"),
        ("?skus=TSH001-NER-M&location=XX99", None, 404, "not_found"),
        ("?skus=TSH001-NER-M&channel=marketplace", None, 403, "permission_denied"),
        ("?skus=TSH001-NER-M", {"Accept": "text/html"}, 406, "not_acceptable"),
    ],
)
def test_errors_come_from_django_with_the_api_error_shape(shop, key, query, headers, status, code):
    SalesChannelFactory(code="marketplace", kind="marketplace")
    headers = {"authorization": key} if headers is None else headers
    answer = call("fast", f"/api/v1/availability/{query}", **headers)
    assert answer.answered_by is WSGIHandler
    assert answer.status == status
    assert answer.body.startswith(b'{"error":{"code":"' + code.encode())


def test_a_revoked_key_is_refused_at_once_on_the_fast_path_too(shop, web_channel):
    row, raw_key = create_api_key(channel=web_channel)
    assert call("fast", "/api/v1/availability/?skus=TSH001-NER-M", authorization=f"Api-Key {raw_key}").status == 200
    revoke_api_key(api_key=row)
    refused = call("fast", "/api/v1/availability/?skus=TSH001-NER-M", authorization=f"Api-Key {raw_key}")
    assert (refused.status, refused.answered_by) == (401, WSGIHandler)


@pytest.mark.parametrize(
    "method, url, headers",
    [
        ("get", "/api/v1/availability/?skus=TSH001-NER-M", {"Cookie": "django_language=it"}),
        ("get", "/api/v1/availability/?skus=TSH001-NER-M&format=json", {}),
        ("head", "/api/v1/availability/?skus=TSH001-NER-M", {}),
        ("get", "/api/v1/products/TSH001-NER-M/", {}),
    ],
)
def test_what_the_fast_path_does_not_mirror_goes_to_django(shop, key, method, url, headers):
    answer = call("fast", url, method=method, authorization=key, **headers)
    assert answer.answered_by is WSGIHandler
    assert answer.status == 200


def test_a_host_outside_allowed_hosts_gets_djangos_400(shop, key, settings):
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    answer = call("fast", "/api/v1/availability/?skus=TSH001-NER-M", authorization=key)
    assert (answer.status, answer.answered_by) == (400, WSGIHandler)
    allowed = call("fast", "/api/v1/availability/?skus=TSH001-NER-M", authorization=key, host="shop.example.com")
    assert (allowed.status, allowed.answered_by) == (200, FastReadPath)


@pytest.mark.parametrize(
    "setting, value",
    [
        ("API_FAST_PATH", False),
        ("DISALLOWED_USER_AGENTS", [r"^curl/"]),
        ("DEBUG", True),
        ("SECURE_SSL_REDIRECT", True),
        ("MIDDLEWARE", ["django.middleware.gzip.GZipMiddleware", "django.middleware.common.CommonMiddleware"]),
    ],
)
def test_the_fast_path_turns_itself_off(shop, key, settings, setting, value):
    setattr(settings, setting, value)
    answer = call("fast", "/api/v1/availability/?skus=TSH001-NER-M", authorization=key)
    assert answer.answered_by is WSGIHandler
