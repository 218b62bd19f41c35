"""A store manager counts in the browser: starts a count, uploads the CSV, sees the differences from the books,
approves them, and the stock lookup shows the new availability."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory import services
from tests.inventory.factories import ChannelListingFactory, ProductFactory, SKUFactory
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def milan(db, tmp_path):
    mi01 = LocationFactory(code="MI01", name="Brunello Milano Corso Buenos Aires")
    product = ProductFactory(style="MAG001", name="Maglione girocollo in lana merino")
    for code, quantity in (("MAG001-GRI-M", 4), ("MAG001-GRI-L", 3)):
        sku = SKUFactory(product=product, code=code)
        ChannelListingFactory(sku=sku, price=Decimal("89.90"))
        services.receive_stock(location=mi01, sku=sku, quantity=quantity)
    StoreMembershipFactory(user=UserFactory(username="mi01.manager"), location=mi01, role="manager")
    counted = tmp_path / "count.csv"
    counted.write_text("sku,quantity\nMAG001-GRI-M,1\nMAG001-GRI-L,3\n")
    return {"MI01": mi01, "csv": counted}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_manager_uploads_a_count_sees_the_differences_and_approves_them(logged_in, live_server, milan, size):
    page = logged_in("mi01.manager", size)
    page.goto(f"{live_server.url}/dashboard/MI01/stock/counts/")
    page.get_by_role("button", name="Start the count now").click()
    page.get_by_label("Counted items").set_input_files(str(milan["csv"]))
    page.get_by_role("button", name="Upload and reconcile").click()
    expect(page.get_by_text("Count reconciled as of its start.")).to_be_visible()
    row = page.locator('tr[data-sku="MAG001-GRI-M"]')
    expect(row.locator('[data-field="expected"]')).to_have_text("4")
    expect(row.locator('[data-field="counted"]')).to_have_text("1")
    expect(row.locator('[data-field="adjustment"]')).to_have_text("-3")
    expect(row).to_have_attribute("data-status", "awaiting_approval")
    expect(page.locator('tr[data-sku="MAG001-GRI-L"]')).to_have_count(0)  # exactly as the books said
    page.get_by_label("Reason").select_option("theft")
    page.get_by_role("button", name="Approve the selected differences").click()
    expect(page.locator('tr[data-sku="MAG001-GRI-M"]')).to_have_attribute("data-status", "approved")
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"var/screenshots/count_{size}.png", full_page=True)

    page.goto(f"{live_server.url}/dashboard/MI01/stock/?q=MAG001-GRI-M")
    expect(page.locator('tr[data-sku="MAG001-GRI-M"] [data-field="available"]')).to_have_text("1")
