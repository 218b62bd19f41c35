"""Reads of store tasks."""

from datetime import timedelta

from django.utils import timezone

from omnichannel.errors import NotFound
from support_playbook.models import StoreTask


def open_task_count(*, location) -> int:
    return StoreTask.objects.filter(location=location, status=StoreTask.Status.OPEN).count()


def store_tasks(*, location, closed_days: int = 7) -> dict:
    """The location's open tasks (oldest first) and those closed in the last `closed_days`."""
    base = StoreTask.objects.filter(location=location).select_related("sku__product", "order", "closed_by")
    since = timezone.now() - timedelta(days=closed_days)
    return {
        "open_tasks": list(base.filter(status=StoreTask.Status.OPEN).order_by("created_at", "id")),
        "closed_tasks": list(
            base.exclude(status=StoreTask.Status.OPEN).filter(closed_at__gte=since).order_by("-closed_at")
        ),
    }


def store_task(*, location, task_id: int) -> StoreTask:
    task = StoreTask.objects.filter(location=location, pk=task_id).first()
    if task is None:
        raise NotFound("No such task in this store.")
    return task
