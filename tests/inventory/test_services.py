import pytest

from inventory import services
from inventory.errors import HoldNotOpen, InsufficientStock, InvalidStockChange
from inventory.models import StockHold, StockLevel, StockMovement
from tests.inventory.factories import SKUFactory
from tests.inventory.ledger import assert_ledger_agrees
from tests.stores.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return LocationFactory(code="MI01")


@pytest.fixture
def sku():
    return SKUFactory(code="TSHIRT-BLK-M")


def level(location, sku):
    return StockLevel.objects.get(location=location, sku=sku)


def test_receive_creates_the_row_and_a_ledger_entry(store, sku):
    movement = services.receive_stock(location=store, sku=sku, quantity=5, reference="ASN-1")
    assert (movement.delta_on_hand, movement.on_hand_after, movement.reason) == (5, 5, "receipt")
    services.receive_stock(location=store, sku=sku, quantity=3)
    assert level(store, sku).on_hand == 8
    assert_ledger_agrees()


def test_receiving_several_skus_at_once_creates_missing_rows_and_one_ledger_row_each(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=2)
    new = SKUFactory(code="TSHIRT-BLK-L")
    movements = services.receive_units(
        location=store, lines=[(new.pk, 1), (sku.pk, 3), (new.pk, 1)], reason="return", reference="RT-1"
    )
    assert sorted((m.sku_id, m.delta_on_hand, m.on_hand_after) for m in movements) == sorted(
        [(sku.pk, 3, 5), (new.pk, 2, 2)]
    )
    assert (level(store, sku).on_hand, level(store, new).on_hand) == (5, 2)
    assert_ledger_agrees()
    with pytest.raises(InvalidStockChange):
        services.receive_units(location=store, lines=[(sku.pk, 0)], reason="return")
    with pytest.raises(InvalidStockChange):
        services.receive_units(location=store, lines=[(sku.pk, 1)], reason="sale")
    assert level(store, sku).on_hand == 5


@pytest.mark.parametrize("quantity", [0, -2])
def test_receive_refuses_non_positive_quantities(store, sku, quantity):
    with pytest.raises(InvalidStockChange):
        services.receive_stock(location=store, sku=sku, quantity=quantity)
    assert not StockMovement.objects.exists()


def test_adjust_needs_a_reason_and_cannot_go_below_committed(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=5)
    with pytest.raises(InvalidStockChange):
        services.adjust_stock(location=store, sku=sku, delta=-1, note="  ")
    services.hold_stock(lines=[(store, sku, 3)], kind="allocation", reference="order:1")
    with pytest.raises(InvalidStockChange) as excinfo:
        services.adjust_stock(location=store, sku=sku, delta=-3, note="damaged in the window", reason="damaged")
    assert excinfo.value.details["committed"] == 3
    movement = services.adjust_stock(location=store, sku=sku, delta=-2, note="damaged in the window", reason="damaged")
    assert (movement.reason, movement.on_hand_after, movement.note) == ("damaged", 3, "damaged in the window")
    assert (level(store, sku).on_hand, level(store, sku).committed) == (3, 3)
    assert_ledger_agrees()


def test_count_sets_on_hand_and_writes_the_difference(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=10)
    movement = services.set_counted_stock(location=store, sku=sku, counted=7, reference="RFID-2026-11")
    assert (movement.reason, movement.delta_on_hand, movement.on_hand_after) == ("count", -3, 7)
    assert services.set_counted_stock(location=store, sku=sku, counted=7) is None  # books agree: nothing written
    assert StockMovement.objects.count() == 2
    assert_ledger_agrees()


def test_hold_takes_every_line_or_none_and_reports_each_shortfall(store, sku):
    other = SKUFactory(code="JEANS-BLU-42")
    third = SKUFactory(code="SCARF-GRY")
    services.receive_stock(location=store, sku=sku, quantity=2)
    services.receive_stock(location=store, sku=other, quantity=1)
    with pytest.raises(InsufficientStock) as excinfo:
        services.hold_stock(
            lines=[(store, sku, 2), (store, other, 3), (store, third, 1)], kind="allocation", reference="order:7"
        )
    assert excinfo.value.lines == [
        {"sku": "JEANS-BLU-42", "location": "MI01", "requested": 3, "available": 1},
        {"sku": "SCARF-GRY", "location": "MI01", "requested": 1, "available": 0},
    ]
    # The line that fitted was rolled back with the others.
    assert level(store, sku).committed == 0
    assert not StockHold.objects.exists()


def test_hold_merges_repeated_lines_and_respects_safety_stock(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=5)
    services.set_safety_stock(location=store, sku=sku, safety_stock=1)
    holds = services.hold_stock(lines=[(store, sku, 2), (store.pk, sku.pk, 2)], kind="allocation", reference="o:1")
    assert [(h.quantity, h.kind) for h in holds] == [(4, "allocation")]
    with pytest.raises(InsufficientStock) as excinfo:
        services.hold_stock(lines=[(store, sku, 1)], kind="allocation", reference="o:2")
    assert excinfo.value.lines[0]["available"] == 0
    # A transfer may take the walk-in unit when the caller says so (e.g. completing a pickup in that store).
    services.hold_stock(lines=[(store, sku, 1)], kind="transfer", reference="t:1", respect_safety_stock=False)
    assert level(store, sku).committed == 5


@pytest.mark.parametrize("quantity", [0, -1, 1.5])
def test_hold_refuses_bad_quantities(store, sku, quantity):
    services.receive_stock(location=store, sku=sku, quantity=5)
    with pytest.raises(InvalidStockChange):
        services.hold_stock(lines=[(store, sku, quantity)], kind="allocation", reference="o:1")
    assert level(store, sku).committed == 0


def test_release_and_consume(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=10)
    (hold,) = services.hold_stock(lines=[(store, sku, 4)], kind="reservation", reference="R-1")
    services.release_hold(hold=hold, quantity=1)  # one line item missing
    hold = services.consume_hold(hold=hold, quantity=2, reason="pos_sale", reference="receipt-991")
    assert (level(store, sku).on_hand, level(store, sku).committed) == (8, 1)
    assert hold.status == "active" and hold.open_quantity == 1
    hold = services.consume_hold(hold=hold)
    assert hold.status == "consumed" and hold.closed_at is not None
    assert (level(store, sku).on_hand, level(store, sku).committed) == (7, 0)
    sale = StockMovement.objects.filter(reason="pos_sale").get()
    assert (sale.delta_on_hand, sale.on_hand_after, sale.reference) == (-2, 8, "receipt-991")
    with pytest.raises(HoldNotOpen):
        services.release_hold(hold=hold)
    assert_ledger_agrees()


def test_release_cannot_exceed_what_is_held(store, sku):
    services.receive_stock(location=store, sku=sku, quantity=3)
    (hold,) = services.hold_stock(lines=[(store, sku, 2)], kind="allocation", reference="o:1")
    with pytest.raises(InvalidStockChange):
        services.release_hold(hold=hold, quantity=3)
    assert level(store, sku).committed == 2


def test_ledger_rows_carry_their_actor_a_user_or_an_api_key(store, sku):
    from stores.selectors import api_client_for_key
    from stores.services import create_api_key, hash_api_key
    from tests.stores.factories import UserFactory

    row, raw_key = create_api_key(kind="location", location=store, name="WMS")
    client = api_client_for_key(hash_api_key(raw_key))
    by_key = services.receive_stock(location=store, sku=sku, quantity=5, actor=client)
    associate = UserFactory(username="mi01.associate")
    by_user = services.adjust_stock(location=store, sku=sku, delta=-1, reason="damaged", note="torn", actor=associate)
    by_key.refresh_from_db()
    by_user.refresh_from_db()
    assert (by_key.api_key_id, by_key.actor_id) == (row.pk, None)
    assert (by_user.api_key_id, by_user.actor) == (None, associate)
