from django.db.models import F, Sum

from inventory.models import StockHold, StockLevel, StockMovement


def assert_ledger_agrees():
    """Every stock row equals its ledger: on_hand = Σ movements, committed = Σ open units of active holds."""
    moved = {
        (row["location_id"], row["sku_id"]): row["total"]
        for row in StockMovement.objects.values("location_id", "sku_id").annotate(total=Sum("delta_on_hand"))
    }
    held = {
        row["stock_level_id"]: row["open"]
        for row in StockHold.objects.filter(status=StockHold.Status.ACTIVE)
        .values("stock_level_id")
        .annotate(open=Sum(F("quantity") - F("released_quantity") - F("consumed_quantity")))
    }
    for level in StockLevel.objects.all():
        assert level.on_hand == moved.get((level.location_id, level.sku_id), 0), level
        assert level.committed == held.get(level.id, 0), level
