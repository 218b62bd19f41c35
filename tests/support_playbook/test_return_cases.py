"""Returns that need a person: a parcel with a unit missing or damaged, and a return that never arrived, from the
event to the case's resolution (DESIGN.md sections 9 and 11)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders import services
from orders.models import Return
from support_playbook.models import Case
from support_playbook.services import cases
from tests.orders.helpers import money
from tests.orders.returns_helpers import delivered, line, received, rnet  # noqa: F401  (fixture)
from tests.support_playbook.conftest import agent  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_a_unit_missing_from_the_parcel_opens_a_case_and_care_refunds_it(rnet, agent):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M", 2)], label="BRT-R1")
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    case = Case.objects.get(scenario="return_problem")
    assert case.return_request == return_request and case.customer == order.customer
    suggestions = cases.suggestions_for(case)
    refund = suggestions[0]
    assert refund.action == "refund_missing_return_units"
    assert "Refund 20.00 EUR for 1 ×" in refund.label
    cases.act_on_case(case=case, action=refund.action, params=refund.params, actor=agent)
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    fee = Decimal(return_request.fee)
    assert money(order)[2] == Decimal("40.00") - fee  # 20 at receipt (less the fee) + 20 by care


def test_a_damaged_unit_opens_a_case_that_care_closes_as_received(rnet, agent):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", reason="damaged")]
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["MI01"],
        lines=[received(order, "TEE-M", 1, write_off=1)],
        damaged_refund="now",
    )
    case = Case.objects.get(scenario="return_problem")
    assert case.facts["damaged"] == [
        {"order": order.number, "sku": "TEE-M", "units": 1, "reason": "damaged", "refund_waiting": 0}
    ]
    (close,) = cases.suggestions_for(case)
    assert close.action == "accept_return_as_received"
    cases.act_on_case(case=case, action=close.action, params=close.params, actor=agent)
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


def test_an_overdue_return_opens_a_case_care_reminds_and_the_parcel_arriving_closes_it(rnet, agent, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M")])
    services.flag_overdue_returns(now=timezone.now() + timedelta(days=settings.RETURN_DUE_DAYS + 1))
    case = Case.objects.get(scenario="return_overdue")
    actions = [s.action for s in cases.suggestions_for(case)]
    assert actions == ["remind_return", "cancel_return"]
    cases.act_on_case(case=case, action="remind_return", params={}, actor=agent)
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_CUSTOMER
    assert Notification.objects.filter(return_request=return_request, event="return_reminder").exists()
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


def test_an_overdue_return_the_customer_kept_is_cancelled_from_the_case(rnet, agent, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M")])
    services.flag_overdue_returns(now=timezone.now() + timedelta(days=settings.RETURN_DUE_DAYS + 1))
    case = Case.objects.get(scenario="return_overdue")
    cases.act_on_case(case=case, action="cancel_return", params={}, actor=agent)
    case.refresh_from_db()
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CANCELLED and case.status == Case.Status.RESOLVED
    assert order.lines.get().quantity_returned == 0


def test_the_console_finds_a_customer_by_return_number_and_shows_their_returns(client, rnet, agent):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")]
    )
    client.force_login(agent)
    found = client.get("/care/customers/", {"q": return_request.number.lower()})
    assert found.status_code in (200, 302)
    page = client.get(f"/care/customers/{order.customer_id}/").content.decode()
    assert f'data-return="{return_request.number}"' in page and "In a store · MI01" in page
