"""Customer care's case queue and case page, and the playbook manual (issue 12, items 8 and 9): who gets in, what
they see, what a button does; pages that do not grow in queries with the number of cases."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils.html import escape

from support_playbook.models import Case, StoreTask
from support_playbook.scenarios import SCENARIOS
from tests.stores.factories import StoreMembershipFactory, UserFactory
from tests.support_playbook.conftest import HOME_MILAN, net, place, store_staff  # noqa: F401

pytestmark = pytest.mark.django_db


def jeans_missing(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    from orders import services

    services.report_missing(fulfillment_line=order.fulfillments.get().lines.get(), quantity=1)
    return order, Case.objects.get(order=order)


@pytest.fixture
def people(net, agent):  # noqa: F811
    manager = UserFactory(username="mi01.manager")
    StoreMembershipFactory(user=manager, location=net["MI01"], role="manager")
    head_office = UserFactory(username="head.office")
    head_office.groups.add(Group.objects.get_or_create(name="head_office")[0])
    return {"associate": store_staff(net, "MI01"), "manager": manager, "agent": agent, "head_office": head_office}


@pytest.mark.parametrize(
    "who,expected", [("anonymous", 302), ("associate", 403), ("manager", 403), ("agent", 200), ("head_office", 200)]
)
def test_only_customer_care_and_head_office_open_the_console(client, net, people, who, expected):  # noqa: F811
    _order, case = jeans_missing(net)
    if who != "anonymous":
        client.force_login(people[who])
    for url in ("/care/", f"/care/cases/{case.pk}/", "/care/playbook/"):
        assert client.get(url).status_code == expected, url
    acted = client.post(f"/care/cases/{case.pk}/act/", {"action": "note", "text": "hello"})
    assert acted.status_code == (302 if expected == 200 else expected)


def test_an_agent_lands_on_the_queue_and_refunds_from_the_case_page(client, net, agent):  # noqa: F811
    order, case = jeans_missing(net)
    client.force_login(agent)
    assert client.get("/dashboard/").url == "/care/"
    queue = client.get("/care/").content.decode()
    assert f'data-case="{case.pk}"' in queue and order.number in queue and 'data-desk="cases"' in queue
    page = client.get(f"/care/cases/{case.pk}/").content.decode()
    assert "Refund 89.90 EUR" in page and 'data-testid="order-timeline"' in page and "giulia@example.com" in page
    answer = client.post(
        f"/care/cases/{case.pk}/act/",
        {"action": "refund_line", "params": json.dumps({"sku": "JEANS-42", "quantity": 1})},
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    order.payment.refresh_from_db()
    assert case.status == "resolved" and order.payment.released_amount == Decimal("89.90")  # never charged
    assert case.events.get(type="refund_line").actor == agent
    # Clicking the same button again (a second tab): refused with a message, nothing refunded twice.
    again = client.post(
        f"/care/cases/{case.pk}/act/",
        {"action": "refund_line", "params": json.dumps({"sku": "JEANS-42", "quantity": 1})},
    )
    assert again.status_code == 409 and "already resolved" in again.content.decode()
    order.payment.refresh_from_db()
    assert order.payment.released_amount == Decimal("89.90")


def test_notes_taking_a_case_closing_it_and_bad_input(client, net, agent):  # noqa: F811
    _order, case = jeans_missing(net)
    client.force_login(agent)
    assert client.post(f"/care/cases/{case.pk}/act/", {"action": "note", "text": ""}).status_code == 422
    assert client.post(f"/care/cases/{case.pk}/act/", {"action": "refund_line", "params": "{oops"}).status_code == 422
    client.post(f"/care/cases/{case.pk}/act/", {"action": "note", "text": "Called, no answer"})
    client.post(f"/care/cases/{case.pk}/act/", {"action": "assign"})
    client.post(f"/care/cases/{case.pk}/act/", {"action": "close", "reason": "customer will reorder"})
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("closed", agent)
    assert list(case.events.order_by("id").values_list("type", flat=True)) == ["opened", "note", "assigned", "closed"]
    assert client.get("/care/cases/999999/").status_code == 404
    assert client.post("/care/cases/999999/act/", {"action": "note", "text": "x"}).status_code == 404


def test_the_queue_filters_and_puts_overdue_first(client, net, agent):  # noqa: F811
    from django.utils import timezone

    _o1, first = jeans_missing(net)
    _o2, second = jeans_missing(net)
    Case.objects.filter(pk=second.pk).update(due_by=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(agent)
    page = client.get("/care/").content.decode()
    assert page.index(f'data-case="{second.pk}"') < page.index(f'data-case="{first.pk}"')
    assert 'data-testid="overdue"' in page
    other = client.get("/care/", {"scenario": "reservation_no_show"}).content.decode()
    assert 'data-testid="no-cases"' in other
    assert client.get("/care/", {"scenario": "nope", "status": "nope"}).status_code == 200


def test_queue_and_case_page_queries_do_not_grow_with_cases(client, net, agent, django_assert_max_num_queries):  # noqa: F811
    from inventory import services as stock

    stock.receive_stock(location=net["WH01"], sku=net["skus"]["JEANS-42"], quantity=20)
    _order, case = jeans_missing(net)
    client.force_login(agent)
    client.get("/care/")  # warm the per-process caches (network snapshot, session)
    with django_assert_max_num_queries(12) as one_case:
        client.get("/care/")
    for _ in range(8):
        jeans_missing(net)
    with django_assert_max_num_queries(len(one_case)):
        assert client.get("/care/").content.decode().count("data-case=") == 9
    with django_assert_max_num_queries(30):
        assert client.get(f"/care/cases/{case.pk}/").status_code == 200


def test_the_manual_is_generated_from_the_registry_in_both_languages(client, net, people):  # noqa: F811
    client.force_login(people["associate"])
    page = client.get("/dashboard/MI01/tasks/playbook/").content.decode()
    for code, scenario in SCENARIOS.items():
        assert f'id="{code}"' in page and escape(str(scenario.title)) in page
        for step in scenario.steps:
            assert escape(str(step.text)) in page
    client.post("/i18n/setlang/", {"language": "it", "next": "/"})
    italian = client.get("/dashboard/MI01/tasks/playbook/").content.decode()
    assert "Ordine incompleto, consegna a domicilio" in italian
    assert "Il playbook" in italian or "playbook" in italian


def test_a_store_sees_only_its_own_tasks(client, net):  # noqa: F811
    jeans_missing(net)  # a recount task at WH01
    task = StoreTask.objects.get()
    client.force_login(store_staff(net, "MI01"))
    assert client.get("/dashboard/WH01/tasks/").status_code == 404
    assert client.post(f"/dashboard/MI01/tasks/{task.pk}/done/", {f"done-{task.pk}-counted": "3"}).status_code == 404
    assert str(task.pk) not in client.get("/dashboard/MI01/tasks/").content.decode().split("<main>")[1]


def test_order_and_reservation_numbers_on_care_pages_are_links(client, net, agent):  # noqa: F811
    # An agent follows a number to the order (or the customer's reservation) in one click (issue 25, item 21).
    order, case = jeans_missing(net)
    client.force_login(agent)
    link = f'href="/care/orders/{order.number}/"'
    assert link in client.get("/care/").content.decode()
    assert link in client.get(f"/care/cases/{case.pk}/").content.decode()
    customer = client.get(f"/care/customers/{order.customer_id}/").content.decode()
    assert link in customer  # its messages name the order


def test_a_no_show_cases_reservation_links_to_the_customers_reservation(client, net, agent):  # noqa: F811
    import time_machine
    from django.utils import timezone

    from orders import services as orders

    net["MI01"].capabilities = [*net["MI01"].capabilities, "click_and_reserve"]
    net["MI01"].save()
    reservation = orders.reserve_items(
        channel=net["web"],
        customer={"email": "giulia@example.com", "locale": "en"},
        location="MI01",
        lines=[{"sku": "TEE-M", "quantity": 1}],
    )
    with time_machine.travel(reservation.expires_at + timezone.timedelta(minutes=1)):
        orders.expire_reservations()
    case = Case.objects.get(scenario="reservation_no_show")
    client.force_login(agent)
    target = f'href="/care/customers/{reservation.customer_id}/#reservation-{reservation.number}"'
    assert target in client.get(f"/care/cases/{case.pk}/").content.decode()
    assert target in client.get("/care/").content.decode()
    customer = client.get(f"/care/customers/{reservation.customer_id}/").content.decode()
    assert f'id="reservation-{reservation.number}"' in customer
