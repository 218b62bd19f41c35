from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications import selectors, services
from omnichannel.errors import DomainError, NotFound
from omnichannel.links import public_url
from omnichannel.localtime import long_date
from orders import services as orders


@csrf_exempt
@require_POST
def twilio_status(request):
    """Twilio's delivery report for an SMS, accepted only with a valid X-Twilio-Signature."""
    if not settings.TWILIO_AUTH_TOKEN:
        return HttpResponseForbidden("SMS status callbacks need TWILIO_AUTH_TOKEN.")
    # Twilio signs the public URL it called, which is ours behind any proxy.
    url = public_url(request.get_full_path(), request)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST.dict(), signature):
        return HttpResponseForbidden("Invalid signature.")
    services.mark_delivery_status(
        provider_message_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


def customer_locale(request, contact) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return request.GET.get("lang") if request.GET.get("lang") in languages else contact.contact_locale


def customer_page(request, template: str, context: dict, *, locale: str, status: int = 200):
    """A page of the customer's (tracking, reservation): the brand's layout in their language, kept out of
    search engines."""
    context = {
        **context,
        "brand": settings.BRAND_NAME,
        "support_email": settings.BRAND_SUPPORT_EMAIL,
        "support_phone": settings.BRAND_SUPPORT_PHONE,
        "return_window_days": settings.RETURN_WINDOW_DAYS,
        "locale": locale,
        "other_language": "en" if locale == "it" else "it",
    }
    with translation.override(locale):
        response = render(request, template, context, status=status)
    response["Content-Language"] = locale
    response["X-Robots-Tag"] = "noindex"
    return response


def map_url(store) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={store.latitude}&mlon={store.longitude}#map=17/"
        f"{store.latitude}/{store.longitude}"
    )


@never_cache
def tracking_page(request, token: str):
    """The customer's branded tracking page: no login, the unguessable token is the key."""
    try:
        order = selectors.order_for_tracking(token=token)
    except NotFound:
        raise Http404 from None
    services.record_tracking_page_view(order=order)
    locale = customer_locale(request, order)
    parcels, stores_shown = [], set()
    for fulfillment in order.fulfillments.all():
        if not any(line.quantity_open for line in fulfillment.lines.all()) and fulfillment.status == "cancelled":
            continue  # nothing of it reaches the customer: a replaced parcel, or every item missing
        collects = fulfillment.flow != "ship"
        store = orders.fulfillment_store(fulfillment) if collects else None
        parcels.append(
            {
                "fulfillment": fulfillment,
                "status": selectors.customer_status(fulfillment),
                "store": store,
                # A store's address and hours once, however many parts are collected there.
                "show_store": store is not None and store.pk not in stores_shown,
                "hours": selectors.opening_hours(store) if store else [],
                "map_url": map_url(store) if store else "",
                "pickup_code": fulfillment.pickup_code if fulfillment.status == "ready_for_pickup" else "",
            }
        )
        if store is not None:
            stores_shown.add(store.pk)
    context = {
        "order": order,
        "parcels": parcels,
        # Missing for the customer (refunded, substituted, or still being solved); units sent from another location
        # instead are in their parcel.
        "missing_lines": [line for line in order.lines.all() if line.quantity_short],
        "marketing": selectors.marketing_for(order=order, locale=locale),
        "timeline": selectors.customer_timeline(order),
        # Nothing was ever charged: money given back is a released hold, not a refund.
        "never_charged": not order.payment.captured_amount if hasattr(order, "payment") else True,
        # Send items back: offered while any unit may still come back; the returns already started.
        "can_return": any(r.returnable for r in orders.returnable_lines(order)),
        "returns": selectors.returns_of(order),
    }
    return customer_page(request, "notifications/tracking.html", context, locale=locale)


@never_cache
def reservation_page(request, token: str):
    """The customer's reservation: what is held, where, until when; and a button to cancel it (the stock goes
    back on sale at once instead of at the end of the window). No login: the unguessable token is the key."""
    try:
        reservation = selectors.reservation_for_customer(token=token)
    except NotFound:
        raise Http404 from None
    locale = customer_locale(request, reservation)
    refused = ""
    if request.method == "POST":
        try:
            orders.cancel_reservation(reservation=reservation, reason="cancelled on the reservation page")
        except DomainError:
            refused = "closed"  # bought, ended or already cancelled meanwhile: the page shows the state
        else:
            return redirect(f"{request.path}?lang={locale}&done=cancelled")
    store = reservation.location
    context = {
        "reservation": reservation,
        "store": store,
        "hours": selectors.opening_hours(store),
        "map_url": map_url(store),
        "cancelled_now": request.GET.get("done") == "cancelled",
        # Called while the page renders, so in the page's language; on the store's clock.
        "until": lambda: long_date(reservation.expires_at, store.tz_name),
        "refused": refused,
    }
    return customer_page(
        request, "notifications/reservation.html", context, locale=locale, status=409 if refused else 200
    )
