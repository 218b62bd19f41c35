"""The API tier's settings with Django 5's psycopg connection pool instead of persistent connections, to measure
one against the other (docs/scaling.md). Needs `pip install "psycopg[pool]"` (not a project dependency).

    CONN_MAX_AGE=0 .venv/bin/python bench/availability.py --settings bench.pool_settings --worker-class sync
"""

from omnichannel.settings_api import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (the pool requires it)
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 2}  # noqa: F405
