"""The store's reservations: who comes today and later for what, and what happened when they came."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from omnichannel.replica import page_on_replica
from orders.forms import ReasonForm
from orders.models import Reservation
from orders.reservations import selectors
from orders.reservations import services as reserving
from orders.reservations.forms import PurchaseForm
from stores.access import store_member_required, store_right_required
from stores.roles import Right

ACTIONS = ("bought", "not_bought", "cancel")


@store_member_required
def reservation_list(request):
    query = request.GET.get("q", "").strip()

    def page():  # a staff list: the replica when there is one (omnichannel/replica.py)
        context = {
            **selectors.store_reservations(location=request.location, query=query),
            "query": query,
            "page_title": _("Reservations"),
        }
        return render(request, "orders/reservations/reservations.html", context)

    return page_on_replica(request, page)


def _reservation(request, number: str) -> Reservation:
    try:
        return selectors.store_reservation(location=request.location, number=number)
    except NotFound:
        raise Http404 from None


def _page(request, reservation, *, forms=None, status=200):
    forms = forms or {}
    action_forms = {
        "purchase_form": forms.get("bought") or PurchaseForm(reservation=reservation),
        "decline_form": forms.get("not_bought") or ReasonForm(prefix="decline"),
        "cancel_form": forms.get("cancel") or ReasonForm(prefix="cancel"),
    }
    context = {
        "reservation": reservation,
        "open": reservation.status == Reservation.Status.HELD,
        **action_forms,
        # Refusals (e.g. the reservation closed meanwhile) show above the actions, open or not.
        "action_forms": list(action_forms.values()),
        "page_title": _("Reservation %(number)s") % {"number": reservation.number},
    }
    return render(request, "orders/reservations/reservation.html", context, status=status)


@store_member_required
def reservation_page(request, number: str):
    return _page(request, _reservation(request, number))


@require_POST
@store_right_required(Right.WORK_RESERVATIONS)
def reservation_action(request, number: str, action: str):
    reservation = _reservation(request, number)
    if action not in ACTIONS:
        raise Http404
    if action == "bought":
        form = PurchaseForm(request.POST, reservation=reservation)
    else:
        form = ReasonForm(request.POST, prefix="decline" if action == "not_bought" else "cancel")
    forms = {action: form}
    if not form.is_valid():
        return _page(request, reservation, forms=forms, status=422)
    try:
        if action == "bought":
            reserving.mark_purchased(
                reservation=reservation,
                pos_receipt=form.cleaned_data["pos_receipt"],
                bought=form.bought(),
                actor=request.user,
            )
            done = _("Reservation %(number)s: sold, the stock has left on the till sale.")
        elif action == "not_bought":
            reserving.mark_declined(reservation=reservation, actor=request.user, reason=form.cleaned_data["reason"])
            done = _("Reservation %(number)s: not bought, the items are back on sale.")
        else:
            reserving.cancel_reservation(
                reservation=reservation, actor=request.user, reason=form.cleaned_data["reason"], by="store"
            )
            done = _("Reservation %(number)s cancelled; the customer is told.")
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, _reservation(request, number), forms=forms, status=exc.status_code)
    messages.success(request, done % {"number": reservation.number})
    # Back to the list: the next customer is usually waiting.
    return redirect("reservations:list", store=request.location.code)
