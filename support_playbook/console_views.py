"""The customer-care console beyond cases: find a customer, their whole story, act on an order (each action with
a reason and a confirmation), order or reserve on their behalf, and head office's refund approvals. Thin: every
write is a service of support_playbook.services.console (the same order services the API uses)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inventory.selectors import availability, search_skus
from omnichannel.errors import DomainError, NotFound
from orders import services as orders
from orders.models import Customer, RefundRequest, Reservation
from stores.roles import Right, has_right
from support_playbook import console_selectors as selectors
from support_playbook.care_views import care_required
from support_playbook.forms import (
    AddressForm,
    AmountForm,
    CancelForm,
    ContactForm,
    CustomerSearchForm,
    ExtendPickupForm,
    ExtendReservationForm,
    OnBehalfForm,
    ResendForm,
    phone_order_lines,
)
from support_playbook.services import console


@care_required
def customer_search(request):
    form = CustomerSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = selectors.find_customers(query) if query else []
    if len(found) == 1 and query:
        return redirect("care:customer", customer_id=found[0].pk)
    return render(
        request,
        "support_playbook/customers.html",
        {"form": form, "query": query, "customers": found, "page_title": _("Customers")},
    )


@care_required
def customer_page(request, customer_id: int):
    try:
        story = selectors.customer_story(customer_id=customer_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "support_playbook/customer.html",
        {
            **story,
            "extend_form": ExtendReservationForm(),
            "page_title": story["customer"].name or story["customer"].email,
        },
    )


def _order_forms(order, bound=None) -> dict:
    bound = bound or {}
    lines = list(order.lines.all())
    address = order.shipping_address or {}
    return {
        "change_address": bound.get("change_address") or AddressForm(prefix="change_address", initial=address),
        "cancel": bound.get("cancel") or CancelForm(prefix="cancel", lines=lines),
        "refund": bound.get("refund") or AmountForm(prefix="refund"),
        "goodwill": bound.get("goodwill") or AmountForm(prefix="goodwill"),
        "extend_pickup": bound.get("extend_pickup") or ExtendPickupForm(prefix="extend_pickup"),
        "fix_contact": bound.get("fix_contact")
        or ContactForm(prefix="fix_contact", initial={"email": order.contact_email, "phone": order.contact_phone}),
    }


def _order_page(request, number: str, *, bound=None, status=200):
    try:
        order = selectors.console_order(number=number)
    except NotFound:
        raise Http404 from None
    refundable = orders.paid_and_not_refunded(order.payment)
    context = {
        "order": order,
        "actions": selectors.order_actions(order, refundable=refundable),
        "forms": _order_forms(order, bound),
        "refundable": refundable,
        "page_title": _("Order %(number)s") % {"number": order.number},
    }
    return render(request, "support_playbook/console_order.html", context, status=status)


@care_required
def order_page(request, number: str):
    return _order_page(request, number)


RESENDS = {
    "resend_confirmation": "confirmation",
    "resend_pickup_code": "pickup_code",
    "resend_tracking_link": "tracking_link",
}


def _run(action, order, form, user):
    data = form.cleaned_data
    if action == "change_address":
        address = {k: data[k] for k in ("name", "line1", "line2", "city", "postcode", "country")}
        return console.change_address(order=order, address=address, reason=data["reason"], actor=user)
    if action == "cancel":
        lines = {data["sku"]: data["quantity"] or 1} if data["sku"] else None
        return console.cancel(order=order, lines=lines, reason=data["reason"], actor=user)
    if action in ("refund", "goodwill"):
        return console.refund(order=order, amount=data["amount"], reason=data["reason"], kind=action, actor=user)
    if action == "extend_pickup":
        return console.extend_pickup(order=order, days=data["days"], reason=data["reason"], actor=user)
    if action == "fix_contact":
        return console.fix_contact(
            record=order, email=data["email"], phone=data["phone"], reason=data["reason"], actor=user
        )
    return console.resend(order=order, what=RESENDS[action], actor=user)


FORM_FOR = {
    "change_address": AddressForm,
    "cancel": CancelForm,
    "refund": AmountForm,
    "goodwill": AmountForm,
    "extend_pickup": ExtendPickupForm,
    "fix_contact": ContactForm,
    **{name: ResendForm for name in RESENDS},
}


@require_POST
@care_required
def order_action(request, number: str, action: str):
    if action not in FORM_FOR:
        raise Http404
    try:
        order = selectors.console_order(number=number)
    except NotFound:
        raise Http404 from None
    kwargs = {"lines": list(order.lines.all())} if action == "cancel" else {}
    form = FORM_FOR[action](request.POST, prefix=None if action in RESENDS else action, **kwargs)
    if not form.is_valid():
        messages.error(request, _("Please correct the form."))
        return _order_page(request, number, bound={action: form}, status=422)
    try:
        result = _run(action, order, form, request.user)
    except DomainError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return _order_page(request, number, bound={action: form}, status=exc.status_code)
    if isinstance(result, RefundRequest) and result.status == RefundRequest.Status.PENDING:
        messages.warning(request, _("Above your limit: the refund waits for head office's approval."))
    else:
        messages.success(request, _("Done: order %(number)s updated.") % {"number": order.number})
    return redirect("care:order", number=order.number)


@require_POST
@care_required
def reservation_extend(request, number: str):
    reservation = Reservation.objects.filter(number=number.upper()).first()
    if reservation is None:
        raise Http404
    form = ExtendReservationForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please correct the form."))
        console.extend_reservation(
            reservation=reservation,
            hours=form.cleaned_data["hours"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reservation %(number)s is held longer.") % {"number": reservation.number})
    return redirect("care:customer", customer_id=reservation.customer_id)


@care_required
def order_on_behalf(request, customer_id: int):
    """One page for an order taken on the phone: find items (name, colour, size, SKU or barcode) with their price
    and where they are, add them to the order (the page's own GET: nothing is written until it is placed), place."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    given = request.POST if request.method == "POST" else request.GET
    query = given.get("q", "").strip()[:64]
    # One POST form: "search" and "add:<SKU>" only show the page again with what was typed; "place" writes.
    step = given.get("do", "place") if request.method == "POST" else "search"
    typed = {name: given.get(name, "")[:2000] for name in OnBehalfForm.base_fields}
    if step.startswith("add:"):
        typed["items"] = f"{typed['items'].rstrip()}\n{step.removeprefix('add:')[:64]} 1".strip()
    form = OnBehalfForm(request.POST, initial=typed) if step == "place" else OnBehalfForm(initial=typed)
    if step == "place" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["method"] == "reserve":
                reservation = console.reserve_on_behalf(
                    customer=customer, lines=data["items"], location=data["store"], actor=request.user
                )
                messages.success(request, _("Reservation %(number)s placed.") % {"number": reservation.number})
                return redirect("care:customer", customer_id=customer.pk)
            if data["method"] == "store_pickup":
                fulfillment = {"method": "store_pickup", "pickup_location": data["store"].upper()}
            else:
                fulfillment = {
                    "method": "home_delivery",
                    "speed": "standard",
                    "address": {
                        "name": customer.name or customer.email,
                        "line1": data["line1"],
                        "city": data["city"],
                        "postcode": data["postcode"],
                        "country": "IT",
                    },
                }
            order = console.order_on_behalf(
                customer=customer,
                lines=data["items"],
                fulfillment=fulfillment,
                pay_by_link=data["pay_by_link"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
            return redirect("care:order", number=order.number)
    items_text = form.data.get("items", "") if form.is_bound else typed["items"]
    basket, _errors = phone_order_lines(items_text)
    skus = search_skus(query=query, limit=10) if query else []
    prices, currency = _phone_prices([s.code for s in skus] + [line["sku"] for line in basket])
    rows = []
    if skus:
        near = selectors.customer_point(customer)
        found = {row["sku"]: row for row in availability(sku_codes=[s.code for s in skus], near=near)}
        rows = [
            {"sku": sku, "price": prices.get(sku.code), "locations": found.get(sku.code, {}).get("locations", [])}
            for sku in skus
        ]
    for line in basket:
        price = prices.get(line["sku"])
        line["price"], line["amount"] = price, price * line["quantity"] if price is not None else None
    total = sum((line["amount"] for line in basket if line["amount"] is not None), Decimal("0"))
    status = 422 if step == "place" else 200
    context = {"customer": customer, "form": form, "query": query, "rows": rows, "basket": basket, "total": total}
    return render(
        request,
        "support_playbook/on_behalf.html",
        {**context, "currency": currency, "page_title": _("Order by phone")},
        status=status,
    )


def _phone_prices(codes: list[str]) -> tuple[dict, str]:
    """The phone price of each SKU shown, and the currency ({} and "" until head office creates the call-center
    channel): the channel read once for both."""
    try:
        channel = console.call_center_channel()
    except DomainError:
        return {}, ""
    return (console.phone_prices(channel=channel, skus=codes) if codes else {}), channel.currency


@care_required
def refund_requests(request):
    return render(
        request,
        "support_playbook/refunds.html",
        {
            "requests": selectors.pending_refunds(),
            "can_decide": has_right(request.user, Right.APPROVE_REFUND_OVER_LIMIT),
            "page_title": _("Refunds to approve"),
        },
    )


@require_POST
@care_required
def refund_decide(request, request_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404
    if not has_right(request.user, Right.APPROVE_REFUND_OVER_LIMIT):
        raise PermissionDenied
    refund = RefundRequest.objects.select_related("order").filter(pk=request_id).first()
    if refund is None:
        raise Http404
    try:
        console.decide_refund(
            request=refund, approve=decision == "approve", actor=request.user, note=request.POST.get("note", "")[:500]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: order %(number)s updated.") % {"number": refund.order.number})
    return redirect("care:refunds")
