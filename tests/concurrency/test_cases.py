"""Cases under concurrency: two locations reporting items of one order missing at the same instant open one
case; two agents clicking the same refund at once refund once."""

from decimal import Decimal

import pytest

from inventory import services as stock
from orders import services
from support_playbook.errors import CaseClosed, StaleSuggestion
from support_playbook.models import Case
from support_playbook.services import cases
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.orders.conftest import HOME_MILAN, payload
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def split_order():
    """One order in two parcels: the tee from WH01, the scarf from WH02; nobody else has either."""
    web = SalesChannelFactory(code="web", kind="web")
    wh1 = LocationFactory(code="WH01", kind="warehouse", latitude=45.32, longitude=9.13, capabilities=["ships"])
    wh2 = LocationFactory(code="WH02", kind="warehouse", latitude=45.60, longitude=9.50, capabilities=["ships"])
    web.source_locations.set([wh1, wh2])
    stock.receive_stock(location=wh1, sku=SKUFactory(code="TEE-M"), quantity=1)
    stock.receive_stock(location=wh2, sku=SKUFactory(code="SCARF"), quantity=1)
    data = payload([("TEE-M", 1, "19.90"), ("SCARF", 1, "45.00")], HOME_MILAN)
    order = services.place_order(
        channel=web,
        customer=data["customer"],
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
    )
    assert order.fulfillments.count() == 2
    return order


def test_two_locations_reporting_one_orders_items_missing_at_once_open_one_case(split_order):
    lines = [f.lines.get() for f in split_order.fulfillments.order_by("id")]
    results = run_in_threads(lambda i: services.report_missing(fulfillment_line=lines[i], quantity=1), 2)
    assert not any(isinstance(r, Exception) for r in results), results
    case = Case.objects.get()
    assert sorted(case.events.values_list("type", flat=True)) == ["opened", "repeated"]
    assert {line.sku.code: line.quantity_short_open for line in split_order.lines.all()} == {"TEE-M": 1, "SCARF": 1}


def test_two_agents_clicking_the_same_refund_at_once_refund_once(split_order):
    line = split_order.fulfillments.order_by("id").first().lines.get()
    services.report_missing(fulfillment_line=line, quantity=1)
    case = Case.objects.get()
    refund = next(s for s in cases.suggestions_for(case) if s.action == "refund_line")
    results = run_in_threads(lambda i: cases.act_on_case(case=case.pk, action=refund.action, params=refund.params), 4)
    assert sum(1 for r in results if isinstance(r, Case)) == 1
    assert all(isinstance(r, (Case, StaleSuggestion, CaseClosed)) for r in results), results
    split_order.payment.refresh_from_db()
    given_back = split_order.payment.refunded_amount + split_order.payment.released_amount  # never captured: released
    assert given_back == Decimal(refund.params["quantity"]) * line.order_line.unit_price
