"""Reads of store tasks and cases."""

from datetime import timedelta

from django.db.models import BooleanField, Count, Prefetch, Value, When
from django.db.models import Case as Switch
from django.utils import timezone

from omnichannel.errors import NotFound
from orders.models import OrderEvent
from support_playbook.models import Case, CaseEvent, StoreTask


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


# ------------------------------------------------------------------------------------------------- cases

OPEN_STATUSES = ("open", "waiting_store", "waiting_customer")


def case_queue(*, scenario: str = "", status: str = "", store: str = "", order: str = "", now=None):
    """Cases for customer care: open and waiting ones by default, overdue first, then by priority and due time.
    A constant number of queries whatever the number of cases (the related rows are joined)."""

    now = now or timezone.now()
    cases = Case.objects.select_related(
        "order", "reservation", "return_request", "location", "customer", "assignee", "sku"
    )
    cases = cases.filter(status=status) if status else cases.filter(status__in=OPEN_STATUSES)
    if scenario:
        cases = cases.filter(scenario=scenario)
    if store:
        cases = cases.filter(location__code=store)
    if order:
        cases = cases.filter(order__number=order)
    overdue = Switch(When(due_by__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField())
    return cases.annotate(overdue=overdue).order_by("-overdue", "-priority", "due_by", "id")


def case_detail(*, case_id: int):
    case = (
        Case.objects.select_related(
            "order__customer",
            "order__pickup_location",
            "reservation",
            "return_request__channel",
            "fulfillment",
            "location",
            "customer",
            "sku",
            "assignee",
        )
        .prefetch_related(
            Prefetch(
                "events", queryset=CaseEvent.objects.select_related(*CaseEvent.ACTOR_RELATIONS).order_by("at", "id")
            ),
            Prefetch("tasks", queryset=StoreTask.objects.select_related("location").order_by("created_at")),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("No such case.")
    case.order_events = (  # type: ignore[attr-defined]  # shown on the case page, not stored
        list(
            OrderEvent.objects.filter(order_id=case.order_id)
            .select_related(*OrderEvent.ACTOR_RELATIONS)
            .order_by("at", "id")
        )
        if case.order_id
        else []
    )
    return case


def case_counts_by_scenario() -> dict:
    rows = Case.objects.filter(status__in=OPEN_STATUSES).values("scenario").annotate(n=Count("id"))
    return {row["scenario"]: row["n"] for row in rows}
