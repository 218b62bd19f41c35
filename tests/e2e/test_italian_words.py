"""What Italian staff read (issue 25, items 16 and 18): names instead of codes, whose API key acted, and amounts,
distances and counts in one Italian format, on a desk and a phone. Screenshots in var/screenshots/ (words_*.png)."""

from decimal import Decimal
from functools import partial
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from inventory import services as stock
from orders import services
from orders.models import Return
from stores.services import create_api_key
from support_playbook.models import Case
from tests.e2e.conftest import SIZES
from tests.e2e.helpers import reads_italian, screenshot
from tests.inventory.factories import SKUFactory
from tests.orders.conftest import HOME_MILAN, net, payload  # noqa: F401  (fixture)
from tests.orders.returns_helpers import delivered, line, rnet  # noqa: F401  (fixtures)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


shot = partial(screenshot, prefix="words")


def care_agent():
    agent = UserFactory(username="care.agent")
    agent.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    return agent


@pytest.mark.parametrize("size", SIZES)
def test_care_reads_a_substitute_case_in_names_not_codes(live_server, logged_in, net, settings, size):  # noqa: F811
    settings.LANGUAGE_CODE = "it"
    net["web"].name = "Negozio online Brunello"
    net["web"].save(update_fields=["name"])
    jeans = net["skus"]["JEANS-42"]
    jeans.colour, jeans.size = "Blu", "42"
    jeans.save()
    bigger = SKUFactory(code="JEANS-44", product=jeans.product, colour="Blu", size="44")
    stock.receive_stock(location=net["MI02"], sku=bigger, quantity=1)
    net["web"].source_locations.add(net["MI02"])
    key, _raw = create_api_key(channel=net["web"])
    data = payload([("JEANS-42", 1, "89.90")], HOME_MILAN)
    order = services.place_order(
        channel=net["web"],
        customer={**data["customer"], "locale": "it", "marketing_consent": True},
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
        actor=SimpleNamespace(api_key_id=key.pk),  # as the web shop's request placed it
    )
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.report_missing(fulfillment_line=parcel.lines.get(), quantity=1)
    case = Case.objects.get(order=order)
    care_agent()

    care = logged_in("care.agent", size, locale="it-IT")
    care.goto(f"{live_server.url}/care/cases/{case.pk}/")
    suggestions = care.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("1 disponibile")  # one unit: singular
    reads_italian(care)
    shot(care, "case_open", size)
    suggestions.locator("li", has_text="Proponi").get_by_role("button", name="Esegui").click()
    accept = care.get_by_test_id("suggestions").locator("li", has_text="Il cliente ha accettato")
    expect(accept).to_contain_text(f"{jeans.product.name} (Blu, 44)")  # the item's name, not JEANS-44
    accept.get_by_role("button", name="Esegui").click()
    expect(care.get_by_test_id("case-done")).to_have_text(
        "Questo caso è concluso (soluzione: Inviare il sostituto accettato)."
    )
    expect(care.get_by_role("button", name="Prendi in carico questo caso")).to_have_count(0)  # over: nothing to take
    reads_italian(care)
    shot(care, "case_resolved", size)

    care.goto(f"{live_server.url}/care/orders/{order.number}/")
    expect(care.get_by_test_id("timeline")).to_contain_text("Negozio online Brunello (API)")  # who placed it
    reads_italian(care)
    shot(care, "console_order", size)
    care.goto(f"{live_server.url}/care/customers/{order.customer_id}/")
    expect(care.locator("main")).to_contain_text("tramite Negozio online Brunello")  # where consent was given
    reads_italian(care)
    shot(care, "customer", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_returns_desk_shows_italian_amounts(live_server, logged_in, rnet, settings, size):  # noqa: F811
    settings.LANGUAGE_CODE = "it"
    order = delivered(rnet, [("TEE-M", 2, "69.90")], shipping="4.90")
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 2, reason="too_big")]
    )
    StoreMembershipFactory(user=UserFactory(username="mi01.associate"), location=rnet["MI01"])
    store = logged_in("mi01.associate", size, locale="it-IT")
    store.goto(f"{live_server.url}/dashboard/MI01/returns/{return_request.number}/")
    expect(store.locator("main")).to_contain_text("139,80 EUR")  # the items
    expect(store.locator("main")).to_contain_text("4,90 EUR")  # the shipping, back with a whole return
    expect(store.get_by_test_id("refund-preview")).to_have_text("144,70 EUR")
    reads_italian(store)
    shot(store, "desk_preview", size)
    fields = store.locator('fieldset[data-sku="TEE-M"]')
    fields.locator("input").first.fill("2")
    store.get_by_test_id("confirm").check()
    store.get_by_role("button", name="Ricevi e rimborsa").click()
    assert Return.objects.get(pk=return_request.pk).refunded_amount == Decimal("144.70")
    expect(store.locator(".messages")).to_contain_text("rimborsati 144,70 EUR")
    reads_italian(store)
    shot(store, "desk_received", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_emails_a_customer_reads(browser, net, settings, size):  # noqa: F811
    """Item 19: the emails of a home delivery's missing item and of a pickup, rendered as a mail client does."""
    from notifications.models import Notification
    from tests.orders.helpers import place

    settings.LANGUAGE_CODE, settings.AUTO_RECOVER_SHORT_LINES = "it", False
    net["MI01"].opening_hours = {day: [["10:00", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    net["MI01"].save(update_fields=["opening_hours"])
    home = place(net, [("JEANS-42", 1, "89.90"), ("TEE-M", 1, "19.90")], HOME_MILAN)
    parcel = home.fulfillments.get(lines__order_line__sku__code="JEANS-42")
    services.start_picking(fulfillment=parcel)
    services.report_missing(fulfillment_line=parcel.lines.get(order_line__sku__code="JEANS-42"), quantity=1)
    pickup = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    services.start_picking(fulfillment=pickup.fulfillments.get())
    services.mark_ready_for_pickup(fulfillment=pickup.fulfillments.get())

    width, height = SIZES[size]
    context = browser.new_context(locale="it-IT", viewport={"width": width, "height": height})
    page = context.new_page()
    missing = Notification.objects.get(order=home, event="item_missing", channel="email")
    page.set_content(missing.body_html)
    body = page.locator("body")
    expect(body).to_contain_text("nel nostro magazzino")
    expect(body).to_contain_text("finché non viene spedito")
    expect(body).not_to_contain_text("http")  # the link is the button, not words in the headline
    expect(body).not_to_contain_text("Negozio:")  # a home delivery: no store to visit
    assert page.locator("li").all_inner_texts() == [f"1 × {net['skus']['JEANS-42'].product.name} (Nero, M)"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits a phone
    shot(page, "email_missing", size)
    ready = Notification.objects.get(order=pickup, event="ready_for_pickup", channel="email")
    page.set_content(ready.body_html)
    expect(page.locator("body")).to_contain_text("19:30")  # the deadline is when the store closes
    expect(page.locator("[data-hours]")).to_be_visible()
    shot(page, "email_ready", size)
    context.close()
