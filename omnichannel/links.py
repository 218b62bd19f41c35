"""Absolute links that go to customers (tracking page, reservation page) in API bodies and messages."""

from django.conf import settings


def public_url(path: str, request=None) -> str:
    """`PUBLIC_BASE_URL` + path when it is set; else the request's own host (API answers); else the demo's
    local address (messages are written outside any request)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return "http://localhost:8000" + path
