"""Pages under the Content-Security-Policy, in Chromium: the API docs (Swagger UI from the sidecar package,
started by a script file, not an inline one) and the dashboard's store switch work, with no CSP violation; a
login locks after five wrong passwords."""

import re

import pytest
from playwright.sync_api import expect

from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def csp_violations(page) -> list[str]:
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    return found


def test_the_api_docs_render_under_the_csp(live_server, page):
    violations = csp_violations(page)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Omnichannel OMS API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/availability/").first).to_be_visible()
    assert violations == []


def test_the_store_switch_works_under_the_csp(live_server, page, db):
    mi01 = LocationFactory(code="MI01", name="Brunello Milano")
    LocationFactory(code="RM01", name="Brunello Roma")
    manager = UserFactory(username="area.manager")
    StoreMembershipFactory(user=manager, location=mi01, role="manager")
    StoreMembershipFactory(user=manager, location=LocationFactory(code="TO01", name="Brunello Torino"))
    violations = csp_violations(page)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("area.manager")
    page.get_by_label("Password").fill("secret-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/dashboard/MI01/")
    page.get_by_label("Switch store").select_option(label="TO01 · Brunello Torino")
    expect(page).to_have_url(f"{live_server.url}/dashboard/TO01/")
    expect(page.get_by_test_id("current-store")).to_have_text("Brunello Torino")
    assert violations == []


def test_a_login_locks_after_five_wrong_passwords(live_server, page, db):
    UserFactory(username="mi01.associate")
    page.goto(f"{live_server.url}/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("mi01.associate")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        if page.locator("[data-locked-out]").count():
            break
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("mi01.associate")
    page.get_by_label("Password").fill("secret-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-locked-out]")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/dashboard/"))
