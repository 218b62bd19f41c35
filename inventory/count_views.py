"""The store's counts: start one (its start is now), upload what was counted, and see the differences from the
books; the store manager approves those beyond tolerance."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inventory import selectors, services
from inventory.forms import ApproveCountForm, CountUploadForm, StartCountForm
from inventory.models import CountSession
from omnichannel.errors import DomainError
from stores.access import store_member_required
from stores.roles import Right, has_right


def _session(request, count_id: int) -> CountSession:
    session = CountSession.objects.filter(location=request.location, pk=count_id).first()
    if session is None:
        raise Http404
    return session


def _may_count(request):
    if not has_right(request.user, Right.WORK_STORE_QUEUE, location=request.location):
        raise Http404


def _list(request, *, form=None, status=200):
    context = {
        **selectors.store_counts(location=request.location),
        "form": form or StartCountForm(),
        "page_title": _("Counts"),
    }
    return render(request, "inventory/counts.html", context, status=status)


@store_member_required
def count_list(request):
    return _list(request)


@require_POST
@store_member_required
def start_count(request):
    _may_count(request)
    form = StartCountForm(request.POST)
    if not form.is_valid():
        return _list(request, form=form, status=422)
    now = timezone.localtime()
    outcome = services.record_count(
        location=request.location,
        code=f"C-{now:%Y%m%d-%H%M%S}",
        scope={"skus": form.cleaned_data["skus"]} if form.cleaned_data["skus"] else "store",
        source=CountSession.Source.CSV,
        actor=request.user,
    )
    return redirect("inventory:count", store=request.location.code, count_id=outcome.session.pk)


def _page(request, session, *, upload=None, approve=None, status=200):
    context = {
        **selectors.count_detail(session=session),
        "upload_form": upload or CountUploadForm(),
        "approve_form": approve or ApproveCountForm(),
        "may_approve": has_right(request.user, Right.APPROVE_COUNT_DISCREPANCY, location=request.location),
        "page_title": _("Count %(code)s") % {"code": session.code},
    }
    return render(request, "inventory/count.html", context, status=status)


@store_member_required
def count_page(request, count_id: int):
    return _page(request, _session(request, count_id))


@require_POST
@store_member_required
def upload_count(request, count_id: int):
    _may_count(request)
    session = _session(request, count_id)
    form = CountUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, session, upload=form, status=422)
    try:
        outcome = services.record_count(
            location=request.location,
            code=session.code,
            epcs=form.cleaned_data["file"]["epcs"],
            quantities=form.cleaned_data["file"]["quantities"],
            final=True,
            actor=request.user,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, _session(request, count_id), upload=form, status=exc.status_code)
    if outcome.unknown_epcs:
        messages.warning(request, _("%(n)s tags of no known item were not counted.") % {"n": len(outcome.unknown_epcs)})
    messages.success(request, _("Count reconciled as of its start."))
    return redirect("inventory:count", store=request.location.code, count_id=session.pk)


@require_POST
@store_member_required
def approve_count(request, count_id: int):
    session = _session(request, count_id)
    form = ApproveCountForm(request.POST)
    if not form.is_valid():
        return _page(request, session, approve=form, status=422)
    items = [int(pk) for pk in request.POST.getlist("item") if pk.isdigit()]
    if not items:
        form.add_error(None, _("Choose the differences to approve."))
        return _page(request, session, approve=form, status=422)
    try:
        services.approve_count_discrepancies(
            session=session, items=items, reason=form.cleaned_data["reason"], actor=request.user
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, _session(request, count_id), approve=form, status=exc.status_code)
    messages.success(request, _("Differences approved: the stock is the count's."))
    return redirect("inventory:count", store=request.location.code, count_id=session.pk)
