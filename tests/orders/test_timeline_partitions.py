"""The order, reservation and return timelines partitioned by month (PostgreSQL): an order's events and the
notifications that tell them work as before, recent reads open recent partitions only, and the migration moves
existing events (ids kept, so notifications still find theirs) and back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import Notification
from omnichannel import partitions
from orders.models import OrderEvent
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.factories import PlacedOrderFactory

pytestmark = pytest.mark.django_db
TIMELINES = ("orders_orderevent", "orders_reservationevent", "orders_returnevent")


def _months_ago(n: int) -> date:
    return partitions.month_start(timezone.now().date(), -n)


def test_the_timelines_are_partitioned_and_an_order_tells_its_events(net):  # noqa: F811
    assert all(partitions.is_partitioned(table) for table in TIMELINES)
    order = PlacedOrderFactory(net=net)
    placed = order.events.get(type="order_placed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM orders_orderevent WHERE id = %s", [placed.pk])
        assert cursor.fetchone()[0] == partitions.partition_name("orders_orderevent", _months_ago(0))
    # The confirmation points at its event by id (no database key) and is rendered from it.
    message = Notification.objects.filter(order=order, channel="email").first()
    assert message.order_event_id == placed.pk and message.order_event == placed


def test_recent_events_read_only_recent_partitions(net):  # noqa: F811
    for n in (2, 3, 4):
        partitions.add_month("orders_orderevent", _months_ago(n))
    plan = OrderEvent.objects.filter(at__gte=timezone.now() - timedelta(days=7)).explain()
    assert partitions.partition_name("orders_orderevent", _months_ago(0)) in plan
    assert not [n for n in (2, 3, 4) if partitions.partition_name("orders_orderevent", _months_ago(n)) in plan], plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_events_and_notifications_still_find_them(net):  # noqa: F811
    order = PlacedOrderFactory(net=net)
    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0027_reservation_line_price")])
    assert not partitions.is_partitioned("orders_orderevent")
    old = datetime.combine(_months_ago(7), datetime.min.time(), tzinfo=UTC) + timedelta(days=9)
    with connection.cursor() as cursor:  # an event written months before the migration
        cursor.execute(
            "INSERT INTO orders_orderevent (type, data, at, order_id) VALUES ('note', '{}', %s, %s) RETURNING id",
            [old, order.pk],
        )
        (old_id,) = cursor.fetchone()
        cursor.execute("SELECT id FROM orders_orderevent ORDER BY id")
        before = [row[0] for row in cursor.fetchall()]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert all(partitions.is_partitioned(table) for table in TIMELINES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM orders_orderevent ORDER BY id")
        after = cursor.fetchall()
    assert [pk for pk, _table in after] == before
    assert dict(after)[old_id] == partitions.partition_name("orders_orderevent", _months_ago(7))
    message = Notification.objects.filter(order=order, channel="email").first()
    assert message.order_event.order_id == order.pk  # found again by its id
