"""An agent's refunds sent at once still hold the limit per order and per day (issue 24, item 3)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from orders import services
from orders.models import Payment, RefundRequest
from tests.concurrency.conftest import run_in_threads
from tests.stores.factories import UserFactory
from tests.support_playbook.conftest import HOME_MILAN, net, place  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def care_agent():
    user = UserFactory(username="care.agent")
    user.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    return user


def paid(net, lines):  # noqa: F811
    order = place(net, lines, HOME_MILAN)
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number=f"BRT-{parcel.pk}")
    return order


def test_parallel_refunds_on_one_order_never_pay_past_the_limit(net, care_agent):  # noqa: F811
    order = paid(net, [("JEANS-42", 2, "99.00")])
    answers = run_in_threads(
        lambda i: services.refund_order(order=order, amount="30.00", reason="x", kind="goodwill", actor=care_agent),
        8,
    )
    assert all(isinstance(a, RefundRequest) for a in answers), answers
    assert sorted(a.status for a in answers) == ["pending"] * 5 + ["refunded"] * 3
    assert Payment.objects.get(order=order).refunded_amount == Decimal("90.00")


def test_parallel_refunds_across_orders_never_pay_past_the_agents_day(net, care_agent, settings):  # noqa: F811
    settings.CARE_REFUND_DAILY_LIMIT = 100
    orders = [paid(net, [("TEE-M", 1, "19.90")]) for _ in range(6)]
    answers = run_in_threads(
        lambda i: services.refund_order(order=orders[i], amount="19.90", reason="x", kind="refund", actor=care_agent),
        6,
    )
    assert sorted(a.status for a in answers) == ["pending"] + ["refunded"] * 5  # 5 × 19.90 = 99.50 ≤ 100
    assert sum(Payment.objects.filter(order__in=orders).values_list("refunded_amount", flat=True)) == Decimal("99.50")
