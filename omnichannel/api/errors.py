"""The single mapping from exceptions to the API error shape `{"error": {"code", "message", "details"}}`."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from omnichannel.api.parsers import PayloadTooLarge
from omnichannel.db import DatabaseBusy, is_lock_conflict
from omnichannel.errors import DomainError

logger = logging.getLogger(__name__)

# DRF exception class -> our error code. The first match in the class's MRO wins.
_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    PayloadTooLarge: "payload_too_large",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "invalid",
}


def error_response(*, code: str, message: str, details=None, status_code: int, headers=None) -> Response:
    body = {"error": {"code": code, "message": str(message), "details": details or {}}}
    return Response(body, status=status_code, headers=headers)


def _drf_code(exc) -> str:
    for klass in type(exc).__mro__:
        if klass in _DRF_CODES:
            return _DRF_CODES[klass]
    return "error"


def exception_handler(exc, context):
    if is_lock_conflict(exc):  # not retried by the view: still an answer in the error shape, never a 500
        exc = DatabaseBusy()
    # An unavailable database is left unhandled here: DRF raises it on, and DatabaseUnavailableMiddleware answers
    # it for API views and pages alike (503, Retry-After).
    if isinstance(exc, DomainError):
        return error_response(code=exc.code, message=exc.message, details=exc.details, status_code=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: let Django log it and answer 500 (never swallowed silently).
        return None

    code = _drf_code(exc)
    if isinstance(exc, exceptions.ValidationError):
        details = {"fields": response.data} if isinstance(response.data, dict) else {"errors": response.data}
        message = "The request is not valid; see details.fields."
    else:
        details = {}
        message = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        details["retry_after_seconds"] = int(exc.wait)
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return error_response(
        code=code, message=message, details=details, status_code=response.status_code, headers=headers
    )


@csrf_exempt  # an API path: no cookie-based session to protect, and a POST must get the 404, not a CSRF page
def not_found_view(request, exception=None):
    """404 for unknown /api/ URLs in the same shape (Django's handler404 would answer HTML)."""
    from django.http import JsonResponse

    return JsonResponse(
        {"error": {"code": "not_found", "message": "No such endpoint.", "details": {}}},
        status=status.HTTP_404_NOT_FOUND,
    )
