"""The stock ledger partitioned by month (PostgreSQL): existing rows moved by the migration, recent reads touching
only recent partitions, months created ahead by a job, late rows finding their month, old months archived."""

import gzip
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from inventory import services
from inventory.models import StockMovement
from omnichannel import partitions
from tests.inventory.factories import SKUFactory
from tests.stores.factories import LocationFactory

pytestmark = pytest.mark.django_db
LEDGER = StockMovement._meta.db_table


def _months_ago(n: int) -> date:
    today = timezone.now().date().replace(day=1)
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _mid(month: date) -> datetime:
    return datetime(month.year, month.month, 15, 12, tzinfo=UTC)


def _where(movement_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM inventory_stockmovement WHERE id = %s", [movement_id])
        return cursor.fetchone()[0]


def _movement(location, sku, at, reference="") -> StockMovement:
    return StockMovement.objects.create(
        location=location, sku=sku, delta_on_hand=1, on_hand_after=1, reason="receipt", reference=reference, at=at
    )


@pytest.fixture
def shelf():
    return LocationFactory(code="MI01"), SKUFactory(code="TEE-M")


def test_the_ledger_is_partitioned_and_a_movement_lands_in_its_month(shelf):
    location, sku = shelf
    assert partitions.is_partitioned(LEDGER)
    movement = services.receive_stock(location=location, sku=sku, quantity=3)
    assert _where(movement.pk) == partitions.partition_name(LEDGER, timezone.now().date().replace(day=1))
    # The job keeps this month and two ahead; a second run finds them all.
    partitions.ensure_months(LEDGER)
    months = {month for _name, month in partitions.monthly_partitions(LEDGER)}
    assert {_months_ago(0), _months_ago(-1), _months_ago(-2)} <= months
    assert partitions.ensure_months(LEDGER) == []


def test_a_stores_recent_movements_read_only_the_recent_partitions(shelf):
    location, sku = shelf
    for n in (1, 2, 3, 4):
        partitions.add_month(LEDGER, _months_ago(n))
        _movement(location, sku, _mid(_months_ago(n)))
    since = timezone.now() - timedelta(days=7)
    plan = StockMovement.objects.filter(location=location, at__gte=since).explain()
    this_month, old = (
        partitions.partition_name(LEDGER, _months_ago(0)),
        [partitions.partition_name(LEDGER, _months_ago(n)) for n in (2, 3, 4)],
    )
    assert this_month in plan
    assert not [name for name in old if name in plan], plan  # pruned: never opened
    # A SKU's history over its months reads those months' partitions, and finds every row.
    assert StockMovement.objects.filter(sku=sku, at__gte=_mid(_months_ago(5))).count() == 4


def test_a_late_movement_outside_every_month_moves_into_its_month_when_it_is_created(shelf):
    location, sku = shelf
    far = _months_ago(-8)  # past the months created ahead: the default partition takes it
    movement = _movement(location, sku, _mid(far))
    assert _where(movement.pk) == partitions.default_partition(LEDGER)
    assert partitions.add_month(LEDGER, far) is True
    assert _where(movement.pk) == partitions.partition_name(LEDGER, far)
    assert partitions.add_month(LEDGER, far) is False


def test_old_months_are_archived_to_files_and_dropped(shelf, tmp_path):
    location, sku = shelf
    partitions.add_month(LEDGER, _months_ago(14))
    partitions.add_month(LEDGER, _months_ago(13))
    old = _movement(location, sku, _mid(_months_ago(14)), reference="PO-OLD-1")
    recent = services.receive_stock(location=location, sku=sku, quantity=2)
    call_command("archive_months", before=f"{_months_ago(12):%Y-%m}", to=str(tmp_path), table="inventory_stockmovement")
    names = {name for name, _month in partitions.monthly_partitions(LEDGER)}
    assert (
        partitions.partition_name(LEDGER, _months_ago(14)) not in names
        and partitions.partition_name(LEDGER, _months_ago(13)) not in names
    )
    archived = gzip.open(
        tmp_path / f"{partitions.partition_name(LEDGER, old.at.date().replace(day=1))}.csv.gz", "rt"
    ).read()
    assert "PO-OLD-1" in archived and archived.startswith("id,")
    assert list(StockMovement.objects.values_list("pk", flat=True)) == [recent.pk]


def test_archive_refuses_a_month_that_is_not_one():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("archive_months", before="last spring", to="/tmp/unused")


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_rows_into_their_months_and_back():
    location, sku = LocationFactory(code="MI01"), SKUFactory(code="TEE-M")
    executor = MigrationExecutor(connection)
    executor.migrate([("inventory", "0011_till_sales_kpis")])
    assert not partitions.is_partitioned(LEDGER)
    with connection.cursor() as cursor:  # rows written before the migration, some months old
        for n in (0, 5, 20):
            cursor.execute(
                "INSERT INTO inventory_stockmovement (location_id, sku_id, delta_on_hand, on_hand_after, reason, "
                "reference, note, at) VALUES (%s, %s, 1, 1, 'receipt', %s, '', now() - %s * interval '31 days')",
                [location.pk, sku.pk, f"REF-{n}", n],
            )
        cursor.execute("SELECT id, reference FROM inventory_stockmovement ORDER BY id")
        before = cursor.fetchall()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("inventory"))
    assert partitions.is_partitioned(LEDGER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, reference, at, tableoid::regclass::text FROM inventory_stockmovement ORDER BY id")
        after = cursor.fetchall()
    assert [(pk, ref) for pk, ref, _at, _table in after] == before  # same rows, same ids
    for _pk, _ref, at, table in after:  # each in its month's partition (months are UTC)
        assert table == partitions.partition_name(LEDGER, at.astimezone(UTC).date().replace(day=1))
    new = services.receive_stock(location=location, sku=sku, quantity=1)
    assert new.pk > max(pk for pk, _ref in before)  # the id sequence continues
