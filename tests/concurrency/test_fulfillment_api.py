"""Two handhelds or a WMS retrying at once: a short line is written off once, a pickup handed over once."""

import pytest
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import StockLevel, StockMovement
from orders import services
from stores.services import create_api_key
from support_playbook.models import Case, CaseEvent
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def picking():
    web = SalesChannelFactory(code="web", kind="web")
    warehouse = LocationFactory(code="WH01", kind="warehouse", latitude=45.32, longitude=9.13, capabilities=["ships"])
    web.source_locations.set([warehouse])
    sku = SKUFactory(code="TEE-M")
    stock.receive_stock(location=warehouse, sku=sku, quantity=5)
    data = payload([("TEE-M", 2, "19.90")], HOME_MILAN)
    order = services.place_order(
        channel=web,
        customer=data["customer"],
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
    )
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    _row, key = create_api_key(kind="location", location=warehouse)
    return {"fulfillment": fulfillment, "key": key, "warehouse": warehouse}


def post(key, fulfillment_id, body, idempotency_key=None):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    return api.post(f"/api/v1/fulfillments/{fulfillment_id}/actions/", body, format="json", **headers)


def test_one_short_report_retried_at_once_is_written_off_once(picking):
    body = {"action": "report_short", "lines": [{"sku": "TEE-M", "quantity": 1}]}
    answers = run_in_threads(lambda i: post(picking["key"], picking["fulfillment"].pk, body, "wms-short-1"), 8)
    assert [getattr(a, "status_code", repr(a)) for a in answers] == [200] * 8
    assert all(a.json() == answers[0].json() for a in answers)  # the first answer, replayed
    assert StockMovement.objects.filter(reason="shortage").count() == 1
    level = StockLevel.objects.get(location=picking["warehouse"])
    assert (level.on_hand, level.committed) == (4, 1)
    assert Case.objects.count() == 1 and CaseEvent.objects.filter(type="opened").count() == 1
    assert_ledger_agrees()


def test_two_handhelds_reporting_the_whole_line_missing_at_once_write_it_off_once(picking):
    body = {"action": "report_short", "lines": [{"sku": "TEE-M", "quantity": 2}]}
    answers = run_in_threads(lambda i: post(picking["key"], picking["fulfillment"].pk, body), 6)
    codes = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert codes.count(200) == 1 and all(code in (400, 409) for code in codes if code != 200), codes
    assert StockMovement.objects.filter(reason="shortage").count() == 1
    level = StockLevel.objects.get(location=picking["warehouse"])
    assert (level.on_hand, level.committed) == (3, 0)
    assert Case.objects.count() == 1
    assert_ledger_agrees()
