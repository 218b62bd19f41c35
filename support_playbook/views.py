"""The store's tasks and the playbook manual in the store dashboard: what the system and customer care ask of
this location, done or not done with a reason."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from stores.access import store_member_required
from stores.roles import Right, has_right
from support_playbook import selectors
from support_playbook.forms import CannotDoForm, DoneForm, RecountForm
from support_playbook.models import StoreTask
from support_playbook.scenarios import SCENARIOS
from support_playbook.services import tasks as task_services


def _done(task, data, user):
    if task.kind == StoreTask.Kind.RECOUNT:
        return task_services.complete_recount(task=task, actor=user, **data)
    return task_services.complete_task(task=task, actor=user)


# Page action → (form for the task, service): the page's only dispatch.
ACTIONS = {
    "done": (lambda task: RecountForm if task.kind == StoreTask.Kind.RECOUNT else DoneForm, _done),
    "cannot_do": (
        lambda task: CannotDoForm,
        lambda task, data, user: task_services.cannot_do(task=task, actor=user, **data),
    ),
}


def _page(request, *, bound=None, status=200):
    """The list, each open task with its two forms (the one just submitted, with its errors, when refused)."""
    bound = bound or {}
    found = selectors.store_tasks(location=request.location)
    for task in found["open_tasks"]:
        task.forms = {
            action: bound.get((task.pk, action)) or form_for(task)(prefix=f"{action}-{task.pk}")
            for action, (form_for, _run) in ACTIONS.items()
        }
    return render(request, "support_playbook/tasks.html", {**found, "page_title": _("Tasks")}, status=status)


@store_member_required
def task_list(request):
    return _page(request)


@require_POST
@store_member_required
def task_action(request, task_id: int, action: str):
    if action not in ACTIONS or not has_right(request.user, Right.WORK_STORE_QUEUE, location=request.location):
        raise Http404
    try:
        task = selectors.store_task(location=request.location, task_id=task_id)
    except NotFound:
        raise Http404 from None
    form_for, run = ACTIONS[action]
    form = form_for(task)(request.POST, prefix=f"{action}-{task.pk}")
    if not form.is_valid():
        return _page(request, bound={(task.pk, action): form}, status=422)
    try:
        run(task, form.cleaned_data, request.user)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, bound={(task.pk, action): form}, status=exc.status_code)
    messages.success(request, _("Task done: thank you."))
    return redirect("tasks:list", store=request.location.code)


@store_member_required
def store_manual(request):
    return render(
        request,
        "support_playbook/manual.html",
        {"scenarios": SCENARIOS.values(), "page_title": _("Playbook"), "base_template": "base.html"},
    )
