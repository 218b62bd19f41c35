import sys

from django.db import connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache

from omnichannel.db import is_database_unavailable
from omnichannel.middleware import API_PREFIX, api_error, database_unavailable_answer


@never_cache
def healthz(request):
    """200 once this process reaches the database; 503 otherwise (load balancers and scripts wait on it)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@never_cache
def readyz(request):
    """For the load balancer: 200 while this node can sell (its primary database answers), 503 when it cannot. The
    details say what else answers: the replica and its lag, the shared cache, the task broker. Those degrade the
    node (status "degraded", still 200: the node sells without them, and every node shares them, so taking all out
    of the pool would stop sales) and log an error past REPLICA_ALERT_LAG_SECONDS of lag."""
    from omnichannel.readiness import readiness

    ready, details = readiness()
    return JsonResponse(details, status=200 if ready else 503)


def _api_or(default_view, request, *, status: int, code: str, message: str, **kwargs):
    if request.path.startswith(API_PREFIX):
        return api_error(status=status, code=code, message=message)
    return default_view(request, **kwargs)


def bad_request(request, exception=None):
    """400 (e.g. a body past DATA_UPLOAD_MAX_MEMORY_SIZE or a bad Host): the API error shape under /api/."""
    return _api_or(
        defaults.bad_request, request, status=400, code="bad_request", message="Bad request.", exception=exception
    )


def permission_denied(request, exception=None):
    return _api_or(
        defaults.permission_denied,
        request,
        status=403,
        code="permission_denied",
        message="Forbidden.",
        exception=exception,
    )


def page_not_found(request, exception=None):
    return _api_or(
        defaults.page_not_found, request, status=404, code="not_found", message="Not found.", exception=exception
    )


def server_error(request):
    """A bug: logged by Django; the API client still gets the error shape, never an HTML page. The database
    unavailable outside a view (a session or user read in a middleware) is a 503, as in a view."""
    exception = sys.exc_info()[1]
    if exception is not None and is_database_unavailable(exception):
        return database_unavailable_answer(request, exception)
    return _api_or(defaults.server_error, request, status=500, code="server_error", message="Server error.")


def csrf_failure(request, reason=""):
    """CSRF refusals: the API error shape under /api/ (whose views never use cookies), Django's page elsewhere."""
    from django.views.csrf import csrf_failure as django_csrf_failure

    if request.path.startswith(API_PREFIX):
        return api_error(status=403, code="permission_denied", message="CSRF check failed.")
    return django_csrf_failure(request, reason=reason)
