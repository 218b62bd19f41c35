import re

import pytest
from playwright.sync_api import expect

from inventory import services
from tests.e2e.helpers import SCREENSHOTS
from tests.inventory.factories import ProductFactory, SKUFactory
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def milan(db):
    mi01 = LocationFactory(code="MI01", name="Brunello Milano Corso Buenos Aires", latitude=45.4786, longitude=9.2105)
    mi02 = LocationFactory(code="MI02", name="Brunello Milano Via Torino", latitude=45.4615, longitude=9.1866)
    bg01 = LocationFactory(code="BG01", name="Brunello Bergamo", latitude=45.6955, longitude=9.6675)
    product = ProductFactory(style="MAG001", name="Maglione girocollo in lana merino")
    sku = SKUFactory(product=product, code="MAG001-GRI-M", gtin="8012345000012", colour="Grigio melange", size="M")
    services.receive_stock(location=mi01, sku=sku, quantity=4)
    services.hold_stock(lines=[(mi01, sku, 1)], kind="reservation", reference="R-1")
    services.receive_stock(location=mi02, sku=sku, quantity=2)
    services.receive_stock(location=bg01, sku=sku, quantity=7)
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=mi01)
    return {"MI01": mi01, "MI02": mi02, "BG01": bg01}


def test_an_associate_looks_up_a_sku_here_and_nearby_and_cannot_open_another_store(live_server, page, milan):
    page.goto(f"{live_server.url}/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("mi01.associate")
    page.get_by_label("Password").fill("secret-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/MI01/")
    expect(page.get_by_test_id("current-store")).to_have_text("Brunello Milano Corso Buenos Aires")

    page.get_by_role("link", name="Stock lookup").first.click()
    page.get_by_placeholder("SKU, GTIN or product name").fill("MAG001-GRI-M")
    page.get_by_role("button", name="Search").click()

    row = page.locator('tr[data-sku="MAG001-GRI-M"]')
    expect(row.locator('[data-field="on_hand"]')).to_have_text("4")
    expect(row.locator('[data-field="committed"]')).to_have_text("1")
    expect(row.locator('[data-field="reserved"]')).to_have_text("1 reserved for a customer")
    expect(row.locator('[data-field="available"]')).to_have_text("3")
    expect(row.locator('li[data-location="MI02"]')).to_contain_text("2")
    expect(row.locator('li[data-location="MI02"]')).to_contain_text("km")
    expect(row.locator('li[data-location="BG01"]')).to_contain_text("7")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "stock_lookup.png"), full_page=True)

    # Italian, by the language switch in the layout.
    page.get_by_role("button", name="IT").click()
    expect(page.get_by_role("heading", name="Ricerca stock")).to_be_visible()
    expect(row.locator('[data-field="available"]')).to_have_text("3")

    response = page.goto(f"{live_server.url}/dashboard/MI02/stock/?q=MAG001-GRI-M")
    assert response.status == 404
