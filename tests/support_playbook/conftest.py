import pytest

from orders import services
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory


@pytest.fixture
def agent(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="care.agent", first_name="Chiara", last_name="Care")
    user.groups.add(Group.objects.get_or_create(name="customer_care")[0])
    return user


@pytest.fixture
def head_office(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="head.office")
    user.groups.add(Group.objects.get_or_create(name="head_office")[0])
    return user


def store_staff(net, code, username=None):  # noqa: F811
    user = UserFactory(username=username or f"{code.lower()}.associate")
    StoreMembershipFactory(user=user, location=net[code])
    return user


def short_at_source(net, lines, fulfillment, *, missing_sku, quantity=1, english=True):  # noqa: F811
    """Place an order and report `quantity` of `missing_sku` missing where its first fulfillment is picked."""
    order = place(net, lines, fulfillment)
    if english:
        order.contact_locale = "en"
        order.save(update_fields=["contact_locale"])
    first = order.fulfillments.get()
    services.start_picking(fulfillment=first)
    services.report_missing(fulfillment_line=first.lines.get(order_line__sku__code=missing_sku), quantity=quantity)
    order.refresh_from_db()
    return order, first


__all__ = ["HOME_MILAN", "agent", "head_office", "net", "place", "short_at_source", "store_staff"]
