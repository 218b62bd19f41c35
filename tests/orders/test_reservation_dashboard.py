"""The store's reservations page: only this store's, the actions with form errors, search, badge and KPIs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StockLevel, StockMovement
from orders import services
from orders.models import Reservation
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY_MORNING = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # 11:00 in Milan


@pytest.fixture
def mi01_staff(client, shops):  # noqa: F811
    user = UserFactory(username="mi01.associate", first_name="Paola")
    StoreMembershipFactory(user=user, location=shops["MI01"])
    client.force_login(user)
    return user


def reserve(shops, lines=(("TEE-M", 1),), *, store="MI01", email="giulia@example.com", phone="+393331234567"):  # noqa: F811
    return services.reserve_items(
        channel=shops["web"],
        customer=customer(email, phone=phone),
        location=store,
        lines=[{"sku": sku, "quantity": qty} for sku, qty in lines],
    )


def action(number, name):
    return f"/dashboard/MI01/reservations/{number}/{name}/"


def on_hand_committed(shops, sku="TEE-M"):  # noqa: F811
    level = StockLevel.objects.get(location=shops["MI01"], sku=shops["skus"][sku])
    return level.on_hand, level.committed


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_the_list_shows_this_stores_reservations_by_when_they_end(client, shops, mi01_staff):  # noqa: F811
    later = reserve(shops)
    today = reserve(shops, [("SCARF", 1)], email="marco@example.com")
    Reservation.objects.filter(pk=today.pk).update(expires_at=MONDAY_MORNING + timedelta(hours=5))
    elsewhere = reserve(shops, store="BG01", email="anna@example.com")

    page = client.get("/dashboard/MI01/reservations/")

    assert [r.number for r in page.context["today"]] == [today.number]
    assert [r.number for r in page.context["upcoming"]] == [later.number]
    html = page.content.decode()
    assert elsewhere.number not in html and "+393331234567" in html and "5\xa0hours left" in html
    assert client.get(f"/dashboard/MI01/reservations/{elsewhere.number}/").status_code == 404
    assert client.get("/dashboard/BG01/reservations/").status_code == 404
    home = client.get("/dashboard/MI01/").content.decode()
    assert 'data-menu="reservations">Reservations <span class="badge">2</span>' in home
    assert 'data-kpi="held">2<' in home and 'data-kpi="ending-today">1<' in home


def test_bought_from_the_list_with_a_till_receipt(client, shops, mi01_staff):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2)])
    response = client.post(action(reservation.number, "bought"), {"pos_receipt": "A-0815"}, follow=True)
    assert response.status_code == 200 and "sold" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.status == "purchased" and reservation.pos_receipt == "A-0815"
    assert on_hand_committed(shops) == (3, 0)
    assert StockMovement.objects.get(reason="pos_sale").reference == "pos:A-0815"
    event = reservation.events.get(type="purchased")
    assert event.actor == mi01_staff
    detail = client.get(f"/dashboard/MI01/reservations/{reservation.number}/").content.decode()
    assert "Bought in store" in detail and "Paola" in detail and "A-0815" in detail


def test_part_bought_on_the_reservation_page(client, shops, mi01_staff):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2), ("SCARF", 1)])
    tee, scarf = reservation.lines.get(sku__code="TEE-M"), reservation.lines.get(sku__code="SCARF")
    too_many = client.post(action(reservation.number, "bought"), {f"line_{tee.pk}": 3, f"line_{scarf.pk}": 0})
    assert too_many.status_code == 422 and Reservation.objects.get(pk=reservation.pk).status == "held"
    nothing = client.post(action(reservation.number, "bought"), {f"line_{tee.pk}": 0, f"line_{scarf.pk}": 0})
    assert nothing.status_code == 400 and "not bought instead" in nothing.content.decode()
    done = client.post(action(reservation.number, "bought"), {f"line_{tee.pk}": 1, f"line_{scarf.pk}": 0})
    assert done.status_code == 302
    assert on_hand_committed(shops) == (4, 0) and on_hand_committed(shops, "SCARF") == (2, 0)


def test_not_bought_and_cancel_put_the_items_back(client, shops, mi01_staff):  # noqa: F811
    first, second = reserve(shops), reserve(shops, email="marco@example.com")
    assert client.post(action(first.number, "not_bought"), {"decline-reason": "too big"}).status_code == 302
    assert client.post(action(second.number, "cancel"), {"cancel-reason": "customer phoned"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("declined", "cancelled")
    assert first.events.get(type="declined").data == {"reason": "too big"}
    assert second.events.get(type="cancelled").data == {"reason": "customer phoned", "by": "store"}
    assert second.notifications.filter(event="reservation_cancelled").exists()
    assert on_hand_committed(shops) == (5, 0)


def test_acting_on_a_closed_reservation_is_a_form_error_and_changes_nothing(client, shops, mi01_staff):  # noqa: F811
    reservation = reserve(shops)
    services.mark_declined(reservation=reservation)
    response = client.post(action(reservation.number, "bought"), {"pos_receipt": "X"})
    assert response.status_code == 409 and "Cannot go from declined" in response.content.decode()
    assert StockMovement.objects.filter(reason="pos_sale").count() == 0
    assert client.post(action(reservation.number, "teleport")).status_code == 404
    assert client.get(action(reservation.number, "bought")).status_code == 405


def test_search_by_number_or_phone_as_the_customer_says_it(client, shops, mi01_staff):  # noqa: F811
    mine = reserve(shops, phone="+393331234567")
    other = reserve(shops, email="marco@example.com", phone="+393479876543")
    services.mark_declined(reservation=other)
    by_number = client.get("/dashboard/MI01/reservations/", {"q": mine.number[3:8].lower()})
    assert [r.number for r in by_number.context["matches"]] == [mine.number]
    by_phone = client.get("/dashboard/MI01/reservations/", {"q": "347 987 6543"})
    assert [r.number for r in by_phone.context["matches"]] == [other.number]  # closed ones are found too
    none = client.get("/dashboard/MI01/reservations/", {"q": "RS-NOPE"})
    assert none.context["matches"] == [] and "No reservation matches" in none.content.decode()


def test_the_list_reads_in_a_fixed_number_of_queries(client, shops, mi01_staff):  # noqa: F811
    reserve(shops)
    services.mark_declined(reservation=reserve(shops, email="first@example.com"))
    with CaptureQueriesContext(connection) as two:
        client.get("/dashboard/MI01/reservations/")
    for i in range(6):
        reservation = reserve(shops, [("TEE-M", 1)] if i < 4 else [("SCARF", 1)], email=f"c{i}@example.com")
        if i % 2:
            services.mark_declined(reservation=reservation)
    with CaptureQueriesContext(connection) as eight:
        client.get("/dashboard/MI01/reservations/")
    assert len(eight) == len(two)


def test_kpis_on_the_store_home_and_in_admin(client, shops, mi01_staff, admin_client):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        bought, declined, no_show, waiting = (reserve(shops, email=f"c{i}@example.com") for i in range(4))
    with time_machine.travel(MONDAY_MORNING + timedelta(hours=3), tick=False):
        services.mark_purchased(reservation=bought)
    with time_machine.travel(MONDAY_MORNING + timedelta(hours=5), tick=False):
        services.mark_declined(reservation=declined)
    Reservation.objects.filter(pk=waiting.pk).update(expires_at=MONDAY_MORNING + timedelta(days=30))
    with time_machine.travel(MONDAY_MORNING + timedelta(hours=49), tick=False):
        services.expire_reservations()
        home = client.get("/dashboard/MI01/").content.decode()
        changelist = admin_client.get("/admin/orders/reservation/").content.decode()
    # Closed 3: bought 1 (33%), no show 1 (33%); coming in took 3 h and 5 h: 4 h on average.
    assert 'data-kpi="conversion">33%<' in home and 'data-kpi="no-show">33%<' in home
    assert 'data-kpi="show-up">4 h 0 min<' in home and 'data-kpi="total">4<' in home
    assert "Network: 4 reservations, 33% bought, 33% no show." in home
    assert 'data-store="MI01"' in changelist and "33%" in changelist and "4 h 0 min" in changelist


def test_a_store_without_click_and_reserve_has_no_reservations_menu_or_panel(client, shops):  # noqa: F811
    user = UserFactory(username="vr01.associate")
    StoreMembershipFactory(user=user, location=shops["VR01"])
    client.force_login(user)
    home = client.get("/dashboard/VR01/").content.decode()
    assert 'data-menu="orders"' in home
    assert 'data-menu="reservations"' not in home and 'data-panel="reservations"' not in home


def test_a_no_show_page_reads_as_an_outcome_in_the_pages_language(client, shops, mi01_staff):  # noqa: F811
    reservation = reserve(shops)
    with time_machine.travel(reservation.expires_at + timedelta(minutes=5), tick=False):
        assert services.expire_reservations() == 1
    client.cookies["django_language"] = "it"
    page = client.get(f"/dashboard/MI01/reservations/{reservation.number}/", HTTP_ACCEPT_LANGUAGE="it")
    html = page.content.decode()
    assert "Il cliente è venuto" not in html and "Esito" in html
    assert "no show" not in html.lower().replace("no show:", "")


def test_a_reservation_bought_in_part_says_what_was_bought_and_what_went_back(client, shops, mi01_staff):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2)])
    line = reservation.lines.get()
    services.mark_purchased(reservation=reservation, bought={line.pk: 1})
    html = client.get("/dashboard/MI01/reservations/").content.decode()
    row = html[html.index(f'data-reservation="{reservation.number}"') :]
    assert "1 bought, 1 back on sale" in row[: row.index("</tr>")]
