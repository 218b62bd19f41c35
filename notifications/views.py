from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications import selectors, services
from omnichannel.errors import NotFound


@csrf_exempt
@require_POST
def twilio_status(request):
    """Twilio's delivery report for an SMS, accepted only with a valid X-Twilio-Signature."""
    if not settings.TWILIO_AUTH_TOKEN:
        return HttpResponseForbidden("SMS status callbacks need TWILIO_AUTH_TOKEN.")
    # Twilio signs the public URL it called, which is ours behind any proxy.
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    url = f"{base}{request.get_full_path()}" if base else request.build_absolute_uri()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST.dict(), signature):
        return HttpResponseForbidden("Invalid signature.")
    services.mark_delivery_status(
        provider_message_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@never_cache
def tracking_page(request, token: str):
    """The customer's branded tracking page: no login, the unguessable token is the key."""
    try:
        order = selectors.order_for_tracking(token=token)
    except NotFound:
        raise Http404 from None
    services.record_tracking_page_view(order=order)
    languages = {code for code, _name in settings.LANGUAGES}
    locale = request.GET.get("lang") if request.GET.get("lang") in languages else order.customer.locale
    parcels = []
    for fulfillment in order.fulfillments.all():
        collects = fulfillment.flow != "ship"
        store = (fulfillment.pickup_location or fulfillment.source_location) if collects else None
        parcels.append(
            {
                "fulfillment": fulfillment,
                "store": store,
                "hours": selectors.opening_hours(store) if store else [],
                "map_url": f"https://www.openstreetmap.org/?mlat={store.latitude}&mlon={store.longitude}#map=17/"
                f"{store.latitude}/{store.longitude}"
                if store
                else "",
                "pickup_code": fulfillment.pickup_code if fulfillment.status == "ready_for_pickup" else "",
            }
        )
    with translation.override(locale):
        response = render(
            request,
            "notifications/tracking.html",
            {
                "order": order,
                "parcels": parcels,
                "brand": settings.BRAND_NAME,
                "locale": locale,
                "marketing": selectors.marketing_for(customer=order.customer, locale=locale),
                "other_language": "en" if locale == "it" else "it",
            },
        )
    response["Content-Language"] = locale
    response["X-Robots-Tag"] = "noindex"
    return response
