"""One product's figures for head office: its stock day by day per location (walked back from today through the
ledger), its sales by channel and at the tills, its returns by reason and size; found by style, name or SKU."""

from datetime import date

import pytest
from django.contrib.auth.models import Group

from inventory import services as stock
from orders.shop_floor.services import record_till_sales
from support_playbook import kpis, product_kpis
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import UserFactory
from tests.support_playbook.test_kpis import at

pytestmark = pytest.mark.django_db
WEEK = kpis.Period(start=date(2027, 3, 8), end=date(2027, 3, 15))


@pytest.fixture
def tee_week(net):  # noqa: F811
    tee = net["skus"]["TEE-M"]
    with at(2027, 3, 8, 10, 0):  # MI01 had 2: 5 more arrive on Monday
        stock.receive_stock(location=net["MI01"], sku=tee, quantity=5)
    with at(2027, 3, 10, 10, 0):  # 3 more on Wednesday, and one sold online from the warehouse
        stock.receive_stock(location=net["MI01"], sku=tee, quantity=3)
        place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    with at(2027, 3, 12, 18, 0):  # one sold at MI01's till on Friday
        line = {"line": 1, "sku": "TEE-M", "quantity": 1, "unit_price": "19.90"}
        record_till_sales(
            location=net["MI01"],
            receipts=[{"register": "T1", "receipt": "1", "at": "2027-03-12T17:00:00+01:00", "lines": [line]}],
        )
    return tee.product


def test_stock_day_by_day_is_walked_back_from_today_through_the_ledger(tee_week):
    history = product_kpis.stock_history(tee_week, WEEK)
    mi01 = next(location for location in history["locations"] if location["code"] == "MI01")
    # Monday 2 + 5; Wednesday + 3; Friday one sold at the till; nothing more to Sunday.
    assert mi01["series"] == [7, 7, 10, 10, 9, 9, 9] and mi01["now"] == 9
    assert len(history["chart"]) == 7 and mi01["line"].count(",") == 7


def test_sales_by_channel_and_at_the_tills(tee_week, net):  # noqa: F811
    sales = {str(row["channel"]): row["units"] for row in product_kpis.sales_by_channel(tee_week, WEEK)}
    assert sales == {net["web"].name: 1, "Rung up at the stores' tills": 1}


def test_head_office_finds_a_product_and_reads_its_page(client, tee_week, net, django_assert_max_num_queries):  # noqa: F811
    user = UserFactory(username="head.office")
    user.groups.add(Group.objects.get_or_create(name="head_office")[0])
    with at(2027, 3, 14, 18, 0):
        client.force_login(user)
        found = client.get("/care/network/products/", {"q": "TEE-M"})
        assert found.status_code == 302 and found["Location"] == f"/care/network/products/{tee_week.style}/"
        assert client.get("/care/network/products/", {"q": "nothing-like-it"}).status_code == 404
        with django_assert_max_num_queries(20):
            page = client.get(f"/care/network/products/{tee_week.style}/", {"days": 7}).content.decode()
        assert client.get(f"/care/network/products/{tee_week.style}/", {"days": 5}).status_code == 400
        assert client.get("/care/network/products/NOPE/").status_code == 404
        client.force_login(UserFactory(username="someone"))
        assert client.get(f"/care/network/products/{tee_week.style}/").status_code == 403
    assert 'data-location="MI01"' in page and 'data-testid="chart-stock"' in page
    assert "Rung up at the stores&#x27; tills" in page
