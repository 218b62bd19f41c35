"""Releasing an authorization is not a refund (issue 24, item 2): money never captured is `released_amount`, money
captured and given back is `refunded_amount` (never above what was captured, a CHECK says so), and the pages, the
timeline and the customer's message say which. Every path that gives money back."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F

from notifications.models import Notification
from orders import services
from orders.models import Payment, Return
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.returns_helpers import delivered, line, place, received, rnet  # noqa: F401  (fixture)
from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


def money(order):
    payment = Payment.objects.get(order=order)
    return payment.captured_amount, payment.refunded_amount, payment.released_amount


def message(order, event, channel="email"):
    return Notification.objects.get(order=order, event=event, channel=channel)


@pytest.fixture
def agent(db):
    user = UserFactory(username="care.agent")
    user.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    return user


def test_a_unit_cancelled_before_anything_was_charged_is_released_not_refunded(net, client, agent):  # noqa: F811
    order = place(net, [("JEANS-42", 2, "79.90")])  # paid by link: authorized, nothing captured yet
    services.cancel_order(order=order, lines={"JEANS-42": 1}, reason="customer asked")
    assert money(order) == (0, 0, Decimal("79.90"))
    email = message(order, "lines_cancelled")
    assert "never charged" in email.body_text and "Refund" not in email.body_text
    assert "- 1 × " in email.body_text and "- 2 × " not in email.body_text  # what is left, not both units
    assert "never charged" in message(order, "lines_cancelled", "sms").body_text
    timeline = list(order.events.values_list("type", flat=True))
    assert "payment_released" in timeline and "payment_refunded" not in timeline
    client.force_login(agent)
    page = client.get(f"/care/orders/{order.number}/?lang=en").content.decode()
    assert 'data-testid="refunded">0.00<' in page and 'data-testid="released">79.90<' in page
    # Nothing was paid: customer care cannot refund or credit anything on it.
    with pytest.raises(Exception) as refused:
        services.refund_order(order=order, amount="10.00", reason="sorry", kind="goodwill", actor=agent)
    assert "more than what was paid" in str(refused.value)


def test_a_short_pick_refunded_before_capture_is_a_release(net, client):  # noqa: F811
    order = place(net, [("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI02"})
    services.report_missing(fulfillment_line=order.fulfillments.get().lines.get(), quantity=1)
    services.refund_missing_units(order=order, sku="SCARF", quantity=1)
    assert money(order) == (0, 0, Decimal("45.00"))
    sms = message(order, "item_refunded", "sms").body_text
    assert "never charged" in sms and "we refunded" not in sms.lower()
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert 'data-testid="missing-released"' in page and "refunded 45.00" not in page


def test_money_captured_comes_back_as_a_refund(rnet, agent):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "29.90")])
    assert money(order) == (Decimal("59.80"), 0, 0)
    services.refund_order(order=order, amount="10.00", reason="late", kind="refund", actor=agent)
    services.refund_order(order=order, amount="5.00", reason="sorry", kind="goodwill", actor=agent)
    assert money(order) == (Decimal("59.80"), Decimal("15.00"), 0)
    return_request = services.request_return(
        how=Return.How.IN_STORE, location=rnet["MI02"], lines=[line(order, "TEE-M")]
    )
    services.receive_return(
        return_request=return_request, location=rnet["MI02"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    assert money(order) == (Decimal("59.80"), Decimal("44.90"), 0)
    assert "credited 5.00 EUR" in message(order, "goodwill_credit").body_text


def test_a_shipped_order_with_one_unit_cancelled_releases_only_what_was_never_charged(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90"), ("TEE-M", 1, "19.90")], shipping="5.00")
    services.cancel_order(order=order, lines={"TEE-M": 1})
    assert money(order) == (0, 0, Decimal("19.90"))
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)
    services.mark_packed(fulfillment=parcel)
    services.ship_fulfillment(fulfillment=parcel, carrier="BRT", tracking_number="BRT-M1")
    assert money(order) == (Decimal("94.90"), 0, Decimal("19.90"))  # the jeans and the shipping, charged


def test_the_database_refuses_a_refund_above_what_was_captured(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(order=order).update(refunded_amount=F("captured_amount") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(order=order).update(released_amount=F("authorized_amount") + 1)
