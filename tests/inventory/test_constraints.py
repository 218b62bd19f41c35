import pytest
from django.db import IntegrityError, connection, transaction

from inventory.models import StockLevel
from tests.inventory.factories import StockLevelFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql",
    [
        # committing more than is on hand: the oversell itself
        "UPDATE inventory_stocklevel SET committed = committed + 1 WHERE id = %s",
        # shipping more than is on hand
        "UPDATE inventory_stocklevel SET on_hand = on_hand - 6 WHERE id = %s",
        # releasing more than is committed
        "UPDATE inventory_stocklevel SET committed = committed - 6 WHERE id = %s",
    ],
)
def test_the_database_refuses_an_oversell_even_from_raw_sql(sql):
    level = StockLevelFactory(on_hand=5, committed=5)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [level.pk])
    level.refresh_from_db()
    assert (level.on_hand, level.committed) == (5, 5)


def test_the_constraints_are_in_the_schema():
    names = {c.name for c in StockLevel._meta.constraints}
    assert {"stock_on_hand_not_negative", "stock_committed_not_negative", "stock_committed_within_on_hand"} <= names
