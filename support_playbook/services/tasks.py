"""Writes for store tasks: opened by events and cases (a short pick asks for a recount, a shelf completion, a
parcel check, putting items back), closed by the location's staff as done or not doable, feeding back at once
into the order (the shelf's unit confirmed or reported missing) and into the case the task belongs to."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import services as stock
from inventory.models import SKU
from omnichannel.errors import InvalidInput, InvalidTransition
from omnichannel.transitions import apply_transition
from orders import services as orders
from orders.models import Fulfillment
from stores.actors import actor_fields
from stores.models import Location
from support_playbook.models import StoreTask, StoreTaskEvent

T = StoreTask.Status
K = StoreTask.Kind
# Allowed moves: {from: {to, …}}; done and could-not-be-done are final.
TASK_TRANSITIONS = {T.OPEN: {T.DONE, T.CANNOT_DO}}


def staff_words(message, **params) -> str:
    """A task's reason in the stores' language (settings.LANGUAGE_CODE): it is stored, and read later on the shop
    floor, whatever language the request or job that opened it spoke (an English API client, a console command).
    `message` is a gettext_lazy / ngettext_lazy string, translated here."""
    with translation.override(settings.LANGUAGE_CODE):
        return message % params


def record_task_event(*, task: StoreTask, type: str, data=None, actor=None) -> StoreTaskEvent:
    return StoreTaskEvent.objects.create(task=task, type=type, data=data or {}, **actor_fields(actor))


def _open(*, unique: dict, fields: dict, reason: str, actor) -> StoreTask:
    """Open a task, or reuse the open one a DB constraint allows (`unique` names it): a repeated event asks
    again on its timeline instead of opening a second task."""
    existing = StoreTask.objects.filter(status=T.OPEN, **unique).first()
    if existing is None:
        try:
            with transaction.atomic():
                task = StoreTask.objects.create(**unique, **fields, reason=reason[:200])
                record_task_event(task=task, type="opened", data={"reason": reason}, actor=actor)
                return task
        except IntegrityError:  # opened meanwhile by a concurrent report of the same thing
            existing = StoreTask.objects.get(status=T.OPEN, **unique)
    record_task_event(task=existing, type="asked_again", data={"reason": reason}, actor=actor)
    if fields.get("case") is not None and existing.case_id is None:
        existing.case = fields["case"]
        existing.save(update_fields=["case", "updated_at"])
    return existing


@transaction.atomic
def open_recount(*, location: Location, sku: SKU, reason: str, order=None, case=None, actor=None) -> StoreTask:
    """Ask the location to count an item again; an open recount of the same item is reused."""
    return _open(
        unique={"location": location, "kind": K.RECOUNT, "sku": sku},
        fields={"order": order, "case": case},
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def open_shelf_completion(*, fulfillment: Fulfillment, case=None, actor=None) -> StoreTask:
    """The pickup store holds the missing unit on its own shelf: its staff take it and confirm."""
    line = fulfillment.lines.select_related("order_line__sku").order_by("pk")[0]  # the parcel's one missing item
    return _open(
        unique={"fulfillment": fulfillment, "kind": K.COMPLETE_FROM_SHELF},
        fields={
            "location": fulfillment.source_location,
            "sku": line.order_line.sku,
            "quantity": line.quantity,
            "order": fulfillment.order,
            "case": case,
        },
        reason=staff_words(
            gettext_lazy("Complete order %(number)s with %(quantity)s × %(sku)s from your shelf"),
            number=fulfillment.order.number,
            quantity=line.quantity,
            sku=line.order_line.sku.code,
        ),
        actor=actor,
    )


@transaction.atomic
def open_parcel_check(*, fulfillment: Fulfillment, case=None, actor=None) -> StoreTask:
    """A parcel for the pickup store is overdue: its staff look for it."""
    return _open(
        unique={"fulfillment": fulfillment, "kind": K.CHECK_PARCEL},
        fields={"location": fulfillment.pickup_location, "order": fulfillment.order, "case": case},
        reason=staff_words(
            gettext_lazy("Look for parcel %(tracking)s of order %(number)s (%(carrier)s): it should have arrived"),
            tracking=fulfillment.tracking_number,
            number=fulfillment.order.number,
            carrier=fulfillment.carrier,
        ),
        actor=actor,
    )


@transaction.atomic
def open_put_back(*, case, actor=None) -> StoreTask:
    """Items a customer did not collect (a pickup, a reservation) go back on the floor."""
    if case.reservation_id:
        unique = {"reservation": case.reservation, "kind": K.PUT_BACK}
        reference = staff_words(gettext_lazy("reservation %(number)s"), number=case.reservation.number)
    else:
        unique = {"fulfillment": case.fulfillment, "kind": K.PUT_BACK}
        reference = staff_words(gettext_lazy("order %(number)s"), number=case.order.number)
    return _open(
        unique=unique,
        fields={"location": case.location, "order": case.order, "case": case},
        reason=staff_words(
            gettext_lazy("Put the items of %(reference)s back on the floor: the customer did not come"),
            reference=reference,
        ),
        actor=actor,
    )


def _close(task: StoreTask | int, *, to: str, result: dict, actor) -> StoreTask:
    task = StoreTask.objects.select_for_update(no_key=True).get(pk=getattr(task, "pk", task))
    apply_transition(
        task,
        to=to,
        table=TASK_TRANSITIONS,
        changes={
            "result": result,
            "closed_at": timezone.now(),
            "closed_by": actor if getattr(actor, "pk", None) else None,
        },
        record=lambda moved: record_task_event(task=task, type=moved, data=result, actor=actor),
    )
    if task.case_id:
        from support_playbook.services.cases import task_closed

        task_closed(task=task, actor=actor)
    return task


def _locked_open(task) -> StoreTask:
    task = (
        StoreTask.objects.select_for_update(no_key=True, of=("self",))
        .select_related("location", "sku", "fulfillment", "order")
        .get(pk=getattr(task, "pk", task))
    )
    if task.status != T.OPEN:
        raise InvalidTransition(current=task.status, wanted=T.DONE, allowed=TASK_TRANSITIONS.get(task.status, set()))
    return task


@transaction.atomic
def complete_recount(*, task: StoreTask | int, counted: int, actor) -> StoreTask:
    """The associate counted the item: a count of that item that starts and ends now, through the same tolerance
    as every count. Within it on-hand becomes what they found at once; beyond it the difference waits for the
    store manager's approval (a typo of 100000 is never sellable by itself); far beyond it a stock-discrepancy
    case opens too."""
    task = _locked_open(task)
    task = _close(task, to=T.DONE, result={"counted": counted}, actor=actor)
    if task.sku is None:
        raise ValueError(f"recount task {task.pk} names no item")
    item = stock.count_one_sku(
        location=task.location, sku=task.sku, counted=counted, code=f"task-{task.pk}", actor=actor
    )
    task.result = {
        "counted": counted,
        "on_hand_before": item.book_at_start,
        "difference": item.adjustment,
        "outcome": item.status,
    }
    task.save(update_fields=["result", "updated_at"])
    return task


@transaction.atomic
def complete_task(*, task: StoreTask | int, actor) -> StoreTask:
    """Done, for the tasks without a count: the shelf's unit is in hand (its pickup starts being prepared), the
    parcel was found (received into the store), the items are back on the floor."""
    task = _locked_open(task)
    result = {}
    if task.kind == K.RECOUNT:
        raise InvalidInput(_("Give the number of units counted."), details={"counted": ""})
    fulfillment = task.fulfillment  # shelf completions and parcel checks have theirs
    if task.kind == K.COMPLETE_FROM_SHELF and fulfillment and fulfillment.status == Fulfillment.Status.PENDING:
        orders.start_picking(fulfillment=fulfillment, actor=actor)
    if task.kind == K.CHECK_PARCEL and fulfillment:
        actions = orders.location_actions(fulfillment=fulfillment, location=task.location)
        if "receive" in actions:
            orders.receive_in_store(fulfillment=fulfillment, actor=actor)
            result["received"] = True
    return _close(task, to=T.DONE, result=result, actor=actor)


@transaction.atomic
def cannot_do(*, task: StoreTask | int, reason: str, actor) -> StoreTask:
    """Not doable, with a reason. For a shelf completion, "not on the shelf" is a stock fact: the unit is
    reported missing at this store (its stock corrected) and the next source is tried, or the case takes over."""
    if not reason.strip():
        raise InvalidInput(_("Say why it cannot be done."), details={"reason": ""})
    task = _locked_open(task)
    fulfillment = task.fulfillment
    if task.kind == K.COMPLETE_FROM_SHELF and fulfillment is not None:
        line = fulfillment.lines.first()
        waiting = fulfillment.status in (Fulfillment.Status.PENDING, Fulfillment.Status.PICKING)
        if line is not None and line.quantity_open and waiting:
            orders.report_missing(fulfillment_line=line, quantity=line.quantity_open, actor=actor)
    return _close(task, to=T.CANNOT_DO, result={"reason": reason.strip()[:200]}, actor=actor)
