"""Customer care's desk: the case queue, the case page with its live suggestions (one button each), and the
playbook manual. Customer-care agents and head office only; everything they do goes through the case services,
the same ones the cases API calls."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inventory.models import Product
from omnichannel.errors import DomainError, NotFound
from omnichannel.replica import page_on_replica
from stores.models import Location
from stores.roles import Right, has_right
from support_playbook import kpis, network_selectors, product_kpis, scorecard_views, selectors
from support_playbook.forms import CaseFilterForm, CloseCaseForm, KpiTargetForm, NoteForm
from support_playbook.models import Case, KpiTarget
from support_playbook.scenarios import SCENARIOS, scenario_for
from support_playbook.services import cases as case_services
from support_playbook.services import targets as target_services


def right_required(right: str):
    """Network-wide pages: a login, then the right (not tied to a store), else 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_right(request.user, right):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


care_required = right_required(Right.WORK_CASES)
network_required = right_required(Right.SEE_NETWORK)


@care_required
def case_queue(request):
    form = CaseFilterForm(
        request.GET or None,
        scenarios=[(code, s.title) for code, s in SCENARIOS.items()],
        statuses=Case.Status.choices,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.case_queue(
        scenario=filters.get("scenario", ""), status=filters.get("status", ""), store=filters.get("store", "")
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "support_playbook/care_queue.html",
        {
            "form": form,
            "page": page,
            "counts": [(SCENARIOS[code].title, n) for code, n in sorted(selectors.case_counts_by_scenario().items())],
            "page_title": _("Cases"),
        },
    )


def _case_page(request, case_id: int, *, status=200, bound=None):
    try:
        case = selectors.case_detail(case_id=case_id)
    except NotFound:
        raise Http404 from None
    playbook = scenario_for(case.scenario)
    bound = bound or {}
    context = {
        "case": case,
        "scenario": playbook,
        "suggestions": case_services.suggestions_for(case),
        "overdue": case.is_open and case.due_by < timezone.now(),
        "note_form": bound.get("note") or NoteForm(),
        "close_form": bound.get("close") or CloseCaseForm(),
        "manual_actions": playbook.manual_actions if case.is_open else (),
        "page_title": _("Case #%(id)s") % {"id": case.pk},
    }
    return render(request, "support_playbook/case.html", context, status=status)


@care_required
def case_page(request, case_id: int):
    return _case_page(request, case_id)


@require_POST
@care_required
def case_action(request, case_id: int):
    action = request.POST.get("action", "")
    bound, params = {}, {}
    if action == "note":
        bound["note"] = form = NoteForm(request.POST)
        params = form.cleaned_data if form.is_valid() else None
    elif action == "close":
        bound["close"] = form = CloseCaseForm(request.POST)
        params = form.cleaned_data if form.is_valid() else None
    elif action in {m.action for m in _manual_actions(case_id)}:
        manual = next(m for m in _manual_actions(case_id) if m.action == action)
        params = {f.name: request.POST.get(f.name, "").strip() for f in manual.fields}
    elif action != "assign":
        try:
            params = json.loads(request.POST.get("params", "{}"))
        except ValueError:
            params = None
    if params is None:
        messages.error(request, _("Please correct the form."))
        return _case_page(request, case_id, status=422, bound=bound)
    try:
        case_services.act_on_case(case=case_id, action=action, params=params, actor=request.user)
    except Case.DoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return _case_page(request, case_id, status=exc.status_code, bound=bound)
    messages.success(request, _("Done: case #%(id)s updated.") % {"id": case_id})
    return redirect("care:case", case_id=case_id)


def _manual_actions(case_id: int):
    scenario = Case.objects.filter(pk=case_id).values_list("scenario", flat=True).first()
    return scenario_for(scenario).manual_actions if scenario else ()


@care_required
def care_manual(request):
    return render(
        request,
        "support_playbook/manual.html",
        {"scenarios": SCENARIOS.values(), "page_title": _("Playbook")},
    )


@network_required
def network(request):
    return page_on_replica(request, lambda: _network_page(request))


def _network_page(request):
    week = kpis.last_days(7, today=timezone.localdate())
    return render(
        request,
        "support_playbook/network.html",
        {
            **network_selectors.network_figures(),
            "kpis": kpis.with_previous(week),
            "kpi_stores": kpis.store_table(week),
            "kpi_breakdown": kpis.channel_method_table(week),
            "kpi_returns": kpis.returns_summary(week),
            "kpi_incidents": kpis.incident_summary(week),
            "kpi_stock": kpis.stock_summary(week),
            "kpi_columns": kpis.STORE_COLUMNS,
            "kpi_as_of": kpis.as_of(),
            "charts": kpis.daily_charts(kpis.daily(week)),
            "days": 7,
            "kpi_scope": "network",
            "kpi_period": week,
            "currency": kpis.network_currency(),
            "page_title": _("Network today"),
        },
    )


@network_required
def network_targets(request):
    """Head office's targets: each rate figure for every location, and any location's own; set or removed here,
    shown beside the figures and coloured against them on the network page and the stores' scorecards."""
    locations = Location.objects.filter(active=True).order_by("code")
    form = KpiTargetForm(request.POST or None, figures=kpis.TARGETABLE, locations=locations)
    if request.method == "POST":
        if request.POST.get("remove"):
            target_services.remove_target(target_id=_int_or_404(request.POST["remove"]))
            messages.success(request, _("Target removed."))
            return redirect("care:network-targets")
        if form.is_valid():
            target_services.set_target(
                key=form.cleaned_data["key"],
                location=form.cleaned_data["location"],
                percent=form.cleaned_data["percent"],
                actor=request.user,
            )
            messages.success(request, _("Target saved."))
            return redirect("care:network-targets")
    labels = {rate.key: rate for rate in kpis.TARGETABLE}
    targets = [
        {"target": target, "rate": labels[target.key]}
        for target in KpiTarget.objects.select_related("location").order_by("key", "location__code")
        if target.key in labels
    ]
    return render(
        request,
        "support_playbook/targets.html",
        {"form": form, "targets": targets, "page_title": _("Targets")},
        status=400 if form.errors else 200,
    )


def _int_or_404(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


@network_required
def network_products(request):
    """Find a product by style, name or SKU code: one match opens its page, several are listed."""
    query = request.GET.get("q", "")
    found = product_kpis.find_products(query)
    if len(found) == 1:
        return redirect("care:network-product", style=found[0].style)
    return render(
        request,
        "support_playbook/product_search.html",
        {"query": query, "found": found, "page_title": _("Products")},
        status=200 if found or not query else 404,
    )


@network_required
def network_product(request, style: str):
    """One product's figures for head office: stock per location day by day, sales by channel, return reasons by
    size, over the last 7, 28 or 90 days."""
    product = Product.objects.filter(style=style).first()
    if product is None:
        raise Http404(_("No such product."))
    form, period, days = scorecard_views.asked_period(request)
    context = {"product": product, "form": form, "kpi_period": period, "days": days, "page_title": product.name}
    if period is not None:
        context |= {
            "stock": product_kpis.stock_history(product, period),
            "sales": product_kpis.sales_by_channel(product, period),
            "kpi_returns": kpis.returns_summary(period, product=product),
            "currency": kpis.network_currency(),
        }
    return render(request, "support_playbook/product.html", context, status=200 if period else 400)


@network_required
def network_kpi_csv(request):
    return scorecard_views.kpi_csv(request, location=None, name="network")


@network_required
def network_kpi_list(request, key: str):
    """The rows behind one of the network's figures, or behind one store's (`?store=CODE`, from the table of
    stores)."""
    store = None
    if request.GET.get("store"):
        store = Location.objects.filter(code=request.GET["store"]).first()
        if store is None:
            raise Http404(_("No such location."))
    return scorecard_views.figure_list_page(request, key, location=store, scope="network")


# Lazy: translated when a page shows them, in its language (not once, at import).
FIGURE_TITLES = {
    "to_prepare": gettext_lazy("Orders to prepare"),
    "late": gettext_lazy("Late: still to prepare"),
    "pickups_waiting": gettext_lazy("Pickups waiting"),
    "pickups_expiring": gettext_lazy("Pickups expiring within 24 h"),
    "incoming_overdue": gettext_lazy("Incoming parcels overdue"),
    "reservations_ending": gettext_lazy("Reservations ending within 24 h"),
    "returns_expected": gettext_lazy("Returns on their way"),
    "short_picks": gettext_lazy("Short picks, last 7 days"),
}


@network_required
def network_list(request, figure: str):
    if figure not in FIGURE_TITLES:
        raise Http404
    store = None
    if request.GET.get("store"):
        store = Location.objects.filter(code=request.GET["store"][:20]).first()
        if store is None:
            raise Http404
    rows = network_selectors.figure_rows(figure=figure, store=store)
    return render(
        request,
        "support_playbook/network_list.html",
        {
            "figure": figure,
            "title": FIGURE_TITLES[figure],
            "store": store,
            "rows": rows,
            "page_title": FIGURE_TITLES[figure],
        },
    )
