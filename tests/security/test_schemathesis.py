"""schemathesis over the whole OpenAPI schema, through the WSGI application on the test database: generated
requests (valid and invalid) for every operation never get a 5xx, and every answer (status, content type,
headers, body) is one the schema documents. Bounded examples per operation, so CI stays quick."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inventory import services as stock
from omnichannel.wsgi import application
from orders import services
from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations some other kind of key than a channel's calls.
KEY_FOR_PATH = {
    "/api/v1/tracking-events/": "carrier",
    "/api/v1/locations/{code}/fulfillments/": "location",
    "/api/v1/fulfillments/{fulfillment_id}/actions/": "location",
    "/api/v1/returns/{number}/receive/": "location",
    "/api/v1/returns/{number}/transfer-shipped/": "location",
    "/api/v1/returns/{number}/transfer-received/": "location",
    "/api/v1/locations/{code}/returns/": "location",
    "/api/v1/locations/{code}/sales/": "location",
    "/api/v1/locations/{code}/counts/": "location",
    "/api/v1/cases/": "care",
    "/api/v1/cases/{case_id}/": "care",
    "/api/v1/cases/{case_id}/actions/": "care",
}


@pytest.fixture
def keys(net, settings):  # noqa: F811
    settings.API_RATES = {"key": "100000/minute", "ip": "100000/minute", "bad_keys": "100000/minute"}
    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    stock.receive_stock(location=net["MI01"], sku=net["skus"]["TEE-M"], quantity=50)
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    parcel = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN).fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number="BRT-1")
    assert order.number
    # A case to read and act on: jeans only the warehouse had, now missing.
    missing = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN).fulfillments.get()
    services.report_missing(fulfillment_line=missing.lines.get(), quantity=1)
    return {
        "channel": create_api_key(channel=net["web"])[1],
        "carrier": create_api_key(kind="carrier", carrier="BRT")[1],
        "location": create_api_key(kind="location", location=net["MI01"])[1],
        "care": create_api_key(kind="care")[1],
    }


@pytest.fixture
def api_schema(db):
    # Like Django's test client: the test's transaction must outlive each request (Django closes connections
    # when a request finishes).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case, keys):
    key = keys[KEY_FOR_PATH.get(case.operation.path, "channel")]
    case.call_and_validate(headers={"Authorization": f"Api-Key {key}"}, checks=CHECKS)
