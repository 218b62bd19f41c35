"""Request guards and response headers every page and API answer gets."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def api_error(*, status: int, code: str, message: str) -> JsonResponse:
    """The API error shape, for answers given outside DRF (middleware, Django's error handlers)."""
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


def error_answer(request, *, status: int, code: str, message: str):
    """The API error shape under /api/, a plain page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return api_error(status=status, code=code, message=message)
    response = HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    response.status_code = status
    return response


class RejectBadRequestMiddleware:
    """400 for a NUL character in the path, the query string or a submitted form: no database stores one,
    and PostgreSQL refuses it with an error that would otherwise surface as a 500 (tracking page, searches)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in request.path or "%00" in query or "\x00" in query
        if not bad and request.method == "POST" and request.content_type in self.FORM_TYPES:
            bad = any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
        if bad:
            return error_answer(request, status=400, code="invalid", message=_("The request contains a NUL character."))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers carry personal data (orders, addresses, pickup codes): no shared or browser cache
    keeps them. Static files are served above this middleware and keep their own cache headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
