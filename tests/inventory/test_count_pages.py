"""The store's count pages: start a count, upload a CSV of what was counted, see the differences; only the
manager (or head office) approves those beyond tolerance."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory import services as stock
from inventory.models import CountSession, StockLevel
from tests.inventory.factories import ChannelListingFactory, SKUFactory
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(db):
    mi01 = LocationFactory(code="MI01")
    for code, quantity in (("TEE-M", 5), ("SCARF", 2)):
        sku = SKUFactory(code=code)
        ChannelListingFactory(sku=sku, price=Decimal("29.90"))
        stock.receive_stock(location=mi01, sku=sku, quantity=quantity)
    return mi01


def staff(client, store, role):
    user = UserFactory(username=f"mi01.{role}")
    StoreMembershipFactory(user=user, location=store, role=role)
    client.force_login(user)
    return user


def csv(text):
    return SimpleUploadedFile("count.csv", text.encode(), content_type="text/csv")


def start_and_upload(client, text):
    response = client.post("/dashboard/MI01/stock/counts/start/", {"skus": ""})
    assert response.status_code == 302
    session = CountSession.objects.get()
    return session, client.post(f"/dashboard/MI01/stock/counts/{session.pk}/upload/", {"file": csv(text)})


def test_an_associate_uploads_a_count_and_cannot_approve_what_waits(client, store):
    staff(client, store, "associate")
    session, response = start_and_upload(client, "sku,quantity\nTEE-M,9\nSCARF,1\n")
    assert response.status_code == 302
    page = client.get(f"/dashboard/MI01/stock/counts/{session.pk}/").content.decode()
    assert 'data-sku="TEE-M" data-status="awaiting_approval"' in page  # +4 beyond 2 units
    assert 'data-sku="SCARF" data-status="applied"' in page  # -1 within tolerance
    assert 'data-testid="awaits-manager"' in page
    item = session.items.get(sku__code="TEE-M")
    refused = client.post(f"/dashboard/MI01/stock/counts/{session.pk}/approve/", {"reason": "found", "item": item.pk})
    assert refused.status_code == 403
    assert StockLevel.objects.get(location=store, sku__code="TEE-M").on_hand == 5
    assert StockLevel.objects.get(location=store, sku__code="SCARF").on_hand == 1


def test_the_manager_approves_and_the_stock_becomes_the_count(client, store):
    staff(client, store, "manager")
    session, _response = start_and_upload(client, "sku,quantity\nTEE-M,9\nSCARF,2\n")
    item = session.items.get(sku__code="TEE-M")
    response = client.post(f"/dashboard/MI01/stock/counts/{session.pk}/approve/", {"reason": "found", "item": item.pk})
    assert response.status_code == 302
    assert StockLevel.objects.get(location=store, sku__code="TEE-M").on_hand == 9
    listing = client.get("/dashboard/MI01/stock/counts/").content.decode()
    assert "Stock accuracy" in listing and 'data-count="' in listing


@pytest.mark.parametrize(
    "text, error",
    [
        ("sku,quantity\nNOPE,1\n", "unknown SKU"),
        ("sku,quantity\nTEE-M,-1\n", "line 2"),
        ("name\nx\n", "columns"),
        ("sku,quantity\n", "counts nothing"),
    ],
)
def test_a_bad_file_is_a_form_error_and_writes_nothing(client, store, text, error):
    staff(client, store, "manager")
    session, response = start_and_upload(client, text)
    assert response.status_code == 422 and error in response.content.decode()
    session.refresh_from_db()
    assert session.status == "open" and not session.items.exists()


def test_another_stores_count_is_a_404(client, store):
    staff(client, store, "manager")
    other = LocationFactory(code="RM01")
    session = CountSession.objects.create(location=other, code="X", source="csv")
    assert client.get(f"/dashboard/MI01/stock/counts/{session.pk}/").status_code == 404
    assert client.get(f"/dashboard/RM01/stock/counts/{session.pk}/").status_code == 404


def test_head_office_reads_every_stores_counts_in_the_admin(client, store, admin_client):
    staff(client, store, "associate")
    session, _response = start_and_upload(client, "sku,quantity\nTEE-M,5\nSCARF,1\n")
    listing = admin_client.get("/admin/inventory/countsession/").content.decode()
    assert session.code in listing and "50%" in listing
    assert admin_client.get(f"/admin/inventory/countsession/{session.pk}/change/").status_code == 200
