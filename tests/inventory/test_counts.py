"""Counts by RFID or by hand (`POST locations/{code}/counts/`), reconciled as of their start: sales during the count
and late till receipts are never subtracted twice; tolerance applies small differences, the manager approves
larger ones, a far larger one opens a case."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.demo import ean13
from inventory.epc import sgtin96
from inventory.models import CountedItem, CountRead, CountSession, StockLevel
from stores.roles import NotAllowed
from stores.services import create_api_key
from support_playbook.models import Case
from tests.inventory.factories import ChannelListingFactory, SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    store = LocationFactory(code="MI01")
    tee = SKUFactory(code="TEE-M", gtin=ean13("801234500001"))
    scarf = SKUFactory(code="SCARF", gtin=ean13("801234500002"))
    ChannelListingFactory(sku=tee, price=Decimal("19.90"))
    ChannelListingFactory(sku=scarf, price=Decimal("49.90"))
    stock.receive_stock(location=store, sku=tee, quantity=10)
    stock.receive_stock(location=store, sku=scarf, quantity=4)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(kind='location', location=store)[1]}")
    return {"store": store, "tee": tee, "scarf": scarf, "api": client}


def on_hand(shop, sku):
    return StockLevel.objects.get(location=shop["store"], sku=shop[sku]).on_hand


def count(shop, body):
    return shop["api"].post("/api/v1/locations/MI01/counts/", body, format="json")


def sell(shop, receipt, at, quantity=1):
    body = {
        "receipts": [
            {
                "register": "T1",
                "receipt": receipt,
                "at": at.isoformat(),
                "lines": [{"line": 1, "sku": "TEE-M", "quantity": quantity, "unit_price": "19.90"}],
            }
        ]
    }
    assert shop["api"].post("/api/v1/locations/MI01/sales/", body, format="json").status_code == 200


def test_a_count_with_sales_and_a_late_till_receipt_during_it_reconciles_as_of_its_start(shop):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)  # after the fixture's deliveries
    # 10 T-shirts in the books. At 09:00 a till rang up one (the till was offline: it arrives during the count),
    # and one had gone missing earlier: 8 on the shelf when the count starts at 10:00.
    with time_machine.travel(start, tick=False):
        assert count(shop, {"count": "C-1", "scope": {"skus": ["TEE-M"]}, "reads": []}).json()["status"] == "open"
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        sell(shop, "0100", start + timedelta(minutes=10), quantity=2)  # sold while counting: 8 - 2 on the shelf
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        sell(shop, "0099", start - timedelta(hours=1))  # the offline till's receipt, rung up before the start
        assert on_hand(shop, "tee") == 7
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        answer = count(shop, {"count": "C-1", "reads": [{"sku": "TEE-M", "quantity": 8}], "final": True}).json()
    # Book at start = 7 now − (−2 sold since the start) = 9; counted 8: −1. New on-hand 7 − 1 = 6 = 8 − 2 sold.
    assert answer["differences"] == [
        {"sku": "TEE-M", "expected": 9, "counted": 8, "adjustment": -1, "value": "19.90", "status": "applied"}
    ]
    assert answer["status"] == "reconciled" and answer["accuracy"] == 0.0
    assert on_hand(shop, "tee") == 6
    assert_ledger_agrees()


def test_epc_reads_accumulate_once_each_and_unknown_gtins_are_listed(shop):
    tees = [sgtin96(shop["tee"].gtin, serial) for serial in range(1, 11)]
    stranger = sgtin96(ean13("801234599999"), 1)
    first = count(shop, {"count": "R-1", "scope": "store", "reads": [{"epc": e} for e in tees[:6] + [stranger]]})
    assert first.status_code == 200, first.content
    assert first.json()["unknown_epcs"] == [stranger]
    # The reader passes the same rail again: six reads repeated, four new ones, one SCARF tag, and a foreign tag.
    foreign = "E2801160600002054CC2D4B1"  # not an SGTIN: listed, never guessed
    again = tees[:6] + tees[6:] + [sgtin96(shop["scarf"].gtin, 1), foreign]
    answer = count(shop, {"count": "R-1", "reads": [{"epc": e} for e in again], "final": True}).json()
    assert answer["unknown_epcs"] == [foreign]
    assert CountRead.objects.filter(session__code="R-1").count() == 13
    # 10 T-shirts as the books say; 1 scarf of 4 (−3, 149.70 beyond tolerance: waits for the manager).
    assert answer["differences"] == [
        {
            "sku": "SCARF",
            "expected": 4,
            "counted": 1,
            "adjustment": -3,
            "value": "149.70",
            "status": "awaiting_approval",
        }
    ]
    assert answer["status"] == "awaiting_approval" and answer["accuracy"] == 0.5
    assert on_hand(shop, "scarf") == 4


def test_a_whole_store_count_counts_an_item_not_found_as_zero(shop):
    answer = count(shop, {"count": "W-1", "scope": "store", "reads": [{"sku": "TEE-M", "quantity": 10}], "final": True})
    assert [(d["sku"], d["counted"], d["adjustment"]) for d in answer.json()["differences"]] == [("SCARF", 0, -4)]


def test_a_skus_figure_replaces_its_earlier_one_in_the_same_count(shop):
    count(shop, {"count": "M-1", "reads": [{"sku": "TEE-M", "quantity": 3}]})
    answer = count(shop, {"count": "M-1", "reads": [{"sku": "TEE-M", "quantity": 9}], "final": True}).json()
    assert answer["differences"][0]["counted"] == 9 and on_hand(shop, "tee") == 9
    again = count(shop, {"count": "M-1", "reads": [{"sku": "TEE-M", "quantity": 1}], "final": True})
    assert again.status_code == 409  # reconciled: a new count, not a change of this one
    assert on_hand(shop, "tee") == 9


def test_beyond_tolerance_the_manager_approves_an_associate_cannot(shop):
    answer = count(shop, {"count": "C-2", "reads": [{"sku": "SCARF", "quantity": 7}], "final": True}).json()
    assert answer["differences"][0]["status"] == "awaiting_approval" and on_hand(shop, "scarf") == 4
    session = CountSession.objects.get(code="C-2")
    associate, manager = UserFactory(), UserFactory()
    StoreMembershipFactory(user=associate, location=shop["store"], role="associate")
    StoreMembershipFactory(user=manager, location=shop["store"], role="manager")
    with pytest.raises(NotAllowed):
        stock.approve_count_discrepancies(session=session, actor=associate)
    assert on_hand(shop, "scarf") == 4
    stock.approve_count_discrepancies(session=session, reason="found", actor=manager)
    assert on_hand(shop, "scarf") == 7
    item = CountedItem.objects.get(session=session)
    assert (item.status, item.reason, item.decided_by) == ("approved", "found", manager)
    session.refresh_from_db()
    assert session.status == "reconciled"
    assert_ledger_agrees()


def test_a_far_larger_difference_opens_a_stock_discrepancy_case(shop):
    count(shop, {"count": "C-3", "reads": [{"sku": "TEE-M", "quantity": 100000 - 1}], "final": True})
    assert on_hand(shop, "tee") == 10  # never sellable by itself
    case = Case.objects.get(scenario="stock_discrepancy")
    assert (case.location, case.sku, case.facts["difference"]) == (shop["store"], shop["tee"], 99989)


@pytest.mark.parametrize(
    "body",
    [
        {"count": "", "reads": []},
        {"count": "C", "reads": [{"epc": "nothex"}]},
        {"count": "C", "reads": [{"sku": "TEE-M", "quantity": -1}]},
        {"count": "C", "reads": [{"sku": "TEE-M"}]},
        {"count": "C", "reads": "x"},
        {"count": "C", "scope": {"skus": ["NOPE"]}},
        {"count": "C", "scope": "aisle"},
        {"count": "C", "final": "yes"},
        {"count": "C", "extra": 1},
    ],
)
def test_bad_count_requests_are_400s_and_write_nothing(shop, body):
    response = count(shop, body)
    assert response.status_code == 400, response.content
    assert not CountSession.objects.exists()


def test_an_unknown_sku_is_a_404_and_writes_nothing(shop):
    response = count(shop, {"count": "C", "reads": [{"sku": "NOPE", "quantity": 1}]})
    assert response.status_code == 404
    assert not CountSession.objects.exists()


def test_another_locations_counts_are_a_404(shop):
    other = LocationFactory(code="RM01")
    assert shop["api"].post(f"/api/v1/locations/{other.code}/counts/", {"count": "C"}, format="json").status_code == 404
