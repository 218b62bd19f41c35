"""Two KPI rollups at once (the scheduled job overlapping a manual run) write the same rows as one: the advisory
lock makes the second wait, then rewrite the same days."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine

from support_playbook.models import KpiDay
from support_playbook.services import kpi_rollup
from tests.concurrency.conftest import run_in_threads
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_refreshes_at_once_leave_one_set_of_rows(net):  # noqa: F811
    with time_machine.travel(datetime(2027, 3, 8, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Rome")), tick=False):
        for _ in range(3):
            place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    results = run_in_threads(lambda i: kpi_rollup.refresh_kpis(full=True), 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    network = KpiDay.objects.filter(location__isnull=True)
    assert sum(network.values_list("orders", flat=True)) == 3
    kpi_rollup.refresh_kpis(full=True)
    assert sum(network.values_list("orders", flat=True)) == 3
