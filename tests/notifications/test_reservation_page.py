"""The customer's reservation page: what is held, where and until when, in their language; cancelling there
gives the stock back at once and tells them."""

from datetime import UTC, datetime

import pytest
import time_machine

from inventory.models import StockLevel
from orders import services as orders
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MONDAY_MORNING = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # 11:00 in Milan


@pytest.fixture
def reservation(shops):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        return orders.reserve_items(
            channel=shops["web"],
            customer=customer(locale="it"),
            location="MI01",
            lines=[{"sku": "TEE-M", "quantity": 2}],
        )


def committed(shops):  # noqa: F811
    return StockLevel.objects.get(location=shops["MI01"], sku=shops["skus"]["TEE-M"]).committed


def test_the_page_shows_the_items_the_store_and_the_end_in_the_customers_language(client, reservation):
    page = client.get(f"/reservation/{reservation.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "it" and page["X-Robots-Tag"] == "noindex"
    assert reservation.number in html and "Corso Buenos Aires 33" in html and "Lunedì" in html
    assert "Fino a mercoledì 18 novembre, 11:00" in html and "2 × " in html
    english = client.get(f"/reservation/{reservation.token}/?lang=en").content.decode()
    assert "Until Wednesday 18 November, 11:00" in english and "Cancel my reservation" in english
    assert client.get("/reservation/not-a-token/").status_code == 404


def test_the_link_is_in_the_confirmation_and_the_reminder(reservation):
    link = f"https://oms.example.com/reservation/{reservation.token}/"
    email = reservation.notifications.get(channel="email")
    sms = reservation.notifications.get(channel="sms")
    assert link in email.body_text and link in email.body_html and link in sms.body_text


def test_cancelling_on_the_page_gives_the_stock_back_and_tells_the_customer(client, shops, reservation):  # noqa: F811
    assert committed(shops) == 2
    response = client.post(f"/reservation/{reservation.token}/?lang=en")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your reservation is cancelled" in page and "Cancel my reservation" not in page
    reservation.refresh_from_db()
    assert reservation.status == "cancelled" and committed(shops) == 0
    assert reservation.events.get(type="cancelled").data == {
        "reason": "cancelled on the reservation page",
        "by": "customer",
    }
    assert reservation.notifications.filter(event="reservation_cancelled").count() == 2

    again = client.post(f"/reservation/{reservation.token}/?lang=en")
    assert again.status_code == 409 and "can no longer be cancelled" in again.content.decode()
    assert reservation.events.filter(type="cancelled").count() == 1
