"""Click & reserve under contention, on PostgreSQL: never more held than there is, and the expiry job run
twice at once expires each reservation once with one message each."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from inventory import services as stock
from inventory.models import StockHold, StockLevel
from notifications.models import Notification
from orders import services
from orders.models import Reservation, ReservationEvent
from stores.services import create_api_key
from tests.concurrency.conftest import run_in_threads
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import customer
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store():
    web = SalesChannelFactory(code="web", kind="web")
    milan = LocationFactory(code="MI01", capabilities=["click_and_reserve"], opening_hours={})
    web.source_locations.set([milan])
    _row, key = create_api_key(channel=web)
    return {"web": web, "MI01": milan, "key": key}


def test_thirty_customers_reserving_the_last_five_units(store):
    sku = SKUFactory(code="LAST-5")
    stock.receive_stock(location=store["MI01"], sku=sku, quantity=5)

    def reserve(i):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {store['key']}")
        payload = {
            "customer": customer(f"customer{i}@example.com"),
            "location": "MI01",
            "lines": [{"sku": "LAST-5", "quantity": 1}],
        }
        return api.post("/api/v1/reservations/", payload, format="json")

    responses = run_in_threads(reserve, 30)

    codes = [r.status_code if hasattr(r, "status_code") else repr(r) for r in responses]
    assert codes.count(201) == 5 and codes.count(409) == 25, sorted(set(map(str, codes)))
    assert all(r.json()["error"]["code"] == "insufficient_stock" for r in responses if r.status_code == 409)
    assert Reservation.objects.filter(status="held").count() == 5
    level = StockLevel.objects.get(location=store["MI01"], sku=sku)
    assert (level.on_hand, level.committed) == (5, 5)
    assert StockHold.objects.filter(kind="reservation", status="active").count() == 5
    assert_ledger_agrees()


def test_the_expiry_job_run_twice_at_once_expires_each_reservation_once(store):
    sku = SKUFactory(code="TEE")
    stock.receive_stock(location=store["MI01"], sku=sku, quantity=50)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(12):
            services.reserve_items(
                channel=store["web"],
                customer=customer(f"c{i}@example.com", phone=""),  # email only: one message per reservation
                location="MI01",
                lines=[{"sku": "TEE", "quantity": 1}],
            )

    with time_machine.travel(start + timedelta(hours=49)):
        results = run_in_threads(lambda i: services.expire_reservations(), 2)

    assert sum(results) == 12
    assert Reservation.objects.filter(status="expired").count() == 12
    assert ReservationEvent.objects.filter(type="expired").count() == 12
    assert Notification.objects.filter(event="reservation_expired").count() == 12
    assert StockLevel.objects.get(location=store["MI01"], sku=sku).committed == 0
    assert_ledger_agrees()


def test_the_reminder_job_run_twice_at_once_reminds_each_reservation_once(store):
    sku = SKUFactory(code="TEE")
    stock.receive_stock(location=store["MI01"], sku=sku, quantity=50)
    start = timezone.now().replace(hour=9, minute=0)  # 10:00 in Milan: the reminder falls in the daytime
    with time_machine.travel(start, tick=False):
        for i in range(8):
            services.reserve_items(
                channel=store["web"],
                customer=customer(f"c{i}@example.com", phone=""),
                location="MI01",
                lines=[{"sku": "TEE", "quantity": 1}],
            )

    with time_machine.travel(start + timedelta(hours=24, minutes=5)):
        results = run_in_threads(lambda i: services.send_reservation_reminders(), 2)

    assert sum(results) == 8, results
    assert ReservationEvent.objects.filter(type="reminder").count() == 8
    assert Notification.objects.filter(event="reservation_reminder").count() == 8
