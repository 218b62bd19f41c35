"""The store's returns desk: buy online, return in store. A customer at the counter is found by order number,
email or phone, their items come back with a reason, each unit is given its destination and the refund is paid
on the spot; returns announced for this store (from the customer's page or a channel) wait here too."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omnichannel.errors import DomainError, NotFound
from omnichannel.formats import money
from orders.forms import ReasonForm
from orders.models import Order, Return, ReturnReason
from orders.payments import breakdown
from orders.returns import common as return_common
from orders.returns import receiving, transfers
from orders.returns import selectors as return_selectors
from orders.returns import services as returning
from orders.returns.forms import ReceiveReturnForm, ReturnStartForm
from stores.access import store_member_required, store_right_required
from stores.roles import Right


@store_member_required
def return_desk(request):
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "orders": return_selectors.find_for_return(query) if query else [],
        "matching": return_selectors.returns_matching(location=request.location, query=query)[:20] if query else [],
        "expected": return_selectors.expected_returns(location=request.location)[:50],
        "recent": return_selectors.returns_at(location=request.location).exclude(status__in=Return.EXPECTED)[:20],
        "transfers": return_selectors.transfers_to(location=request.location)
        if return_common.returns_centre() == request.location
        else [],
        "page_title": _("Returns"),
    }
    return render(request, "orders/returns/returns.html", context)


def _order(number: str) -> Order:
    order = Order.objects.select_related("customer").filter(number=number).first()
    if order is None:
        raise Http404
    return order


def _start_page(request, order, form, status=200):
    return render(
        request,
        "orders/returns/return_start.html",
        {
            "order": order,
            "form": form,
            "refused": form.refused,
            "page_title": _("Return from order %(number)s") % {"number": order.number},
        },
        status=status,
    )


def _start_form(order, data=None):
    return ReturnStartForm(
        data,
        returnables=returning.returnable_lines(order),
        reasons=ReturnReason.objects.filter(active=True),
    )


@store_right_required(Right.WORK_RETURNS_DESK)
def start_return(request, number: str):
    """Items of an online order (any channel) returned at this store's counter, no prior request needed."""
    order = _order(number)
    if request.method != "POST":
        return _start_page(request, order, _start_form(order))
    form = _start_form(order, request.POST)
    if not form.is_valid():
        return _start_page(request, order, form, status=422)
    try:
        return_request = returning.request_return(
            how=Return.How.IN_STORE,
            location=request.location,
            lines=form.lines(),
            exchange=form.exchange(),
            actor=request.user,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _start_page(request, order, form, status=exc.status_code)
    messages.success(
        request, _("Return %(number)s started: count the items below.") % {"number": return_request.number}
    )
    return redirect("returns:detail", store=request.location.code, number=return_request.number)


def _return(request, number: str) -> Return:
    try:
        return return_selectors.return_at(location=request.location, number=number)
    except NotFound:
        raise Http404 from None


def _return_page(request, return_request, *, form=None, cancel_form=None, status=200):
    is_open = return_request.status in Return.EXPECTED
    context = {
        "return_request": return_request,
        "open": is_open,
        "form": form or (ReceiveReturnForm(return_request=return_request) if is_open else None),
        "cancel_form": cancel_form or ReasonForm(prefix="cancel"),
        "preview": breakdown.refund_preview(return_request),
        "transfer_pending": transfers.transfer_pending(return_request),
        "page_title": _("Return %(number)s") % {"number": return_request.number},
    }
    return render(request, "orders/returns/return.html", context, status=status)


@store_member_required
def return_page(request, number: str):
    return _return_page(request, _return(request, number))


@require_POST
@store_right_required(Right.WORK_RETURNS_DESK)
def receive(request, number: str):
    return_request = _return(request, number)
    form = ReceiveReturnForm(request.POST, return_request=return_request)
    if not form.is_valid():
        return _return_page(request, return_request, form=form, status=422)
    try:
        receiving.receive_return(
            return_request=return_request,
            location=request.location,
            lines=form.counts(),
            actor=request.user,
            damaged_refund=form.cleaned_data.get("damaged_refund") or "",
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _return_page(request, _return(request, number), form=form, status=exc.status_code)
    done = _return(request, number)
    messages.success(
        request,
        _("Return %(number)s received: %(amount)s %(currency)s refunded.")
        % {"number": done.number, "amount": money(done.refunded_amount), "currency": done.channel.currency},
    )
    return redirect("returns:detail", store=request.location.code, number=number)


@require_POST
@store_right_required(Right.WORK_RETURNS_DESK)
def cancel(request, number: str):
    return_request = _return(request, number)
    form = ReasonForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _return_page(request, return_request, cancel_form=form, status=422)
    try:
        returning.cancel_return(return_request=return_request, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _return_page(request, _return(request, number), cancel_form=form, status=exc.status_code)
    messages.success(request, _("Return %(number)s cancelled; the customer is told.") % {"number": number})
    return redirect("returns:desk", store=request.location.code)


@require_POST
@store_right_required(Right.WORK_RETURNS_DESK)
def ship_transfer(request, number: str):
    """The units for the returns centre leave with the carrier."""
    return_request = _return(request, number)
    try:
        transfers.ship_return_transfer(return_request=return_request, location=request.location, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("returns:detail", store=request.location.code, number=number)
    messages.success(request, _("Return %(number)s: the units are on their way to the warehouse.") % {"number": number})
    return redirect("returns:detail", store=request.location.code, number=number)


@require_POST
@store_right_required(Right.WORK_RETURNS_DESK)
def receive_transfer(request, number: str):
    """The returns centre books in units a store sent on (on sale here at once)."""
    return_request = Return.objects.filter(number=number).first()
    if return_request is None:
        raise Http404
    try:
        transfers.receive_return_transfer(return_request=return_request, location=request.location, actor=request.user)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Return %(number)s: the units are booked in here.") % {"number": number})
    return redirect("returns:desk", store=request.location.code)
