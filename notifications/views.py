from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications import services


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
