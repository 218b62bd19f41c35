"""Drain 10 000 pending notifications with the real django-q2 worker (console SMS backend, dummy email).

    scripts/with-postgres.sh .venv/bin/python bench/outbox.py [--messages 10000] [--workers 2]

Writes the rows, enqueues sweep tasks on the ORM broker, starts `manage.py qcluster` and times until no row
is pending or sending. Every send goes through the same claim as production. Writes
bench/results/outbox.json. Not run in CI.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ["EMAIL_URL"] = "dummymail://"  # the bench measures the outbox, not an SMTP server
os.environ["LOG_LEVEL"] = "WARNING"  # the console SMS backend logs at INFO
os.environ["Q_SYNC"] = "false"
for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
    os.environ.pop(name, None)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import ROOT, setup_django, write_result  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone
    from django_q.models import OrmQ
    from django_q.tasks import async_task

    from notifications.models import Notification

    Notification.objects.all().delete()
    OrmQ.objects.all().delete()
    past = timezone.now() - timedelta(seconds=1)
    Notification.objects.bulk_create(
        [
            Notification(
                event="shipped",
                channel="sms" if n % 2 else "email",
                recipient=f"+3933{n:08d}" if n % 2 else f"c{n}@example.com",
                locale="it",
                subject_text="Il tuo ordine è in viaggio",
                text=f"Brunello: l'ordine BR-{n:08d} è partito.",
                send_after=past,
            )
            for n in range(args.messages)
        ],
        batch_size=2000,
    )
    sweeps = args.workers  # each sweep loops until nothing is due; one per worker shares the work
    for _ in range(sweeps):
        async_task("notifications.tasks.sweep_outbox")
    env = {**os.environ, "Q_WORKERS": str(args.workers)}
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        left = args.messages
        while left and time.perf_counter() - started < 600:
            time.sleep(0.2)
            left = Notification.objects.filter(status__in=["pending", "sending"]).count()
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)
    sent = Notification.objects.filter(status="sent").count()
    write_result(
        "outbox",
        {
            "messages": args.messages,
            "sent": sent,
            "left": left,
            "seconds": round(seconds, 1),
            "messages_per_second": round(sent / seconds, 1),
            "workers": args.workers,
            "sweep_tasks": sweeps,
            "note": "includes qcluster start-up",
        },
    )


if __name__ == "__main__":
    main()
