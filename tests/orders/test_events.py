"""The order timeline's event types are one enumeration (issue 26, item 3): services write its members, a type
it does not name is refused before anything is stored, and staff read its labels."""

import pytest

from orders.events import OrderEventType
from orders.models import OrderEvent
from orders.templatetags.orders_tags import event_label
from orders.timeline import record_event
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def test_an_event_type_outside_the_enumeration_is_refused_and_nothing_is_written(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    before = OrderEvent.objects.count()
    with pytest.raises(ValueError):
        record_event(order=order, type="order_teleported")
    assert OrderEvent.objects.count() == before
    assert order.events.get().type == OrderEventType.ORDER_PLACED == "order_placed"  # stored as today's string


def test_staff_read_the_enumerations_labels():
    assert event_label(OrderEventType.PAYMENT_RELEASED) == "Payment hold released (never charged)"
    assert all(event_label(member) != member.value for member in OrderEventType)


def test_reservation_and_return_events_are_enumerations_too(net):  # noqa: F811
    from orders.events import ReservationEventType, ReturnEventType
    from orders.models import ReservationEvent
    from orders.reservations.events import record_reservation_event
    from tests.orders.helpers import reserved_at_mi01

    reservation = reserved_at_mi01(net)
    with pytest.raises(ValueError):
        record_reservation_event(reservation=reservation, type="teleported")
    assert list(ReservationEvent.objects.filter(reservation=reservation).values_list("type", flat=True)) == [
        ReservationEventType.HELD
    ]
    assert ReturnEventType("received_with_problems").label == "Received with units missing or damaged"
