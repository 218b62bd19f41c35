"""Returns under concurrency on PostgreSQL: ten requests to return the same unit at once make one return line;
two receipts of one return at once restock and refund once."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import StockMovement
from omnichannel.errors import InvalidTransition
from orders import services
from orders.models import Return, ReturnLine
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.orders.helpers import money
from tests.orders.returns_helpers import delivered, net, rnet, stock_row  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_requests_to_return_the_same_unit_make_one_return_line(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    key = create_api_key(channel=rnet["web"])[1]
    body = {
        "customer": {"email": "giulia@example.com"},
        "how": "in_store",
        "location": "MI01",
        "lines": [{"order": order.number, "sku": "TEE-M", "quantity": 1, "reason": "too_small"}],
    }

    def post(i):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return api.post("/api/v1/returns/", body, format="json")

    answers = run_in_threads(post, 10)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9, [a.content[:200] for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"already_returned"}
    assert ReturnLine.objects.count() == 1 and Return.objects.count() == 1
    assert order.lines.get().quantity_returned == 1


def test_two_receipts_of_one_return_at_once_restock_and_refund_once(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "29.90")])
    return_request = services.request_return(
        how="in_store",
        location=rnet["MI01"],
        lines=[{"order": order.number, "sku": "TEE-M", "quantity": 2, "reason": "too_big"}],
    )
    on_hand = stock_row(rnet, "MI01", "TEE-M")[0]
    counts = [{"order": order.number, "sku": "TEE-M", "received": 2, "dispositions": {"restock_here": 2}}]
    results = run_in_threads(
        lambda i: services.receive_return(return_request=return_request.pk, location=rnet["MI01"], lines=counts), 2
    )
    assert sum(isinstance(r, Return) for r in results) == 1
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    assert stock_row(rnet, "MI01", "TEE-M")[0] == on_hand + 2
    assert StockMovement.objects.filter(reason="return").count() == 1
    assert money(order)[2] == Decimal("59.80")
