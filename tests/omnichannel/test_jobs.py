import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.models import Schedule

from omnichannel.jobs import ensure_schedules
from orders import services
from tests.orders.conftest import net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def test_every_job_has_a_schedule():
    ensure_schedules()
    ensure_schedules()  # idempotent
    schedule = Schedule.objects.get(name="expire_uncollected_pickups")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "orders.tasks.expire_uncollected_pickups",
        Schedule.MINUTES,
        15,
    )


def test_run_job_by_hand(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    out = io.StringIO()
    with time_machine.travel(fulfillment.pickup_deadline + timezone.timedelta(minutes=1)):
        call_command("run_job", "expire_uncollected_pickups", stdout=out)
    assert out.getvalue().strip() == "expire_uncollected_pickups: 1"
    fulfillment.refresh_from_db()
    assert fulfillment.status == "not_collected"
    with pytest.raises(CommandError, match="Unknown job 'nope'"):
        call_command("run_job", "nope")
