"""A lean WSGI path for the hottest read of the product: `GET /api/v1/availability/` with a channel's API key.

Storefronts ask for availability on every product and listing page. Answering costs ~1 ms of our own work
and one index-only query, but Django's request/response cycle and DRF's dispatch around it cost about
twice that (docs/benchmarks.md: a fixed 25 KB answer through DRF does ~1 000 requests/s on the reference
machine, availability ~350). This wrapper answers the plain case itself, with the very function the DRF
view calls (`availability_answer`), the same renderer, the same database connection handling
(`request_started` / `request_finished`) and the headers the middleware stack would add.

Anything else goes to Django unchanged: no or unknown key, cookies, an `Accept` that is not JSON, a
`?format=`, other methods and paths, and every error, so errors keep one shape and are answered (and
logged) in one place. The path turns itself off under `DEBUG` (browsable API), with `API_FAST_PATH=false`,
and when the middleware stack holds anything it does not mirror. tests/inventory/test_availability_fast_path.py
checks that both paths give the same status, headers and bytes.
"""

from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.urls import reverse
from django.utils import translation

from omnichannel.api.renderers import FastJSONRenderer
from stores.api.auth import api_key_in
from stores.selectors import channel_client_for_key
from stores.services import hash_api_key

SECURITY = "django.middleware.security.SecurityMiddleware"
LOCALE = "django.middleware.locale.LocaleMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
# Middleware whose effect on a 200 JSON answer to an API-key GET is reproduced in `headers` (Security,
# Locale, XFrameOptions), or which does nothing to such a request (no session or messages are touched, a
# GET needs no CSRF check, WhiteNoise serves only static paths, CommonMiddleware only redirects).
MIRRORED_MIDDLEWARE = frozenset(
    {
        SECURITY,
        LOCALE,
        XFRAME,
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    }
)
JSON_MEDIA_TYPES = frozenset({"*/*", "application/*", "application/json"})


def fast_routes() -> dict[str, tuple[type, Callable]]:
    """Path → (DRF view, answer function). The view gives the `Allow` header; the function, the answer."""
    from inventory.api.views import AvailabilityApi, availability_answer

    return {reverse("api:availability"): (AvailabilityApi, availability_answer)}


def fast_path_enabled() -> bool:
    return (
        settings.API_FAST_PATH
        and not settings.DEBUG
        and set(settings.MIDDLEWARE) <= MIRRORED_MIDDLEWARE
        # HTTPS redirects and HSTS depend on how the request came in: leave those deployments to Django.
        and not settings.SECURE_SSL_REDIRECT
        and not settings.SECURE_HSTS_SECONDS
        and not settings.DISALLOWED_USER_AGENTS  # CommonMiddleware's 403
    )


def accepts_json(accept: str) -> bool:
    return not accept or any(part.split(";")[0].strip().lower() in JSON_MEDIA_TYPES for part in accept.split(","))


class FastReadPath:
    """WSGI wrapper around Django's application (omnichannel/wsgi.py)."""

    def __init__(self, django_app):
        self.django_app = django_app
        self.renderer = FastJSONRenderer()
        self._routes = None

    def __call__(self, environ, start_response):
        answered = self.answer(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if answered is None:
            return self.django_app(environ, start_response)
        body, headers = answered
        start_response("200 OK", headers)
        return [body]

    def answer(self, environ) -> tuple[bytes, list[tuple[str, str]]] | None:
        """(body, headers) of the 200 answer, or None when Django should answer."""
        if self._routes is None:
            self._routes = {path: _route(view, fn) for path, (view, fn) in fast_routes().items()}
        route = self._routes.get(environ.get("PATH_INFO"))  # a path with a None route is Django's too
        if route is None or environ.get("HTTP_COOKIE") or not accepts_json(environ.get("HTTP_ACCEPT", "")):
            return None
        raw_key = api_key_in(environ.get("HTTP_AUTHORIZATION", ""))
        if not raw_key or not fast_path_enabled():  # no key, an empty one (Django's 401) or another scheme
            return None
        # Django's own request object: the same Host check (ALLOWED_HOSTS), query parsing and language choice.
        request = WSGIRequest(environ)
        try:
            request.get_host()
        except DisallowedHost:
            return None
        params = request.GET
        if settings.REST_FRAMEWORK.get("URL_FORMAT_OVERRIDE", "format") in params:
            return None
        allow, answer_for = route
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            client = channel_client_for_key(hash_api_key(raw_key))
            if client is None:
                return None
            answer = answer_for(params, key_channel_id=client.channel_id)
        except Exception:
            # Domain errors (bad input, unknown SKU, ...) and anything unexpected: Django answers again, so
            # every error has the API's one shape and is logged where all errors are.
            return None
        finally:
            signals.request_finished.send(sender=self.__class__)
        body = self.renderer.render(answer)
        language = translation.get_language_from_request(request)
        return body, self.headers(body, allow=allow, language=language)

    def headers(self, body: bytes, *, allow: str, language: str) -> list[tuple[str, str]]:
        """What DRF (`Allow`) and the middleware stack put on such an answer."""
        headers = [("Content-Type", self.renderer.media_type), ("Allow", allow), ("Content-Length", str(len(body)))]
        stack = settings.MIDDLEWARE
        if LOCALE in stack:
            headers += [("Vary", "Accept-Language"), ("Content-Language", language)]
        if XFRAME in stack:
            headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()))
        if SECURITY in stack:
            if settings.SECURE_CONTENT_TYPE_NOSNIFF:
                headers.append(("X-Content-Type-Options", "nosniff"))
            if policy := settings.SECURE_REFERRER_POLICY:
                values = [value.strip() for value in policy.split(",")] if isinstance(policy, str) else policy
                headers.append(("Referrer-Policy", ",".join(values)))
            if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
                headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
        return headers


def _route(view_class, answer_for: Callable) -> tuple[str, Callable] | None:
    """(`Allow` header, answer function); None when the view could answer in more than one format (DRF
    then negotiates and adds `Vary: Accept`, which this path does not mirror)."""
    view = view_class()
    view.setup(None)  # as `as_view` does: gives GET views their HEAD
    if [renderer.media_type for renderer in view.get_renderers()] != [FastJSONRenderer.media_type]:
        return None
    return ", ".join(view.allowed_methods), answer_for
