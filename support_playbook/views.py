"""The store's tasks: what the system and customer care ask of this location, done or not done with a reason."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from stores.access import store_member_required
from stores.roles import Right, has_right
from support_playbook import selectors, services
from support_playbook.forms import CannotDoForm, RecountForm

# Page action → (form, service): the page's only dispatch.
ACTIONS = {
    "done": (RecountForm, lambda task, data, user: services.complete_recount(task=task, actor=user, **data)),
    "cannot_do": (CannotDoForm, lambda task, data, user: services.cannot_do(task=task, actor=user, **data)),
}


def _page(request, *, bound=None, status=200):
    """The list, each open task with its two forms (the one just submitted, with its errors, when refused)."""
    bound = bound or {}
    tasks = selectors.store_tasks(location=request.location)
    for task in tasks["open_tasks"]:
        task.forms = {
            action: bound.get((task.pk, action)) or form_class(prefix=f"{action}-{task.pk}")
            for action, (form_class, _run) in ACTIONS.items()
        }
    return render(request, "support_playbook/tasks.html", {**tasks, "page_title": _("Tasks")}, status=status)


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
    form_class, run = ACTIONS[action]
    form = form_class(request.POST, prefix=f"{action}-{task.pk}")
    if not form.is_valid():
        return _page(request, bound={(task.pk, action): form}, status=422)
    try:
        run(task, form.cleaned_data, request.user)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, bound={(task.pk, action): form}, status=exc.status_code)
    messages.success(request, _("Task done: thank you."))
    return redirect("tasks:list", store=request.location.code)
