"""Scheduled jobs: one registry (settings.SCHEDULED_JOBS) for the django-q2 schedules and `manage.py run_job`."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from omnichannel.shared_cache import CACHE_UNREACHABLE

logger = logging.getLogger(__name__)


def enqueue(func: str, *args) -> None:
    """Hand a task to the broker. A Redis broker that does not answer loses nothing: the task's rows are committed
    in PostgreSQL (an outbox message, a webhook delivery) and the job's sweep takes them within a minute; the
    request that caused them still answers."""
    from django_q.tasks import async_task

    try:
        async_task(func, *args)
    except CACHE_UNREACHABLE as error:
        logger.warning("task broker unreachable, %s%r left to its sweep: %s", func, args, error)


def job_function(name: str):
    try:
        return import_string(settings.SCHEDULED_JOBS[name]["func"])
    except KeyError:
        raise KeyError(f"Unknown job '{name}'. Jobs: {', '.join(sorted(settings.SCHEDULED_JOBS))}") from None


def ensure_schedules(**_signal_kwargs) -> None:
    """Create or update one django-q2 Schedule per registered job (run after `migrate`)."""
    from django_q.models import Schedule

    for name, job in settings.SCHEDULED_JOBS.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": job["func"],
                "schedule_type": Schedule.MINUTES,
                "minutes": job["every_minutes"],
                "repeats": -1,
            },
        )


def for_each_due(due, act) -> int:
    """Run `act(row)` for each row of the queryset `due`, each in its own transaction on a row locked with
    SKIP LOCKED and re-read through `due`'s filter: two runs of a job at once never act on the same row, and a
    row that stopped being due meanwhile (closed by a person) is left alone. Returns how many were acted on."""
    done = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = due.select_for_update(no_key=True, skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue  # another run has it, or it is no longer due
            act(row)
            done += 1
    return done


def for_each_claimed(due, *, claim: dict, act) -> int:
    """Run `act(pk)` once per row of the queryset `due`, each in its own transaction after claiming the row
    with one conditional UPDATE (`claim`, e.g. `{"reminded_at": now}`) that re-checks `due`'s filter, which
    must leave claimed rows out. Two runs at once act on each row once: the second UPDATE finds nothing.
    Returns how many were acted on."""
    done = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not due.filter(pk=pk).update(**claim):
                continue  # another run claimed it, or it is no longer due
            act(pk)
            done += 1
    return done
