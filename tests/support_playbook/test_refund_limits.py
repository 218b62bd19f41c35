"""The refund limit holds per fact, not per request (issue 24, item 3): what was refunded and what waits on an
order count together, and per agent per day; head office still refunds directly; a request is never decided by
the person who asked for it, whoever they are."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from orders import services
from orders.models import Payment, RefundRequest
from stores.roles import NotAllowed
from tests.stores.factories import UserFactory
from tests.support_playbook.conftest import HOME_MILAN, net, place  # noqa: F401

pytestmark = pytest.mark.django_db


def paid(net, lines):  # noqa: F811
    order = place(net, lines, HOME_MILAN)
    for parcel in order.fulfillments.all():
        services.start_picking(fulfillment=parcel)
        services.mark_packed(fulfillment=parcel)
        services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number=f"BRT-{parcel.pk}")
    return order


def refunded(order):
    return Payment.objects.get(order=order).refunded_amount


def give(order, amount, actor, kind="refund"):
    return services.refund_order(order=order, amount=amount, reason="trouble", kind=kind, actor=actor)


def test_a_refund_split_around_the_limit_waits_for_head_office(net, agent, head_office):  # noqa: F811
    order = paid(net, [("JEANS-42", 2, "99.00")])  # 198.00, captured
    assert give(order, "150.00", agent).status == "pending"  # above 100: head office decides (as before)
    # 100 + 98 goodwill: each alone is within 100, but with the 150 waiting the order is well past it.
    assert give(order, "100.00", agent).status == "pending"
    assert give(order, "98.00", agent, kind="goodwill").status == "pending"
    assert refunded(order) == 0
    # What was paid counts too: on a fresh order, 60 paid at once, then 50 more waits.
    other = paid(net, [("TEE-M", 8, "19.90")])
    assert give(other, "60.00", agent).status == "refunded"
    assert give(other, "50.00", agent).status == "pending"
    assert refunded(other) == Decimal("60.00")
    waiting = RefundRequest.objects.get(order=other, status="pending")
    assert order.events.filter(type="refund_requested").last().data["limit"] == "order"
    # Head office refunds directly, whatever the amount; and decides the agent's requests.
    assert give(order, "30.00", head_office).status == "refunded"
    services.decide_refund(request=waiting, approve=True, actor=head_office)
    assert refunded(other) == Decimal("110.00")


def test_the_agents_day_counts_across_orders(net, agent, settings):  # noqa: F811
    settings.CARE_REFUND_DAILY_LIMIT = 150
    first, second = paid(net, [("TEE-M", 5, "19.90")]), paid(net, [("TEE-M", 5, "19.90")])
    assert give(first, "90.00", agent).status == "refunded"
    request = give(second, "70.00", agent)
    assert request.status == "pending" and refunded(second) == 0
    assert second.events.get(type="refund_requested").data["limit"] == "agent_day"


def test_nobody_decides_their_own_request(net, agent):  # noqa: F811
    # A supervisor who may approve asks on behalf of a customer through an agent's account... and a second
    # approver who asked for a request themself cannot approve it either: the service refuses.
    order = paid(net, [("JEANS-42", 2, "99.00")])
    request = give(order, "150.00", agent)
    approver = UserFactory(username="approver")
    approver.groups.add(Group.objects.get_or_create(name="head_office")[0])
    RefundRequest.objects.filter(pk=request.pk).update(requested_by=approver)
    with pytest.raises(NotAllowed):
        services.decide_refund(request=request, approve=True, actor=approver)
    assert RefundRequest.objects.get(pk=request.pk).status == "pending" and refunded(order) == 0
