"""The customer's returns, from the tracking link: choose the items, why, money or an exchange, and how to send
them back; then the return's own page (instructions, progress, refund, cancel while not sent). No login: the
unguessable tokens are the keys."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.cache import never_cache

from notifications import selectors
from notifications.forms import CustomerReturnForm
from notifications.views import customer_locale, customer_page, map_url
from omnichannel.errors import DomainError, NotFound
from orders import services as orders
from orders.models import Return, ReturnReason
from orders.returns import selectors as return_selectors


@never_cache
def start_return_page(request, token: str):
    try:
        order = selectors.order_for_tracking(token=token)
    except NotFound:
        raise Http404 from None
    locale = customer_locale(request, order)
    status = 200
    with translation.override(locale):  # the form's labels and errors in the customer's language
        form = CustomerReturnForm(
            request.POST if request.method == "POST" else None,
            returnables=orders.returnable_lines(order),
            reasons=ReturnReason.objects.filter(active=True),
        )
        if request.method == "POST":
            status = 422
            if form.is_valid():
                how = form.cleaned_data["how"]
                try:
                    return_request = orders.request_return(
                        how=how,
                        lines=form.lines(),
                        location=form.cleaned_data["store"] if how == Return.How.IN_STORE else None,
                        drop_off=form.cleaned_data["locker"] if how == Return.How.LOCKER else None,
                        exchange=form.exchange(),
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                    status = exc.status_code
                else:
                    return redirect(f"/return/{return_request.token}/?lang={locale}&done=started")
    context = {"order": order, "form": form, "refused": form.refused}
    return customer_page(request, "notifications/return_start.html", context, locale=locale, status=status)


@never_cache
def return_page(request, token: str):
    try:
        return_request = return_selectors.return_by_token(token)
    except NotFound:
        raise Http404 from None
    locale = customer_locale(request, return_request)
    refused = ""
    if request.method == "POST":
        # "I sent it" (a courier or locker parcel on its way), or "keep my items" (cancel).
        sent = request.POST.get("action") == "sent" and return_request.how != Return.How.IN_STORE
        try:
            if sent:
                orders.mark_return_sent(return_request=return_request, data={"by": "customer"})
            else:
                orders.cancel_return(return_request=return_request, reason="cancelled on the return page")
        except DomainError:
            refused = "closed"
        else:
            return redirect(f"{request.path}?lang={locale}&done={'sent' if sent else 'cancelled'}")
    store = return_request.location
    context = {
        "return_request": return_request,
        "store": store if return_request.how == Return.How.IN_STORE else None,
        "hours": selectors.opening_hours(store) if return_request.how == Return.How.IN_STORE else [],
        "map_url": map_url(store),
        "preview": orders.refund_preview(return_request),
        "started_now": request.GET.get("done") == "started",
        "cancelled_now": request.GET.get("done") == "cancelled",
        "sent_now": request.GET.get("done") == "sent",
        "refused": refused,
    }
    return customer_page(request, "notifications/return.html", context, locale=locale, status=409 if refused else 200)
