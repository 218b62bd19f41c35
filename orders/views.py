"""The store order queue: what this store prepares, what comes to it, what waits at its till."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from orders import selectors, services
from orders.forms import HandOverForm, MissingForm, ShipForm, TrackingUpdateForm
from orders.models import Fulfillment
from stores.access import store_member_required
from stores.roles import Right, rights_of

S = Fulfillment.Status


@store_member_required
def queue(request):
    return render(
        request, "orders/queue.html", {**selectors.store_queue(location=request.location), "page_title": _("Orders")}
    )


@store_member_required
def history(request):
    """Past work: find an order by number, name or phone, collected and closed ones included."""
    query = request.GET.get("q", "").strip()[:80]
    rows = selectors.store_order_history(location=request.location, query=query)
    return render(request, "orders/history.html", {"rows": rows, "query": query, "page_title": _("Order history")})


def _fulfillment(request, fulfillment_id):
    try:
        return selectors.store_fulfillment(location=request.location, fulfillment_id=fulfillment_id)
    except NotFound:
        raise Http404 from None


def _actions(fulfillment, location, user) -> set[str]:
    """What this person may do now at this store: what the store may do (`services.location_actions`), as far
    as the roles table (stores.roles) lets this person."""
    rights = rights_of(user, location=location)
    if Right.WORK_STORE_QUEUE not in rights:
        return set()
    actions = services.location_actions(fulfillment=fulfillment, location=location)
    if "report_missing" in actions:
        actions.add("cannot_fulfil")
    if "hand_over" in actions:
        if Right.RENEW_PICKUP_CODE in rights:
            actions.update({"renew_code", "resend_code"})
        if fulfillment.pickup_code_attempts >= settings.PICKUP_CODE_MAX_ATTEMPTS:
            actions.discard("hand_over")
            if Right.UNLOCK_PICKUP_CODE in rights:
                actions.add("unlock_code")
    return actions


def _page(request, fulfillment, *, forms=None, status=200):
    order = selectors.order_for_channel(number=fulfillment.order.number, channel_id=None)
    fulfillment = next(f for f in order.fulfillments.all() if f.pk == fulfillment.pk)
    forms = forms or {}
    context = {
        "order": order,
        "fulfillment": fulfillment,
        "actions": _actions(fulfillment, request.location, request.user),
        "pickup_code_locked": fulfillment.pickup_code_attempts >= settings.PICKUP_CODE_MAX_ATTEMPTS,
        "ship_form": forms.get("ship") or ShipForm(),
        "hand_over_form": forms.get("hand_over") or HandOverForm(),
        "missing_form": forms.get("missing"),
        "tracking_form": forms.get("tracking") or TrackingUpdateForm(),
        "collect_store": services.fulfillment_store(fulfillment),
        "sourcing": selectors.sourcing_plans(order, fulfillment),
        # Once reported, the store sees that it did, and the report is not offered again.
        "not_received_at": next(
            (e.at for e in order.events.all() if (e.type, e.fulfillment_id) == ("parcel_not_received", fulfillment.pk)),
            None,
        ),
        "page_title": _("Order %(number)s") % {"number": order.number},
    }
    return render(request, "orders/fulfillment.html", context, status=status)


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
    forms = {}
    try:
        if action == "start_picking":
            services.start_picking(fulfillment=fulfillment, actor=request.user)
        elif action == "pack":
            services.mark_packed(fulfillment=fulfillment, actor=request.user)
        elif action == "ship":
            forms["ship"] = form = ShipForm(request.POST)
            if not form.is_valid():
                return _page(request, fulfillment, forms=forms, status=422)
            services.ship_fulfillment(fulfillment=fulfillment, actor=request.user, **form.cleaned_data)
        elif action == "ready":
            services.mark_ready_for_pickup(fulfillment=fulfillment, actor=request.user)
        elif action == "receive":
            services.receive_in_store(fulfillment=fulfillment, actor=request.user)
        elif action == "cannot_fulfil":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Tick the box to confirm that none of the items is here."))
                return _page(request, fulfillment, status=422)
            services.cannot_fulfil(fulfillment=fulfillment, actor=request.user)
        elif action == "not_received":
            services.report_parcel_not_received(fulfillment=fulfillment, actor=request.user)
        elif action == "back_in_stock":
            services.receive_parcel_back(fulfillment=fulfillment, actor=request.user)
        elif action == "hand_over":
            forms["hand_over"] = form = HandOverForm(request.POST)
            if not form.is_valid():
                return _page(request, fulfillment, forms=forms, status=422)
            services.hand_over(
                fulfillment=fulfillment, pickup_code=form.cleaned_data["pickup_code"], actor=request.user
            )
        elif action == "tracking":
            forms["tracking"] = form = TrackingUpdateForm(request.POST)
            if not form.is_valid():
                return _page(request, fulfillment, forms=forms, status=422)
            services.record_tracking_event(
                carrier=fulfillment.carrier,
                tracking_number=fulfillment.tracking_number,
                event_id=f"manual-{uuid.uuid4()}",
                status=form.cleaned_data["status"],
                occurred_at=timezone.now(),
                location=form.cleaned_data["location"],
                description="entered by the store",
                actor=request.user,
            )
        elif action == "unlock_code":
            services.unlock_pickup_code(fulfillment=fulfillment, actor=request.user)
        elif action == "resend_code":
            services.resend_pickup_code(fulfillment=fulfillment, actor=request.user)
        elif action == "renew_code":
            services.renew_pickup_code(fulfillment=fulfillment, actor=request.user)
        elif action == "not_collected":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Tick the box to confirm that the customer will not collect."))
                return _page(request, fulfillment, status=422)
            services.mark_not_collected(fulfillment=fulfillment, actor=request.user, reason="marked by the store")
        elif action == "report_missing":
            forms["missing"] = form = MissingForm(request.POST)
            if not form.is_valid():
                return _page(request, fulfillment, forms=forms, status=422)
            line = fulfillment.lines.filter(pk=form.cleaned_data["line"]).first()
            if line is None:
                raise Http404
            services.report_missing(fulfillment_line=line, quantity=form.cleaned_data["quantity"], actor=request.user)
    except DomainError as exc:
        form = forms.get("hand_over") or forms.get("ship") or forms.get("missing") or forms.get("tracking")
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return _page(request, fulfillment, forms=forms, status=exc.status_code)
    messages.success(request, _("Done: order %(number)s updated.") % {"number": fulfillment.order.number})
    return redirect("orders:fulfillment", store=request.location.code, fulfillment_id=fulfillment.pk)
