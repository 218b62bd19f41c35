"""What placing an order costs the database, pinned in absolute numbers (issue 15, item 1): the SKUs and their
stock rows read once, the channel from the network snapshot, every stock row of the order in one conditional
statement, each kind of row one INSERT, no savepoint, the 201 answer from the rows just written, and the
Idempotency-Key claimed and answered inside the same transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from stores.services import create_api_key
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# Statements of one 2-line order, BEGIN and COMMIT included, for a returning customer: the SKUs with their stock
# rows, the customer, then one INSERT per kind of row (order, lines, holds, parcels, parcel lines, payment, event,
# outbox) and one UPDATE for every stock row. The ceilings are 14 and 16.
PLACEMENT = 13
WITH_IDEMPOTENCY_KEY = 15


def placement_statements(api, body, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        answer = api.post("/api/v1/orders/", body, format="json", **headers)
    assert answer.status_code == 201, answer.json()
    statements = [q["sql"] for q in ctx.captured_queries]
    # The placement's transaction ends at its COMMIT; what follows is the outbox sending after commit.
    return statements[: statements.index("COMMIT") + 1]


@pytest.fixture
def api(net):  # noqa: F811
    _row, key = create_api_key(channel=net["web"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    warm = payload([("TEE-M", 1, "19.90")], HOME_MILAN)
    assert client.post("/api/v1/orders/", warm, format="json").status_code == 201  # caches; a known customer
    return client


@pytest.mark.parametrize(
    "lines,fulfillment",
    [
        ([("TEE-M", 1, "19.90"), ("JEANS-42", 1, "89.90")], HOME_MILAN),
        ([("TEE-M", 1, "19.90"), ("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "BG01"}),
    ],
    ids=["home-delivery", "click-and-collect"],
)
def test_a_two_line_order_costs_a_fixed_number_of_statements(api, lines, fulfillment):
    body = payload(lines, fulfillment)
    statements = placement_statements(api, body)
    assert len(statements) == PLACEMENT, "\n".join(statements)
    assert not any(s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for s in statements)
    # Every stock row of the order in one statement, and nothing read back for the answer.
    assert (
        sum(s.startswith('UPDATE "inventory_stocklevel"') or "inventory_stocklevel AS s" in s for s in statements) == 1
    )
    assert not any(s.startswith('SELECT "stores_saleschannel"') for s in statements)
    # The messages are queued, not rendered: nothing is read for them while the stock rows are locked.
    assert not any("notifications_messagetemplate" in s or s.startswith('SELECT "orders_order"') for s in statements)
    keyed = placement_statements(api, payload(lines, fulfillment), HTTP_IDEMPOTENCY_KEY="order-2")
    assert len(keyed) == WITH_IDEMPOTENCY_KEY, "\n".join(keyed)
    assert not any(s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for s in keyed)
