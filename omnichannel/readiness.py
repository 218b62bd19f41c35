"""What `/readyz` reports: the primary (without it a node cannot sell), and the parts a node sells without for a
while: the read replica and its lag, the shared cache, the task broker. Anyone may ask (the load balancer does, with
no credentials): the answer names states, never addresses or error texts, which go to the log."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection

from omnichannel import replica
from omnichannel.shared_cache import CACHE_UNREACHABLE

logger = logging.getLogger(__name__)


def _primary() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("readyz: the primary database does not answer: %s", str(error).strip()[:200])
        return {"status": "unreachable"}
    return {"status": "ok", "vendor": connection.vendor}


def _replica() -> dict:
    health = replica.replica_health(fresh=True)
    if health.lag_seconds is None:
        return {"status": "unreachable", "reads_from": "primary"}
    lag = round(health.lag_seconds, 3)
    if lag > settings.REPLICA_ALERT_LAG_SECONDS:
        logger.error(
            "read replica %.1f s behind the primary (alert past %s s)", lag, settings.REPLICA_ALERT_LAG_SECONDS
        )
    status = "ok" if health.usable else "lagging"
    return {"status": status, "lag_seconds": lag, "reads_from": "replica" if health.usable else "primary"}


def _cache() -> dict:
    from django.core.cache import cache

    try:
        cache.set("readyz", 1, timeout=5)
        cache.get("readyz")
    except CACHE_UNREACHABLE as error:
        logger.warning("readyz: the shared cache does not answer: %s", error)
        return {"status": "unreachable"}
    return {"status": "ok", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict:
    if not settings.Q_BROKER_URL:
        return {"status": "ok", "broker": "database"}
    from django_q.brokers import get_broker

    try:
        get_broker().connection.ping()
    except CACHE_UNREACHABLE as error:
        logger.warning("readyz: the task broker does not answer: %s", error)
        return {"status": "unreachable", "broker": "redis"}
    return {"status": "ok", "broker": "redis"}


def readiness() -> tuple[bool, dict]:
    """(this node can sell, the details)."""
    checks = {"database": _primary(), "cache": _cache(), "broker": _broker()}
    if replica.configured():
        checks["replica"] = _replica()
    ready = checks["database"]["status"] == "ok"
    degraded = any(check["status"] != "ok" for check in checks.values())
    status = "unavailable" if not ready else ("degraded" if degraded else "ready")
    return ready, {"status": status, **checks}
