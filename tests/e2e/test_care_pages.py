"""Customer care's pages as an agent uses them on a call (issue 25, item 21), in Italian on a desk and a phone: a
phone order of several items found by name, colour and size, with their prices; a case taken once; a lost parcel
sent again from the warehouse; a no-show left to care until care decides its message; head office's pending
refund approvals. Screenshots in var/screenshots/ (care_*.png)."""

import re
from decimal import Decimal
from functools import partial

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from orders import services
from support_playbook.models import Case, StoreTask
from support_playbook.services import console
from support_playbook.services import tasks as task_services
from tests.e2e.conftest import SIZES
from tests.e2e.helpers import reads_italian, screenshot
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import no_show_at_mi01, place, shipped
from tests.stores.factories import SalesChannelFactory, StoreMembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


shot = partial(screenshot, prefix="care")


def person(username, group):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def phone_channel(net):  # noqa: F811
    channel = SalesChannelFactory(code="call_center", kind="call_center", name="Assistenza clienti al telefono")
    channel.source_locations.set(net["web"].source_locations.all())
    tee = net["skus"]["TEE-M"]
    tee.product.name = "Maglione girocollo"
    tee.product.save(update_fields=["name"])
    tee.colour = "Grigio melange"
    tee.save(update_fields=["colour"])
    for code, price in (("TEE-M", "79.90"), ("SCARF", "45.00")):
        ChannelListingFactory(sku=net["skus"][code], channel=channel, price=Decimal(price))
    return channel


@pytest.mark.parametrize("size", SIZES)
def test_a_phone_order_of_two_items_found_by_what_the_customer_says(live_server, logged_in, net, phone_channel, size):  # noqa: F811
    customer = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN).customer
    person("care.agent", "customer_care")
    page = logged_in("care.agent", size, locale="it-IT")
    page.goto(f"{live_server.url}/care/customers/{customer.pk}/order/")
    page.locator("#sku-search").fill("maglione grigio M")
    page.get_by_role("button", name="Trova disponibilità").click()
    row = page.get_by_test_id("availability").locator('tr[data-sku="TEE-M"]')
    expect(row.get_by_test_id("price")).to_have_text("79,90 EUR")
    row.get_by_role("button", name="Aggiungi").click()
    page.locator("#sku-search").fill("SCARF")
    page.get_by_role("button", name="Trova disponibilità").click()
    page.get_by_test_id("availability").locator('tr[data-sku="SCARF"]').get_by_role("button", name="Aggiungi").click()
    expect(page.get_by_test_id("basket").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("basket-total")).to_have_text("124,90 EUR")
    reads_italian(page)
    shot(page, "phone_order", size)
    page.get_by_label("Come").select_option("store_pickup")
    page.get_by_label("Negozio (ritiro o prenotazione)").fill("MI01")
    page.get_by_label("Riferimento del link di pagamento").fill("plink_9")
    page.get_by_role("button", name="Effettua per il cliente").click()
    expect(page).to_have_url(re.compile(r"/care/orders/BR-"))
    order = customer.orders.get(channel=phone_channel)
    expect(page.locator("main h1")).to_contain_text(order.number)
    assert sorted(order.lines.values_list("sku__code", flat=True)) == ["SCARF", "TEE-M"]


@pytest.mark.parametrize("size", SIZES)
def test_a_lost_parcel_case_taken_once_and_sent_again_from_the_warehouse(live_server, logged_in, net, size):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    parcel = shipped(order)
    services.report_parcel_not_received(fulfillment=parcel)
    case = Case.objects.get(scenario="parcel_not_received")
    person("care.agent", "customer_care")
    page = logged_in("care.agent", size, locale="it-IT")
    page.goto(f"{live_server.url}/care/cases/{case.pk}/")
    page.get_by_role("button", name="Prendi in carico questo caso").click()
    expect(page.get_by_role("button", name="Prendi in carico questo caso")).to_have_count(0)  # taken: not offered again
    page.get_by_test_id("suggestions").locator('li:has([data-action="declare_lost"])').first.get_by_role(
        "button", name="Esegui"
    ).click()
    resend = page.get_by_test_id("suggestions").locator('li:has([data-action="resource_line"])')
    expect(resend).to_have_count(1)
    expect(resend).to_contain_text("WH01")  # the warehouse sent it and has more: it may send it again
    reads_italian(page)
    shot(page, "lost_parcel", size)


@pytest.mark.parametrize("size", SIZES)
def test_a_no_show_waits_for_cares_message_after_the_put_back(live_server, logged_in, net, size):  # noqa: F811
    no_show_at_mi01(net)
    store = UserFactory(username="mi01.associate")
    StoreMembershipFactory(user=store, location=net["MI01"])
    task_services.complete_task(task=StoreTask.objects.get(kind="put_back"), actor=store)
    case = Case.objects.get(scenario="reservation_no_show")
    person("care.agent", "customer_care")
    page = logged_in("care.agent", size, locale="it-IT")
    page.goto(f"{live_server.url}/care/cases/{case.pk}/")
    expect(page.get_by_test_id("case-status")).to_have_text("Aperto")  # the items are back; the message is care's
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("messaggio di cortesia")
    reads_italian(page)
    shot(page, "no_show", size)
    suggestions.locator('li:has([data-action="send_courtesy_message"])').get_by_role("button", name="Esegui").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Risolto")


@pytest.mark.parametrize("size", SIZES)
def test_head_office_sees_refunds_waiting_for_approval_on_the_network_view(live_server, logged_in, net, settings, size):  # noqa: F811
    settings.CARE_REFUND_LIMIT = 10
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    shipped(order)
    agent = person("care.agent", "customer_care")
    console.refund(order=order, amount="25.00", reason="consegna in ritardo", kind="goodwill", actor=agent)
    person("head.office", "head_office")
    page = logged_in("head.office", size, locale="it-IT")
    page.goto(f"{live_server.url}/care/network/")
    box = page.get_by_test_id("refunds-pending")
    expect(box).to_contain_text("1 richiesta")
    expect(box).to_contain_text("25,00 EUR")
    reads_italian(page)
    shot(page, "network_refunds", size)
    box.get_by_role("link").click()
    expect(page.locator(f'tr:has-text("{order.number}")')).to_be_visible()
