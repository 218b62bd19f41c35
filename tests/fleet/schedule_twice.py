"""`python -m tests.fleet.schedule_twice` (fleet settings): two django-q2 schedulers claim a due schedule at the same
moment, each on its own database connection, onto a queue no cluster reads; prints how many tasks were enqueued."""

import os
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnichannel.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_q.brokers import get_broker  # noqa: E402
from django_q.models import Schedule  # noqa: E402
from django_q.scheduler import scheduler  # noqa: E402

from omnichannel.jobs import ensure_schedules  # noqa: E402

ensure_schedules()
now = timezone.now()
Schedule.objects.update(next_run=now + timezone.timedelta(hours=1))
Schedule.objects.filter(name="sweep_outbox").update(next_run=now - timezone.timedelta(seconds=1))
broker = get_broker("fleet-schedule-test")
broker.delete_queue()
start = threading.Barrier(2)


def claim() -> None:
    start.wait()
    scheduler(broker=get_broker("fleet-schedule-test"))
    connection.close()


threads = [threading.Thread(target=claim) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
moved = Schedule.objects.get(name="sweep_outbox").next_run > now
print(f"enqueued {broker.queue_size()}, next run {'moved' if moved else 'not moved'}")
broker.delete_queue()
