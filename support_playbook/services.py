"""Writes for store tasks: opened by events (a short pick asks for a recount), closed by the location's staff."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import SKU, StockLevel
from omnichannel.errors import InvalidInput, InvalidTransition
from stores.actors import actor_fields
from stores.models import Location
from support_playbook.models import StoreTask, StoreTaskEvent

T = StoreTask.Status
# Allowed moves: {from: {to, …}}; done and could-not-be-done are final.
TASK_TRANSITIONS = {T.OPEN: {T.DONE, T.CANNOT_DO}}


def record_task_event(*, task: StoreTask, type: str, data=None, actor=None) -> StoreTaskEvent:
    return StoreTaskEvent.objects.create(task=task, type=type, data=data or {}, **actor_fields(actor))


@transaction.atomic
def open_recount(*, location: Location, sku: SKU, reason: str, order=None, actor=None) -> StoreTask:
    """Ask the location to count an item again; an open recount of the same item is reused (a DB constraint
    keeps one), with the new reason on its timeline."""
    existing = StoreTask.objects.filter(location=location, kind=StoreTask.Kind.RECOUNT, sku=sku, status=T.OPEN).first()
    if existing is None:
        try:
            with transaction.atomic():
                task = StoreTask.objects.create(
                    location=location, kind=StoreTask.Kind.RECOUNT, sku=sku, order=order, reason=reason[:200]
                )
                record_task_event(task=task, type="opened", data={"reason": reason}, actor=actor)
                return task
        except IntegrityError:  # opened meanwhile by a concurrent report of the same item
            existing = StoreTask.objects.get(location=location, kind=StoreTask.Kind.RECOUNT, sku=sku, status=T.OPEN)
    record_task_event(task=existing, type="asked_again", data={"reason": reason}, actor=actor)
    return existing


def _close(task: StoreTask | int, *, to: str, result: dict, actor) -> StoreTask:
    task = StoreTask.objects.select_for_update().get(pk=getattr(task, "pk", task))
    allowed = TASK_TRANSITIONS.get(task.status, set())
    if to not in allowed:
        raise InvalidTransition(current=task.status, wanted=to, allowed=allowed)
    task.status, task.result, task.closed_at = to, result, timezone.now()
    task.closed_by = actor if getattr(actor, "pk", None) else None
    task.save(update_fields=["status", "result", "closed_at", "closed_by", "updated_at"])
    record_task_event(task=task, type=to, data=result, actor=actor)
    return task


@transaction.atomic
def complete_recount(*, task: StoreTask | int, counted: int, actor) -> StoreTask:
    """The associate counted the item: on-hand becomes what they found (a `count` ledger row when it differs),
    so availability is the shelf's truth again."""
    task = (
        StoreTask.objects.select_for_update(of=("self",))
        .select_related("location", "sku")
        .get(pk=getattr(task, "pk", task))
    )
    level = StockLevel.objects.filter(location=task.location, sku=task.sku).values("on_hand", "committed").first()
    before = level["on_hand"] if level else 0
    stock.set_counted_stock(
        location=task.location, sku=task.sku, counted=counted, reference=f"task:{task.pk}", actor=actor
    )
    return _close(task, to=T.DONE, result={"counted": counted, "on_hand_before": before}, actor=actor)


@transaction.atomic
def cannot_do(*, task: StoreTask | int, reason: str, actor) -> StoreTask:
    if not reason.strip():
        raise InvalidInput(_("Say why it cannot be done."), details={"reason": ""})
    return _close(task, to=T.CANNOT_DO, result={"reason": reason.strip()[:200]}, actor=actor)
