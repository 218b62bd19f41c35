"""Settings for the omnichannel OMS.

Everything that differs between a laptop demo, CI and production comes from environment variables (or a
`.env` file) read through one `environ.Env()`; see README "Configuration".
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# pytest imports these settings itself; a real server never does.
TESTING = "pytest" in sys.modules
# A `.env` (a developer's, a demo's) configures the processes started in this folder, never the test suite: the
# tests get exactly the environment `make test` gives them. OMNICHANNEL_ENV_FILE points elsewhere.
if not TESTING:
    environ.Env.read_env(os.environ.get("OMNICHANNEL_ENV_FILE") or BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The demo key only protects a local demo; production sets SECRET_KEY (README "Configuration", docs/production.env).
DEMO_SECRET_KEY = "insecure-demo-key-set-SECRET_KEY-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
if not DEBUG and not TESTING and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the public demo key while DEBUG is off: set SECRET_KEY (see docs/production.env)."
    )
# docs/production.env's example values start with "change-me": published in this repository, never a real secret.
if not DEBUG and not TESTING and SECRET_KEY.startswith("change-me"):
    raise ImproperlyConfigured(
        "SECRET_KEY is docs/production.env's published example while DEBUG is off: set your own SECRET_KEY."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "omnichannel.views.csrf_failure"
# Absolute base used in links sent to customers (tracking pages); requests build their own when absent.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "axes",
    "omnichannel",
    "stores",
    "inventory",
    "orders",
    "notifications",
    "support_playbook",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves static files (admin, API docs assets) from gunicorn itself: the demo needs no web server in front.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their long cache headers; every other answer is private.
    "omnichannel.middleware.NoStoreMiddleware",
    # After a write, the client reads its own writes from the primary (omnichannel/replica.py).
    "omnichannel.replica.ReadYourWritesMiddleware",
    "omnichannel.middleware.RejectBadRequestMiddleware",
    "omnichannel.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Login lockout sees the authenticated user (django-axes).
    "axes.middleware.AxesMiddleware",
    # Last: a page's write is run in one transaction, again once after a deadlock, after every other check.
    "omnichannel.middleware.LockConflictRetryMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out address or user is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (dashboard and admin): after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked for AXES_COOLOFF_MINUTES; head office can unlock earlier (admin, `axes_reset`).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "stores/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXIES", default=0) or None
AXES_VERBOSE = False

ROOT_URLCONF = "omnichannel.urls"
WSGI_APPLICATION = "omnichannel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stores.context_processors.dashboard",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and task worker share one SQLite file: wait for locks instead of failing. A deferred
    # transaction that reads, then writes, cannot wait (SQLite answers "database is locked" at once to avoid a
    # deadlock): every transaction takes the write lock at BEGIN (IMMEDIATE), and WAL lets readers read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Off by default: it costs a round trip per request; turn on where the database restarts under live traffic.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
    # How long a statement may wait for a lock held elsewhere, and run at all (milliseconds, 0 = no limit): past
    # them the request answers 503 instead of holding a web worker until gunicorn kills it. Production sets both
    # (docs/production.env); off by default so long jobs (imports, migrations) are not cut.
    _timeouts = {
        "lock_timeout": env.int("DB_LOCK_TIMEOUT_MS", default=0),
        "statement_timeout": env.int("DB_STATEMENT_TIMEOUT_MS", default=0),
    }
    if any(_timeouts.values()):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
            f"-c {name}={value}" for name, value in _timeouts.items() if value
        )

# A read replica (streaming replication of the primary) for reads that tolerate a little lag: availability, the
# channel feed's snapshot, KPI pages (omnichannel/replica.py routes them explicitly; everything else, every write and
# every read that decides a write, stays on the primary). Tests read the primary under the replica's name.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "TEST": {"MIRROR": "default"},
    }
    # Seen as such in the replica's pg_stat_activity; a replica that does not answer in 2 s is taken as down.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("application_name", "oms-replica-reads")
    DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", 2)
DATABASE_ROUTERS = ["omnichannel.replica.ScopedReadRouter"]
# Past this lag (seconds) the replica's reads go to the primary, with a log line; /readyz reports the lag, and warns
# (status "degraded") past REPLICA_ALERT_LAG_SECONDS.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_ALERT_LAG_SECONDS = env.float("REPLICA_ALERT_LAG_SECONDS", default=30.0)
# Read-your-writes: an API key or a signed-in user that wrote reads from the primary for this long (never shorter
# than the lag the replica may have). A marker in the shared cache, so every web node knows.
READ_YOUR_WRITES_SECONDS = max(env.float("READ_YOUR_WRITES_SECONDS", default=10.0), REPLICA_MAX_LAG_SECONDS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="it")
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "omnichannel" / "static"]
# Serve straight from the apps' static folders when collectstatic has not run (tests, a quick DEBUG start).
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "stores:dashboard"
LOGOUT_REDIRECT_URL = "login"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ordini@example.com")

TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
# Dotted path of a twilio.http.HttpClient subclass for the SDK (tests pass a fake one; empty = the SDK's own).
TWILIO_HTTP_CLIENT = env.str("TWILIO_HTTP_CLIENT", default="")
# One send to the mail server or Twilio never waits longer than this ...
PROVIDER_TIMEOUT_SECONDS = env.int("PROVIDER_TIMEOUT_SECONDS", default=20)
EMAIL_TIMEOUT = PROVIDER_TIMEOUT_SECONDS
# ... so a message still "sending" after this long was left by a worker that died: the outbox sweep (every minute)
# takes it back and sends it (above the provider timeout, so a slow send is never sent twice).
OUTBOX_SENDING_TIMEOUT_SECONDS = max(
    env.int("OUTBOX_SENDING_TIMEOUT_SECONDS", default=60), 2 * PROVIDER_TIMEOUT_SECONDS
)
BRAND_NAME = env.str("BRAND_NAME", default="Brunello")
# How customers reach customer care (shown on the tracking and reservation pages).
BRAND_SUPPORT_EMAIL = env.str("BRAND_SUPPORT_EMAIL", default="assistenza@example.com")
BRAND_SUPPORT_PHONE = env.str("BRAND_SUPPORT_PHONE", default="+39 02 0000 0000")

REST_FRAMEWORK = {
    # API keys only: a dashboard session is never an API credential (DESIGN.md section 13).
    "DEFAULT_AUTHENTICATION_CLASSES": ["stores.api.auth.ApiKeyAuthentication"],
    # Each view names the key kinds it serves; one that names none serves nobody.
    "DEFAULT_PERMISSION_CLASSES": ["stores.api.permissions.ApiKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": [
        "omnichannel.api.throttling.ClientAddressRateThrottle",
        "omnichannel.api.throttling.ApiKeyRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["omnichannel.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["omnichannel.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "omnichannel.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "omnichannel.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # How many proxies in front append to X-Forwarded-For (0: the client is REMOTE_ADDR).
    "NUM_PROXIES": env.int("TRUSTED_PROXIES", default=0) or None,
}
# Rate limits (`N/second|minute|hour|day`): per API key, per client address (keyed or not), and wrong keys per
# address (then 429 before any lookup). Counted in the shared cache (CACHE_URL).
API_RATES = {
    "key": env.str("API_RATE_PER_KEY", default="3000/minute"),
    "ip": env.str("API_RATE_PER_IP", default="6000/minute"),
    "bad_keys": env.str("API_RATE_BAD_KEYS", default="20/minute"),
}
# Deepest JSON nesting an API body may have (ours need 4).
API_MAX_JSON_DEPTH = 16
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Omnichannel OMS API",
    "DESCRIPTION": (
        "Stock, availability, orders and reservations for every sales channel. "
        "Authenticate with `Authorization: Api-Key <key>` and nothing else (create one with "
        "`manage.py create_api_key <channel>`, or `--location CODE`, `--carrier CODE`, `--care`, `--head-office`). "
        "Each key sees only what its kind and owner allow; every endpoint says which kinds it serves. "
        'Errors always have the shape `{"error": {"code", "message", "details"}}`; 429 comes with `Retry-After`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Assets come from the drf-spectacular-sidecar package: the docs work with no outside network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its error answers in the one error shape (omnichannel/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "omnichannel.api.schema.document_error_answers",
    ],
}

# The task broker: the database (ORM broker, no extra service) unless Q_BROKER_URL names a Redis database, which must
# not be the cache's (an evicting cache would drop queued tasks). A task the broker loses (Redis restarted, a
# worker killed mid-task) is late, never lost: its truth is in PostgreSQL and the job sweeps finish it.
Q_BROKER_URL = env.str("Q_BROKER_URL", default="")
Q_CLUSTER = {
    "name": "omnichannel",
    **({"redis": Q_BROKER_URL} if Q_BROKER_URL else {"orm": "default"}),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 120,
    "retry": 300,
    "catch_up": False,
    # Tests run tasks synchronously, in the test's own process and database (DESIGN.md section 14).
    "sync": env.bool("Q_SYNC", default="pytest" in sys.modules),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Lockouts are warnings; every successful login at INFO is noise.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Which apps contribute to `manage.py seed_demo`, in dependency order (each module has `seed(stdout)`).
DEMO_SEEDERS = [
    "stores.demo",
    "inventory.demo",
    "orders.placement.demo",
    "orders.reservations.demo",
    "orders.returns.demo",
    "orders.shop_floor.demo",
    "notifications.demo",
    "support_playbook.demo",
    "support_playbook.kpi_demo",
]

# Stock and availability.
# How far (km) the stock lookup page looks for "nearby stores".
NEARBY_STORES_RADIUS_KM = env.float("NEARBY_STORES_RADIUS_KM", default=300.0)
NEARBY_STORES_LIMIT = env.int("NEARBY_STORES_LIMIT", default=5)
# How long a web process may reuse a looked-up API key; a revoked key stops at once in every process sharing
# CACHE_URL (a version number in the shared cache is checked on each request).
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=300)
# How long a web process reuses its snapshot of active locations and channels (availability's hot path).
NETWORK_CACHE_SECONDS = env.int("NETWORK_CACHE_SECONDS", default=10)

# The shared cache: API rate limits, key revocation, read-your-writes markers. Redis in production
# (redis://host:6379/0) so every process counts together (the login lockout is in PostgreSQL: django-axes' database
# handler); `make run` uses a file cache that its web workers and task worker share.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if "redis" in CACHES["default"]["BACKEND"].lower():
    # A Redis that does not answer costs a request at most this long (seconds), then the request goes on without it
    # (omnichannel/shared_cache.py says how each use degrades).
    _redis_timeout = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", _redis_timeout)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", _redis_timeout)

# Production security, all from the environment (docs/production.env passes `manage.py check --deploy`).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# "HTTP_X_FORWARDED_PROTO,https" behind a proxy that terminates TLS and sets that header.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): our own origin only, no inline scripts; the pages' inline style
# attributes are allowed. The API docs use drf-spectacular's split Swagger view (no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Bodies over this are refused (413 on the API) before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())

# The region phone numbers typed without a country code are read in (customer care's search, contact fixes).
PHONE_REGION = env.str("PHONE_REGION", default="IT")

# Orders.
ORDER_NUMBER_PREFIX = env.str("ORDER_NUMBER_PREFIX", default="BR")
# How long a pickup waits in store before it is marked not collected and its stock released.
PICKUP_WINDOW = timedelta(days=env.int("PICKUP_WINDOW_DAYS", default=7))
# When a waiting pickup's customer is reminded, before its deadline.
PICKUP_REMINDER_BEFORE = timedelta(hours=env.int("PICKUP_REMINDER_HOURS", default=48))
SAME_DAY_RADIUS_KM = env.float("SAME_DAY_RADIUS_KM", default=30.0)
# Units reported missing are sourced again at once (the pickup store's shelf first for click & collect, else
# the best other source keeping the promise). Off: every missing unit opens a case and a person decides.
AUTO_RECOVER_SHORT_LINES = env.bool("AUTO_RECOVER_SHORT_LINES", default=True)
# A ship-to-store parcel not received this long after it shipped is overdue: a case and a "check parcel" task.
SHIP_TO_STORE_DUE_AFTER = timedelta(hours=env.int("SHIP_TO_STORE_DUE_HOURS", default=72))
# Wrong pickup codes tried for one pickup before the code locks (a 6-digit code cannot be guessed in 5 tries).
PICKUP_CODE_MAX_ATTEMPTS = env.int("PICKUP_CODE_MAX_ATTEMPTS", default=5)

# An order line may be this many percent below the channel's listing price (rounding, a till's cents); below it
# the order is refused with price_mismatch (reductions come as the order's discount).
ORDER_PRICE_TOLERANCE_PERCENT = env.float("ORDER_PRICE_TOLERANCE_PERCENT", default=0.0)

# Customer care (DESIGN.md section 12): what an agent may refund or credit alone (above it, head office approves);
# how far an agent may extend a waiting pickup or a held reservation.
# The limit counts every refund and credit on the order, paid or waiting for approval, not one request at a time.
CARE_REFUND_LIMIT = env.float("CARE_REFUND_LIMIT", default=100.0)
# What one agent may refund and credit alone in a day, across orders (pending requests count).
CARE_REFUND_DAILY_LIMIT = env.float("CARE_REFUND_DAILY_LIMIT", default=500.0)
# The promise stored on each parcel at placement, in open hours of the location that acts: the source ships a
# parcel home or to a locker, or prepares a pickup; a parcel sent to the pickup store is ready there. Keys:
# "method:speed", else "method", else "ship_to_store" for the parcels that travel to the pickup store.
FULFILLMENT_PROMISE_OPEN_HOURS = {
    "home_delivery:standard": 24,
    "home_delivery:express": 8,
    "home_delivery:same_day": 4,
    "locker": 24,
    "store_pickup": 4,
    "curbside": 2,
    "ship_to_store": 48,
}
# An order still to prepare this long after it was placed counts as late in the network view.
ORDER_LATE_AFTER = timedelta(hours=env.int("ORDER_LATE_AFTER_HOURS", default=24))
PICKUP_EXTENSION_MAX_DAYS = env.int("PICKUP_EXTENSION_MAX_DAYS", default=7)
RESERVATION_EXTENSION_MAX_HOURS = env.int("RESERVATION_EXTENSION_MAX_HOURS", default=48)

# Click & reserve (DESIGN.md section 8). Windows in hours; the hold ends at the store's closing time when
# the full window would end after it.
RESERVATION_NUMBER_PREFIX = env.str("RESERVATION_NUMBER_PREFIX", default="RS")
RESERVATION_HOLD = timedelta(hours=env.int("RESERVATION_HOLD", default=48))
RESERVATION_REMINDER_BEFORE = timedelta(hours=env.int("RESERVATION_REMINDER_BEFORE", default=24))
# Per-customer limits: reservations held at once, and units of one item in a reservation.
RESERVATION_MAX_OPEN_PER_CUSTOMER = env.int("RESERVATION_MAX_OPEN_PER_CUSTOMER", default=3)
RESERVATION_MAX_UNITS_PER_LINE = env.int("RESERVATION_MAX_UNITS_PER_LINE", default=2)
# Returns (DESIGN.md section 9): one policy for every channel. Units come back within RETURN_WINDOW_DAYS of their
# delivery or collection, except the categories listed (hygiene); a return by courier or locker costs the customer
# RETURN_FEE (0: the brand pays the return shipping); the order's shipping price is refunded only when every unit
# the customer got comes back. A carrier or locker return not received RETURN_DUE_DAYS after it was requested is
# overdue (a case). Exchanges ship when the return arrives, or at once with EXCHANGE_SHIPS_BEFORE_RETURN.
RETURN_NUMBER_PREFIX = env.str("RETURN_NUMBER_PREFIX", default="RT")
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)
RETURN_EXCLUDED_CATEGORIES = env.list("RETURN_EXCLUDED_CATEGORIES", default=["Notte"])
RETURN_FEE = env.str("RETURN_FEE", default="4.90")
RETURN_REFUNDS_SHIPPING_ON_WHOLE_RETURN = env.bool("RETURN_REFUNDS_SHIPPING_ON_WHOLE_RETURN", default=True)
RETURN_DUE_DAYS = env.int("RETURN_DUE_DAYS", default=14)
EXCHANGE_SHIPS_BEFORE_RETURN = env.bool("EXCHANGE_SHIPS_BEFORE_RETURN", default=False)
# Support playbook (DESIGN.md section 11): when a case's default resolution runs if nobody decided (e.g. refund
# the missing line when the customer has not answered in 48 h).
CASE_DEFAULT_AFTER = timedelta(hours=env.int("CASE_DEFAULT_AFTER_HOURS", default=48))
# Stock counts (DESIGN.md section 5): a SKU's difference within both tolerances applies at once; beyond either it
# waits for the store manager's approval; beyond either case threshold a stock-discrepancy case opens too. Values
# are the units' highest channel price.
COUNT_TOLERANCE_UNITS = env.int("COUNT_TOLERANCE_UNITS", default=2)
COUNT_TOLERANCE_VALUE = env.float("COUNT_TOLERANCE_VALUE", default=60.0)
COUNT_CASE_UNITS = env.int("COUNT_CASE_UNITS", default=10)
COUNT_CASE_VALUE = env.float("COUNT_CASE_VALUE", default=300.0)
# Channel webhooks: a request's timeout, attempts before giving up (backoff from WEBHOOK_RETRY_BASE_SECONDS,
# doubling, with jitter), how long a worker's claim lasts before another worker sends the delivery again, and
# whether loopback and private addresses may be called (off: a channel's URL never reaches our own network).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_CLAIM_TIMEOUT = timedelta(seconds=env.int("WEBHOOK_CLAIM_TIMEOUT_SECONDS", default=300))
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# The channel availability feed keeps its change log (and honours cursors) this long; an older cursor is a 410.
AVAILABILITY_FEED_RETENTION = timedelta(hours=env.int("AVAILABILITY_FEED_RETENTION_HOURS", default=7 * 24))
# Scheduled jobs: name -> task function and period. Schedules are (re)written after `migrate`;
# `manage.py run_job <name>` runs one now.
SCHEDULED_JOBS = {
    "expire_uncollected_pickups": {"func": "orders.tasks.expire_uncollected_pickups", "every_minutes": 15},
    "sweep_outbox": {"func": "notifications.tasks.sweep_outbox", "every_minutes": 1},
    "send_pickup_reminders": {"func": "orders.tasks.send_pickup_reminders", "every_minutes": 15},
    "expire_reservations": {"func": "orders.tasks.expire_reservations", "every_minutes": 5},
    "send_reservation_reminders": {"func": "orders.tasks.send_reservation_reminders", "every_minutes": 15},
    "flag_overdue_parcels": {"func": "orders.tasks.flag_overdue_parcels", "every_minutes": 30},
    "run_case_defaults": {"func": "support_playbook.tasks.run_case_defaults", "every_minutes": 15},
    # The KPI pages read a daily rollup; this keeps it minutes behind the orders ("as of" shown on the pages).
    "refresh_kpis": {"func": "support_playbook.tasks.refresh_kpis", "every_minutes": 10},
    "flag_overdue_returns": {"func": "orders.tasks.flag_overdue_returns", "every_minutes": 60},
    "prune_availability_changes": {"func": "inventory.tasks.prune_availability_changes", "every_minutes": 60},
    # The monthly partitions of the ledger and the timelines, this month and two ahead (PostgreSQL; nothing on SQLite).
    "ensure_monthly_partitions": {"func": "omnichannel.partitions.ensure_all", "every_minutes": 1440},
    "sweep_webhooks": {"func": "notifications.tasks.sweep_webhooks", "every_minutes": 1},
    # The availability pushes' coalescing window: changes within one run go out once per SKU, the last number.
    "push_availability_changes": {
        "func": "notifications.tasks.push_availability_changes",
        "every_minutes": env.int("WEBHOOK_AVAILABILITY_WINDOW_MINUTES", default=1),
    },
}
# Append-only tables partitioned by month of `at` on PostgreSQL (omnichannel/partitions.py; their migrations do it).
MONTHLY_PARTITIONED_TABLES = [
    "inventory_stockmovement",
    "orders_orderevent",
    "orders_reservationevent",
    "orders_returnevent",
]

# Payment provider code -> adapter; "*" serves every provider without an integration of its own.
PAYMENT_ADAPTERS = {"*": "orders.payments.adapters.ManualAdapter"}

# SQLite (the zero-setup demo) ignores the INCLUDE columns of the covering stock index; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
