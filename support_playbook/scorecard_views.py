"""A store's scorecard: its order KPIs over the last 7, 28 or 90 days beside the period before, for the people
who may see the store's figures (its manager, head office); associates get a 403. As CSV too."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omnichannel.csv_export import csv_response
from omnichannel.replica import page_on_replica
from stores.access import store_right_required
from stores.roles import Right
from support_playbook import kpis
from support_playbook.templatetags.playbook_tags import kpi, share


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        choices=[
            (7, gettext_lazy("Last 7 days")),
            (28, gettext_lazy("Last 28 days")),
            (90, gettext_lazy("Last 90 days")),
        ],
        coerce=int,
        required=False,
        empty_value=7,
    )


def asked_period(request) -> tuple[PeriodForm, kpis.Period | None, int]:
    """(form, period, days) the query asks for: the last 7, 28 or 90 days; None with the form's errors."""
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None, 0
    days = (form.cleaned_data["days"] or 7) if request.GET else 7
    return form, kpis.last_days(days, today=timezone.localdate()), days


def _figures(request):
    """(form, period, [(figure, figure before)]): the period the query asks for, or the form's errors."""
    form, period, _days = asked_period(request)
    if period is None:
        return form, None, []
    return form, period, kpis.with_previous(period, location=request.location)


@store_right_required(Right.SEE_STORE_FIGURES)
def scorecard(request):
    return page_on_replica(request, lambda: _scorecard_page(request))


def _scorecard_page(request):
    form, period, rows = _figures(request)
    context = {
        "charts": kpis.daily_charts(kpis.daily(period, location=request.location)) if period else [],
        "form": form,
        "kpi_period": period,
        "kpis": rows,
        "kpi_as_of": kpis.as_of(),
        "kpi_breakdown": kpis.channel_method_table(period, location=request.location) if period else [],
        "kpi_returns": kpis.returns_summary(period, location=request.location) if period else None,
        "kpi_incidents": kpis.incident_summary(period, location=request.location) if period else None,
        "kpi_stock": kpis.stock_summary(period, location=request.location) if period else None,
        "currency": kpis.network_currency(),
        "days": (period.end - period.start).days if period else 7,
        "kpi_scope": "store",
        "page_title": _("Scorecard"),
    }
    return render(request, "support_playbook/scorecard.html", context, status=200 if period else 400)


def figure_list_page(request, key: str, *, location, scope: str):
    """The rows behind one figure of the period asked for: the store's (scorecard), or the network's."""
    if key not in kpis.LIST_OF:
        raise Http404
    return page_on_replica(request, lambda: _figure_list(request, key, location=location, scope=scope))


def _figure_list(request, key: str, *, location, scope: str):
    form, period, days = asked_period(request)
    if period is None:
        return render(request, "support_playbook/scorecard.html", {"form": form, "kpis": []}, status=400)
    figure = kpis.figure_of(key, period, location=location)
    what, rows = kpis.figure_list(key, period, location=location)
    context = {
        "figure": figure,
        "what": what,
        "rows": rows,
        "kpi_period": period,
        "days": days,
        "kpi_scope": scope,
        "kpi_location": location,
        "currency": kpis.network_currency(),
        "page_title": str(figure.label),
    }
    return render(request, "support_playbook/kpi_list.html", context)


@store_right_required(Right.SEE_STORE_FIGURES)
def scorecard_list(request, key: str):
    return figure_list_page(request, key, location=request.location, scope="store")


@store_right_required(Right.SEE_STORE_FIGURES)
def scorecard_csv(request):
    return kpi_csv(request, location=request.location, name=f"scorecard-{request.location.code}")


def kpi_csv(request, *, location, name: str):
    """A table of the period asked for (a store's, or the network's) as a CSV download: the figures (default),
    or `?table=` stores (the network's), channels, returns, missing."""
    form, period, _days = asked_period(request)
    table = request.GET.get("table", "figures")
    tables = CSV_TABLES if location is None else {k: v for k, v in CSV_TABLES.items() if k != "stores"}
    if period is None or table not in (*tables, "figures"):
        if table not in (*tables, "figures"):
            form.add_error(None, _("There is no such table."))
        return render(request, "support_playbook/scorecard.html", {"form": form, "kpis": []}, status=400)
    if table != "figures":
        header, lines = tables[table](period, location, kpis.network_currency())
        return csv_response(f"{name}-{table}-{period.start.isoformat()}.csv", header, lines)
    rows = kpis.with_previous(period, location=location)
    currency = kpis.network_currency()
    header = [
        _("Figure"),
        _("Period"),
        _("Value"),
        _("Period before"),
        _("Value before"),
        _("Target"),
        _("How it is computed"),
    ]
    before = period.previous()

    def span(p):
        return f"{p.start.isoformat()}/{p.last_day.isoformat()}"

    def target(row):
        if row.target is None:
            return ""
        return f"{'≥' if row.now.higher_is_better else '≤'} {share(row.target)}"

    lines = (
        [
            row.now.label,
            span(period),
            kpi(row.now, currency),
            span(before),
            kpi(row.before, currency),
            target(row),
            row.now.formula,
        ]
        for row in rows
    )
    filename = f"{name}-{period.start.isoformat()}.csv"
    return csv_response(filename, header, ([str(cell) for cell in line] for line in lines))


def _stores_csv(period, _location, currency):
    rows = kpis.store_table(period)
    labels = [str(row.now.label) for row in rows[0]["cells"]] if rows else []
    header = [_("Store"), _("Name"), *labels]
    return header, (
        [store["code"], store["name"], *(kpi(row.now, currency) for row in store["cells"])] for store in rows
    )


def _channels_csv(period, location, currency):
    header = [_("Sales channel"), _("Fulfillment method"), _("Orders"), _("Net sales"), _("Average order value")]
    rows = kpis.channel_method_table(period, location=location)
    return header, (
        [r["channel"], str(r["method"]), r["orders"], r["net_sales"], r["average_order_value"]] for r in rows
    )


def _returns_csv(period, location, currency):
    summary = kpis.returns_summary(period, location=location)
    header = [_("Reason"), *summary["sizes"], _("Units")]
    return header, ([row["label"], *(n for _size, n in row["by_size"]), row["total"]] for row in summary["reasons"])


def _missing_csv(period, location, currency):
    header = [_("SKU"), _("Product"), _("Size"), _("Units missing"), _("Units asked"), _("Item rejection rate")]
    rows = kpis.rejections_by_sku(period, location=location, limit=500)
    return header, ([r["code"], r["name"], r["size"], r["short"], r["requested"], r["rate"]] for r in rows)


CSV_TABLES = {"stores": _stores_csv, "channels": _channels_csv, "returns": _returns_csv, "missing": _missing_csv}
