import io

import pytest
from django.contrib import admin
from django.core.management import call_command

from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_head_office_can_open_every_admin_page(client):
    call_command("seed_demo", stdout=io.StringIO())
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    for model in admin.site._registry:
        meta = model._meta
        changelist = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "MI01"}).status_code == 200, changelist
        first = model.objects.order_by("pk").first()
        if first is not None:
            assert client.get(f"{changelist}{first.pk}/change/").status_code == 200, changelist


def test_orders_and_reservations_read_as_words_not_json(client, settings):
    from orders.models import Order, Reservation

    settings.LANGUAGE_CODE = "it"
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    order = Order.objects.filter(method="home_delivery").exclude(number__startswith="BR-H-").first()  # not history
    page = client.get(f"/admin/orders/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert '{"name"' not in page and "&quot;line1&quot;" not in page  # no raw JSON address
    assert order.shipping_address["line1"] in page and "Decisione" in page  # the sourcing as a table
    assert "&quot;explanation&quot;" not in page and "Created at" not in page and "Creato il" in page
    kpis = client.get("/admin/orders/reservation/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert kpis.index('data-testid="reservation-kpis"') < kpis.index('id="changelist"')  # above, not under the filters
    orders_list = client.get("/admin/orders/order/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Canale di vendita" in orders_list and "Per canale di vendita" in orders_list  # not CHANNEL, Per channel
    reservation = Reservation.objects.filter(status="expired").exclude(number__startswith="PR-H-").first()
    page = client.get(f"/admin/orders/reservation/{reservation.pk}/change/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Non presentato" in page


def test_the_task_workers_admin_speaks_italian_too(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Failed tasks" not in index and "Attività non riuscite" in index
