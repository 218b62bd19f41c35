"""Scheduled jobs: one registry (settings.SCHEDULED_JOBS) for the django-q2 schedules and `manage.py run_job`."""

from django.conf import settings
from django.utils.module_loading import import_string


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
