import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement
from orders.models import Reservation
from stores.services import create_api_key
from tests.e2e.helpers import SCREENSHOTS
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def available(api, sku):
    result = api.get(f"/api/v1/availability/?skus={sku}&location=MI01").json()["results"][0]
    return next(row["available"] for row in result["locations"] if row["location"] == "MI01")


def test_an_associate_sees_new_reservations_and_records_one_bought_and_one_not(live_server, page, shops):  # noqa: F811
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=shops["MI01"])
    _row, key = create_api_key(channel=shops["web"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("mi01.associate")
    page.get_by_label("Password").fill("secret-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.locator('nav.menu a[data-menu="reservations"]').click()
    expect(page.get_by_text("No other reservation is waiting.")).to_be_visible()
    assert (available(api, "TEE-M"), available(api, "SCARF")) == (5, 2)

    # Two customers reserve on the web shop: the units leave the sellable stock at once.
    first = api.post(
        "/api/v1/reservations/",
        {"customer": customer("giulia@example.com"), "location": "MI01", "lines": [{"sku": "TEE-M", "quantity": 1}]},
        format="json",
    ).json()
    second = api.post(
        "/api/v1/reservations/",
        {
            "customer": customer("marco@example.com", phone="+393479876543", name="Marco Bianchi"),
            "location": "MI01",
            "lines": [{"sku": "TEE-M", "quantity": 1}, {"sku": "SCARF", "quantity": 1}],
        },
        format="json",
    ).json()
    assert (available(api, "TEE-M"), available(api, "SCARF")) == (3, 1)

    page.reload()
    expect(page.locator('nav.menu a[data-menu="reservations"] .badge')).to_have_text("2")
    first_row = page.locator(f'tr[data-reservation="{first["number"]}"]')
    second_row = page.locator(f'tr[data-reservation="{second["number"]}"]')
    expect(first_row).to_contain_text("Giulia Rossi")
    expect(second_row).to_contain_text("+393479876543")
    expect(second_row).to_contain_text("SCARF")
    expect(first_row.get_by_test_id("time-left")).to_contain_text("left")

    # Giulia tries it on and buys it: the till receipt goes with the sale.
    first_row.get_by_placeholder("Receipt no.").fill("0042-0815")
    first_row.get_by_role("button", name="Bought", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"Reservation {first['number']}: sold")
    expect(page.get_by_test_id("closed").locator(f'tr[data-reservation="{first["number"]}"]')).to_contain_text(
        "0042-0815"
    )
    assert (available(api, "TEE-M"), available(api, "SCARF")) == (3, 1)  # the held unit was sold, not freed
    level = StockLevel.objects.get(location=shops["MI01"], sku=shops["skus"]["TEE-M"])
    assert (level.on_hand, level.committed) == (4, 1)
    assert StockMovement.objects.get(reason="pos_sale").reference == "pos:0042-0815"

    # Marco comes, tries them on, buys nothing: both items go back on sale.
    second_row.get_by_role("button", name="Not bought").click()
    expect(page.locator(".messages")).to_contain_text(f"Reservation {second['number']}: not bought")
    expect(page.get_by_text("No other reservation is waiting.")).to_be_visible()
    expect(page.locator('nav.menu a[data-menu="reservations"] .badge')).to_have_count(0)
    assert (available(api, "TEE-M"), available(api, "SCARF")) == (4, 2)
    assert api.get(f"/api/v1/reservations/{first['number']}/").json()["status"] == "purchased"
    assert api.get(f"/api/v1/reservations/{second['number']}/").json()["status"] == "declined"

    page.get_by_test_id("closed").get_by_role("link", name=second["number"]).click()
    expect(page.get_by_test_id("reservation-status")).to_have_text("Not bought")
    expect(page.get_by_test_id("timeline").locator('[data-event="declined"]')).to_have_text("Came, did not buy")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reservation_not_bought.png"), full_page=True)


def test_a_customer_who_cannot_come_cancels_from_the_link_in_the_message(live_server, page, shops):  # noqa: F811
    _row, key = create_api_key(channel=shops["web"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    created = api.post(
        "/api/v1/reservations/",
        {"customer": customer(locale="it"), "location": "MI01", "lines": [{"sku": "SCARF", "quantity": 2}]},
        format="json",
    ).json()
    assert available(api, "SCARF") == 0
    reservation = Reservation.objects.get(number=created["number"])
    link = reservation.notifications.get(channel="sms").body_text.rsplit(" ", 1)[-1]
    assert link.endswith(f"/reservation/{reservation.token}/")

    page.goto(live_server.url + link[link.index("/reservation/") :])
    expect(page.get_by_test_id("reservation-status")).to_have_text("Tenuta da parte")
    expect(page.get_by_test_id("store")).to_contain_text("Corso Buenos Aires 33")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("notice")).to_contain_text("La prenotazione è annullata")
    expect(page.get_by_test_id("reservation-status")).to_have_text("Annullata")
    expect(page.get_by_test_id("cancel")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reservation_cancelled_by_customer.png"), full_page=True)

    assert available(api, "SCARF") == 2
    assert api.get(f"/api/v1/reservations/{created['number']}/").json()["status"] == "cancelled"
