"""The KPI rollup (support_playbook/services/kpi_rollup.py): whole days rewritten from the raw rows, only the days
that changed after the first run, the same rows however often it runs."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from orders import services
from support_playbook import kpis
from support_playbook.models import KpiDay, KpiDuration, KpiRefresh
from support_playbook.services import kpi_rollup
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.orders.returns_helpers import rnet  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")
MONDAY = kpis.Period(start=date(2027, 3, 8), end=date(2027, 3, 9))


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=ROME), tick=False)


def rows() -> list[tuple]:
    columns = ("day", "location_id", "channel_id", "method", "orders", "parcels", "captured")
    return sorted(KpiDay.objects.values_list(*columns), key=str)


def test_a_later_change_rewrites_the_day_the_order_was_placed_and_only_that(net):  # noqa: F811
    with at(2027, 3, 8, 9, 0):
        monday = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    with at(2027, 3, 10, 9, 0):
        place(net, [("JEANS-42", 1, "89.90")], HOME_MILAN)
    with at(2027, 3, 10, 12, 0):
        first = kpi_rollup.refresh_kpis()
    assert first.days == 3  # Monday to Wednesday
    assert {f.key: f for f in kpis.order_figures(MONDAY)}["net_sales"].value == 0  # not charged yet
    with at(2027, 3, 11, 15, 0):  # Thursday: Monday's parcel leaves, and is charged
        parcel = monday.fulfillments.get()
        services.ship_fulfillment(
            fulfillment=services.mark_packed(fulfillment=services.start_picking(fulfillment=parcel)),
            carrier="BRT",
            tracking_number="BRT1",
        )
        second = kpi_rollup.refresh_kpis()
    assert second.days == 2  # Monday (its order changed) and today
    got = {f.key: f for f in kpis.all_figures(MONDAY)}
    assert str(got["net_sales"].value) == "19.90"
    assert got["time_to_ship_median"].numerator == 1
    assert got["shipped_on_time"].numerator == 1
    assert KpiRefresh.objects.count() == 2 and kpis.as_of() == second.started_at


def test_twice_over_gives_the_same_rows(net):  # noqa: F811
    with at(2027, 3, 8, 9, 0):
        place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        place(net, [("SCARF", 1, "25.00")], {"method": "store_pickup", "pickup_location": "MI02"})
    kpi_rollup.refresh_kpis(full=True)
    before, durations = rows(), KpiDuration.objects.count()
    kpi_rollup.refresh_kpis(full=True)
    assert rows() == before and KpiDuration.objects.count() == durations
    # The network's rows count each order once; each location's its own.
    network = KpiDay.objects.filter(location__isnull=True, day=date(2027, 3, 8))
    assert sum(network.values_list("orders", flat=True)) == 2


def test_a_quantile_reads_its_buckets_within_5_percent():
    exact = [timedelta(minutes=m) for m in (5, 42, 90, 180, 600, 1440, 2000, 4000)]
    histogram: dict[int, int] = {}
    for value in exact:
        bucket = kpi_rollup.bucket_of(value.total_seconds())
        histogram[bucket] = histogram.get(bucket, 0) + 1
    assert kpis.quantile({}, 0.5) is None
    for value in exact:  # one value: its own bucket's middle
        assert abs(kpis.quantile({kpi_rollup.bucket_of(value.total_seconds()): 1}, 0.5) - value) <= value * 0.05
    median = kpis.quantile(histogram, 0.5)  # between 180 and 600 minutes, as percentile_cont interpolates
    assert abs(median - timedelta(minutes=390)) <= timedelta(minutes=390) * 0.05


def test_returns_by_reason_and_size_with_the_share_brought_to_a_store(rnet):  # noqa: F811
    from orders.models import Return
    from tests.orders.returns_helpers import delivered, line, received

    with at(2027, 3, 8, 9, 0):
        tee = delivered(rnet, [("TEE-M", 1, "29.90")])
        jeans = delivered(rnet, [("JEANS-42", 1, "85.00")], email="marco@example.com")
    with at(2027, 3, 10, 11, 0):  # the tee brought to MI02 (refunded on the spot), the jeans sent by courier
        in_store = services.request_return(how=Return.How.IN_STORE, location=rnet["MI02"], lines=[line(tee, "TEE-M")])
        services.receive_return(
            return_request=in_store, location=rnet["MI02"], lines=[received(tee, "TEE-M", 1, restock_here=1)]
        )
        services.request_return(how=Return.How.CARRIER, lines=[line(jeans, "JEANS-42", reason="too_big")], label="R1")
    week = kpis.Period(start=date(2027, 3, 8), end=date(2027, 3, 15))
    got = kpis.returns_summary(week)
    assert got["units"] == 2
    assert (got["in_store"].numerator, got["in_store"].denominator, got["in_store"].value) == (1, 2, Decimal("0.5"))
    assert got["refunded"] == Decimal("29.90")  # the jeans are on their way: nothing refunded yet
    sizes = {code: rnet["skus"][code].size for code in ("TEE-M", "JEANS-42")}
    by_reason = {row["label"]: dict(row["by_size"]) for row in got["reasons"]}
    assert by_reason["Too small"][sizes["TEE-M"]] == 1 and by_reason["Too big"][sizes["JEANS-42"]] == 1
    assert sum(p["units"] for p in got["products"]) == 2
    mi02 = kpis.returns_summary(week, location=rnet["MI02"])  # a store's: the returns it receives
    assert mi02["units"] == 1 and mi02["refunded"] == Decimal("29.90")
    assert kpis.returns_summary(kpis.Period(start=date(2027, 3, 1), end=date(2027, 3, 8)))["units"] == 0
