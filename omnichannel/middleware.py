"""Request guards and response headers every page and API answer gets."""

import logging

from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from omnichannel.db import DatabaseBusy, DatabaseUnavailable, is_database_unavailable, retry_once_on_lock_conflict

logger = logging.getLogger(__name__)

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


class DatabaseUnavailableMiddleware:
    """A page whose database is unavailable (restarting, a lock held elsewhere past `lock_timeout`) answers 503
    with Retry-After, briefly and without touching the database again: the API error shape under /api/ (DRF's
    handler does the same for API views), a small page elsewhere. Other errors stay Django's (logged, 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        return database_unavailable_answer(request, exception)


def database_unavailable_answer(request, exception=None):
    logger.warning("database unavailable: %s", str(exception)[:300])
    unavailable = DatabaseUnavailable()
    if request.path.startswith(API_PREFIX):
        response = api_error(status=503, code=unavailable.code, message=str(unavailable.message))
    else:
        response = brief_page(title=_("Briefly unavailable"), message=unavailable.message, status=503)
    response["Retry-After"] = str(unavailable.retry_after_seconds)
    return response


def brief_page(*, title, message, status: int) -> HttpResponse:
    """A small page that needs nothing else to render: no template, no database, no session."""
    return HttpResponse(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="font-family: sans-serif; margin: 2rem"><h1>{escape(title)}</h1><p>{escape(message)}</p>'
        "</body></html>",
        status=status,
    )


class LockConflictRetryMiddleware:
    """A page's write (the store dashboard, the care console, the admin) that PostgreSQL aborted for a deadlock
    or a serialization failure is run again once, from the top, in one transaction; a second conflict answers a
    503 page "busy, try again", never a 500. The API has the same rule in its own views
    (`omnichannel.db.retry_once_on_lock_conflict`). Last in MIDDLEWARE: the other middleware's checks (CSRF) ran."""

    WRITES = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in self.WRITES or request.path.startswith(API_PREFIX) or connection.in_atomic_block:
            return None

        @retry_once_on_lock_conflict  # the API's rule: once more after a lock conflict, then DatabaseBusy
        def in_one_transaction():
            with transaction.atomic():
                return view_func(request, *view_args, **view_kwargs)

        try:
            return in_one_transaction()
        except DatabaseBusy as busy:
            logger.warning("lock conflict twice on %s", request.path)
            response = brief_page(title=_("Busy, please try again"), message=busy.message, status=503)
            response["Retry-After"] = "1"
            return response
        except (OperationalError, InterfaceError) as exc:
            if not is_database_unavailable(exc):
                raise
            # Raised here, not in the view: DatabaseUnavailableMiddleware's process_exception would not see it.
            return database_unavailable_answer(request, exc)
