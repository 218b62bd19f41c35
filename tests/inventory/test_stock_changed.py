"""Every path that writes a stock row says so, in its transaction, with the rows it wrote
(`inventory.signals.stock_changed`): the one place where the channels' change log hooks in."""

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import CountSession, StockLevel
from inventory.signals import stock_changed
from tests.inventory.factories import SKUFactory
from tests.stores.factories import LocationFactory, StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, level_ids, **kwargs):
        calls.append(set(level_ids))

    stock_changed.connect(receiver, dispatch_uid="test-stock-changed")
    yield calls
    stock_changed.disconnect(dispatch_uid="test-stock-changed")


def test_every_stock_path_names_the_rows_it_wrote(heard):
    store, tee, scarf = LocationFactory(code="MI01"), SKUFactory(code="TEE"), SKUFactory(code="SCARF")

    def row(sku):
        return StockLevel.objects.get(location=store, sku=sku).pk

    def after(action):
        heard.clear()
        action()
        return set().union(*heard)

    assert after(
        lambda: services.receive_units(location=store, lines=[(tee.pk, 5), (scarf.pk, 5)], reason="receipt")
    ) == {
        row(tee),
        row(scarf),
    }
    hold = None

    def take():
        nonlocal hold
        (hold,) = services.hold_stock(lines=[(store, tee, 2)], kind="allocation", reference="order:1")

    assert after(take) == {row(tee)}
    assert after(lambda: services.release_hold(hold=hold, quantity=1)) == {row(tee)}
    assert after(lambda: services.consume_hold(hold=hold)) == {row(tee)}
    (short,) = services.hold_stock(lines=[(store, scarf, 1)], kind="allocation", reference="order:2")
    assert after(lambda: services.record_short_pick(hold=short, quantity=1)) == {row(scarf)}
    assert after(lambda: services.adjust_stock(location=store, sku=tee, delta=1, note="found")) == {row(tee)}
    assert after(lambda: services.set_counted_stock(location=store, sku=scarf, counted=7)) == {row(scarf)}
    assert after(lambda: services.set_safety_stock(location=store, sku=tee, safety_stock=1)) == {row(tee)}
    assert after(
        lambda: services.apply_counts(lines=[services.CountLine(2, store.pk, tee.pk, 9)], reference="import")
    ) == {row(tee)}
    rows = services.lock_stock_rows(pairs=[(store.pk, tee.pk)])
    move = services.TillMove(sku_id=tee.pk, quantity=1, at=timezone.now(), reference="pos:T1/1")
    assert after(lambda: services.book_till_moves(location_id=store.pk, moves=[move], rows=rows)) == {row(tee)}
    manager = UserFactory()
    StoreMembershipFactory(user=manager, location=store, role="manager")
    assert after(
        lambda: services.record_count(location=store, code="C-1", quantities=[("SCARF", 6)], final=True, actor=manager)
    ) == {row(scarf)}  # 7 -> 6: within tolerance, applied
    assert (
        after(lambda: services.record_count(location=store, code="C-2", quantities=[("SCARF", 60)], final=True))
        == set()
    )  # beyond tolerance: nothing written until approved ...
    assert after(
        lambda: services.approve_count_discrepancies(session=CountSession.objects.get(code="C-2"), actor=manager)
    ) == {row(scarf)}
