"""A damaged returned unit is refunded only when someone decides (issue 24, item 4): through the courier, a locker
or the warehouse its refund waits for the return's case (refund, half, refuse), whose default after its window is
the full refund; at a store's desk the associate decides on the spot. Restockable units are refunded at receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification
from orders import services
from orders.models import Payment, Return
from stores.services import create_api_key
from support_playbook.models import Case
from support_playbook.services import cases
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.returns_helpers import delivered, line, received, rnet  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def refunded(order):
    return Payment.objects.get(order=order).refunded_amount


def courier_return_received_damaged(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(
        how=Return.How.CARRIER, lines=[line(order, "TEE-M", 2, reason="damaged")], label="BRT-R9"
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["WH01"],
        lines=[received(order, "TEE-M", 2, restock_here=1, write_off=1)],
    )
    return order, return_request


def act(case, action, agent):
    chosen = next(s for s in cases.suggestions_for(case) if s.action == action)
    return cases.act_on_case(case=case, action=chosen.action, params=chosen.params, actor=agent)


def test_a_courier_return_refunds_the_good_unit_and_waits_for_care_on_the_damaged_one(rnet, agent):  # noqa: F811
    order, return_request = courier_return_received_damaged(rnet)
    return_request.refresh_from_db()
    fee = return_request.fee  # a courier return's fee comes off the first refund
    assert fee > 0 and return_request.refunded_amount == refunded(order) == Decimal("20.00") - fee
    assert return_request.lines.get().refund_waiting == 1
    case = Case.objects.get(scenario="return_problem", return_request=return_request)
    assert case.default_at is not None
    actions = [s.action for s in cases.suggestions_for(case)]
    assert actions == ["refund_damaged_units", "refund_damaged_units_partly", "refuse_damaged_refund"]
    act(case, "refund_damaged_units_partly", agent)
    case.refresh_from_db()
    return_request.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert refunded(order) == return_request.refunded_amount == Decimal("30.00") - fee  # and half of 20.00
    assert return_request.lines.get().refund_waiting == 0
    told = Notification.objects.filter(return_request=return_request, event="return_refunded", channel="sms")
    assert told.count() == 2  # at receipt, then for the damaged unit


def test_care_may_refuse_and_the_customer_is_told(rnet, agent):  # noqa: F811
    order, return_request = courier_return_received_damaged(rnet)
    act(Case.objects.get(return_request=return_request), "refuse_damaged_refund", agent)
    assert refunded(order) == Decimal("20.00") - return_request.fee
    sms = Notification.objects.get(return_request=return_request, event="return_damage_not_refunded", channel="sms")
    assert return_request.number in sms.body_text
    with pytest.raises(Exception, match="No damaged unit"):
        services.decide_damaged_return_units(return_request=return_request, decision="refund")


def test_nobody_deciding_means_the_full_refund_after_the_window(rnet, settings):  # noqa: F811
    order, return_request = courier_return_received_damaged(rnet)
    assert cases.run_case_defaults() == 0  # not yet
    with time_machine.travel(timezone.now() + settings.CASE_DEFAULT_AFTER + timedelta(minutes=1)):
        assert cases.run_case_defaults() == 1
    assert refunded(order) == Decimal("40.00") - return_request.fee
    case = Case.objects.get(return_request=return_request)
    assert case.status == Case.Status.RESOLVED and case.resolution == "refund_damaged_units"


def test_a_return_with_units_missing_only_has_no_default_time(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M", 2)])
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    assert Case.objects.get(return_request=return_request).default_at is None  # a person decides about those


def test_at_the_store_desk_the_associate_lets_care_decide(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", reason="damaged")]
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["MI01"],
        lines=[received(order, "TEE-M", 1, quarantine=1)],
        damaged_refund="care",
    )
    assert refunded(order) == 0 and return_request.lines.get().refund_waiting == 1
    assert [s.action for s in cases.suggestions_for(Case.objects.get(return_request=return_request))][0] == (
        "refund_damaged_units"
    )


def test_the_api_asks_a_store_to_decide_and_refuses_now_at_the_warehouse(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    in_store = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", reason="damaged")]
    )
    _row, key = create_api_key(kind="location", location=rnet["MI01"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {"lines": [received(order, "TEE-M", 1, write_off=1)]}
    undecided = api.post(f"/api/v1/returns/{in_store.number}/receive/", body, format="json")
    assert undecided.status_code == 400, undecided.content
    assert undecided.json()["error"]["details"]["allowed"] == ["now", "care"]
    assert Return.objects.get(pk=in_store.pk).status == Return.Status.REQUESTED  # nothing half-written
    now = api.post(f"/api/v1/returns/{in_store.number}/receive/", {**body, "damaged_refund": "now"}, format="json")
    assert now.status_code == 200 and refunded(order) == Decimal("20.00")
    courier = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M", reason="damaged")])
    with pytest.raises(Exception, match="Only a store"):
        services.receive_return(
            return_request=courier,
            location=rnet["WH01"],
            lines=[received(order, "TEE-M", 1, write_off=1)],
            damaged_refund="now",
        )
