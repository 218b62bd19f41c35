"""The API tier: the same code, views, authentication, permissions and throttles as `omnichannel.settings`,
served with only the middleware an API answer needs (DESIGN.md section 17: API and pages as separate process
groups). Run web processes for `/api/` with `DJANGO_SETTINGS_MODULE=omnichannel.settings_api`; pages, the admin
and the customer's tracking page stay on `omnichannel.settings`.

Left out, and why it is safe for the API: sessions, CSRF, authentication and messages middleware (the API
authenticates API keys only, never a session or cookie), the login lockout (no login here), CSP and WhiteNoise
(no HTML or static files are served). Kept: security headers, no-store, the NUL guard, language, CommonMiddleware
and X-Frame-Options. docs/benchmarks.md has what each stack costs per request.
"""

from omnichannel.settings import *  # noqa: F403
from omnichannel.settings import MIDDLEWARE

API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "omnichannel.middleware.NoStoreMiddleware",
    # After a write, the client reads its own writes from the primary (omnichannel/replica.py).
    "omnichannel.replica.ReadYourWritesMiddleware",
    "omnichannel.middleware.RejectBadRequestMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
assert set(API_MIDDLEWARE) <= set(MIDDLEWARE)  # a subset of the full stack, in the same order
MIDDLEWARE = API_MIDDLEWARE
ROOT_URLCONF = "omnichannel.urls_api"
