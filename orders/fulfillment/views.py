"""The store order queue: what this store prepares, what comes to it, what waits at its till."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from omnichannel.replica import page_on_replica
from orders.events import OrderEventType as E
from orders.fulfillment import actions, selectors
from orders.fulfillment import services as fulfilling
from orders.fulfillment.forms import HandOverForm, ShipForm, TrackingUpdateForm
from orders.models import Fulfillment
from stores.access import store_member_required
from stores.roles import rights_of

S = Fulfillment.Status


@store_member_required
def queue(request):
    # Staff lists tolerate a second of lag (the replica, when there is one); a person who just acted reads the
    # primary (read-your-writes), and every action re-reads its parcel on the primary.
    return page_on_replica(
        request,
        lambda: render(
            request,
            "orders/fulfillment/queue.html",
            {**selectors.store_queue(location=request.location), "page_title": _("Orders")},
        ),
    )


@store_member_required
def history(request):
    """Past work: find an order by number, name or phone, collected and closed ones included."""
    query = request.GET.get("q", "").strip()[:80]

    def page():
        rows = selectors.store_order_history(location=request.location, query=query)
        context = {"rows": rows, "query": query, "page_title": _("Order history")}
        return render(request, "orders/fulfillment/history.html", context)

    return page_on_replica(request, page)


def _fulfillment(request, fulfillment_id):
    try:
        return selectors.store_fulfillment(location=request.location, fulfillment_id=fulfillment_id)
    except NotFound:
        raise Http404 from None


def _actions(fulfillment, location, user) -> set[str]:
    """What this person may do now at this store (the action table: the store's rule and their rights)."""
    return actions.page_actions(fulfillment, location, rights_of(user, location=location))


def _page(request, fulfillment, *, forms=None, status=200):
    order = selectors.order_detail_queryset().get(pk=fulfillment.order_id)
    fulfillment = next(f for f in order.fulfillments.all() if f.pk == fulfillment.pk)
    forms = forms or {}
    context = {
        "order": order,
        "fulfillment": fulfillment,
        "actions": _actions(fulfillment, request.location, request.user),
        "pickup_code_locked": actions.code_locked(fulfillment),
        "ship_form": forms.get("ship") or ShipForm(),
        "hand_over_form": forms.get("hand_over") or HandOverForm(),
        "missing_form": forms.get("missing"),
        "tracking_form": forms.get("tracking") or TrackingUpdateForm(),
        "collect_store": fulfilling.fulfillment_store(fulfillment),
        "sourcing": selectors.sourcing_plans(order, fulfillment),
        # Once reported, the store sees that it did, and the report is not offered again.
        "not_received_at": next(
            (e.at for e in order.events.all() if (e.type, e.fulfillment_id) == (E.PARCEL_NOT_RECEIVED, fulfillment.pk)),
            None,
        ),
        "page_title": _("Order %(number)s") % {"number": order.number},
    }
    return render(request, "orders/fulfillment/fulfillment.html", context, status=status)


# The page's context names some forms after what they hold (the missing units' form, the carrier update).
FORM_KEYS = {"report_missing": "missing"}


@store_member_required
def fulfillment_page(request, fulfillment_id: int):
    return _page(request, _fulfillment(request, fulfillment_id))


@require_POST
@store_member_required
def fulfillment_action(request, fulfillment_id: int, action: str):
    fulfillment = _fulfillment(request, fulfillment_id)
    if action not in _actions(fulfillment, request.location, request.user):
        messages.error(request, _("This action is not possible now for this order."))
        return _page(request, fulfillment, status=409)
    declared, forms = actions.PAGE_ACTIONS[action], {}
    try:
        data = {}
        if declared.form is not None:
            forms[FORM_KEYS.get(action, action)] = form = declared.form(request.POST)
            if not form.is_valid():
                return _page(request, fulfillment, forms=forms, status=422)
            data = form.cleaned_data
        if declared.confirm and request.POST.get("confirm") != "yes":
            messages.error(request, declared.confirm)
            return _page(request, fulfillment, status=422)
        declared.run(fulfillment, data, request.user)
    except DomainError as exc:
        form = next(iter(forms.values()), None)
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return _page(request, fulfillment, forms=forms, status=exc.status_code)
    messages.success(request, _("Done: order %(number)s updated.") % {"number": fulfillment.order.number})
    return redirect("orders:fulfillment", store=request.location.code, fulfillment_id=fulfillment.pk)
