"""Reads that tolerate a little lag, served by the read replica (DATABASE_REPLICA_URL) when it is there and healthy.

Routed explicitly, never by a global router: the availability API, the channel feed's snapshot and the KPI pages
call `read_on_replica`; every hold, every write, the feed's cursor reads and every read that decides a write use the
primary as they always did. The primary serves instead, with a log line and never a 500, when:

- the client (API key or signed-in user) wrote within READ_YOUR_WRITES_SECONDS: it must see its own write
  (a marker in the shared cache, set by `ReadYourWritesMiddleware`, seen by every web node);
- the replica lags more than REPLICA_MAX_LAG_SECONDS (checked at most every 2 s per process);
- the replica does not answer (then left alone for 5 s), or fails during the read (the read runs again on the
  primary).
"""

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from omnichannel.shared_cache import CACHE_UNREACHABLE, cache_unreachable

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = DEFAULT_DB_ALIAS
LAG_CHECK_SECONDS = 2.0
DOWN_RETRY_SECONDS = 5.0
T = TypeVar("T")

# 0 when the replica has replayed all the WAL the primary had flushed a moment before (%s: read there first, NULL
# when the primary does not answer); otherwise the age of the last transaction it replayed: an upper bound of how old
# its data is (the first transaction it lacks committed later), which `replica_health` tightens.
LAG_SQL = """
SELECT CASE
    WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass
class ReplicaHealth:
    checked_at: float = float("-inf")
    lag_seconds: float | None = None  # None: unreachable
    caught_up_at: float = float("-inf")  # when it last held everything the primary had (monotonic)

    @property
    def usable(self) -> bool:
        return self.lag_seconds is not None and self.lag_seconds <= settings.REPLICA_MAX_LAG_SECONDS


_health = ReplicaHealth()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_health(*, fresh: bool = False) -> ReplicaHealth:
    """This process's latest view of the replica, measured again when older than 2 s (5 s when it was down)."""
    global _health
    now = time.monotonic()
    age = now - _health.checked_at
    if not fresh and age < (LAG_CHECK_SECONDS if _health.lag_seconds is not None else DOWN_RETRY_SECONDS):
        return _health
    primary_flushed = _primary_wal_flushed()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL, [primary_flushed])
            lag = float(cursor.fetchone()[0])
        # Caught up: all the primary had committed when asked is there. Behind: what it lacks was committed after it
        # was last caught up, and after its last replayed transaction (a quiet primary makes that one old).
        caught_up_at = now if lag == 0 else _health.caught_up_at
        lag = min(lag, now - caught_up_at)
        measured = ReplicaHealth(checked_at=now, lag_seconds=lag, caught_up_at=caught_up_at)
        _say_lag_changed(_health, measured)
        _health = measured
    except DatabaseError as error:
        _went_down(error, now)
    return _health


def _primary_wal_flushed() -> str | None:
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:  # the request that needs the primary will say so; here the replica's own view serves
        return None


def _say_lag_changed(before: ReplicaHealth, after: ReplicaHealth) -> None:
    """A line when the replica falls too far behind and one when it serves again, not one per request between."""
    if not after.usable and (before.usable or before.lag_seconds is None):
        logger.info("read replica %.1f s behind, reading from the primary", after.lag_seconds)
    elif after.usable and not before.usable and before.checked_at != float("-inf"):
        logger.info("read replica %.1f s behind, reading from it again", after.lag_seconds)


def _went_down(error: BaseException, now: float) -> None:
    global _health
    connections[REPLICA].close()  # reconnect on the next try
    if _health.lag_seconds is not None or _health.checked_at == float("-inf"):
        logger.warning("read replica unreachable, reading from the primary: %s", str(error).strip()[:200])
    _health = ReplicaHealth(checked_at=now, lag_seconds=None)


def _marker(request: Any) -> str | None:
    user = getattr(request, "user", None)
    key_id = getattr(user, "api_key_id", None)
    if key_id:
        return f"wrote:key:{key_id}"
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        return f"wrote:user:{user.pk}"
    return None


def just_wrote(request: Any) -> bool:
    marker = _marker(request)
    if marker is None:
        return False
    from django.core.cache import cache

    try:
        return cache.get(marker) is not None
    except CACHE_UNREACHABLE as error:  # without the marker, assume a write: the primary is always right
        cache_unreachable("read-your-writes", error)
        return True


def remember_write(request: Any) -> None:
    marker = _marker(request)
    if marker is None:
        return
    from django.core.cache import cache

    try:
        cache.set(marker, 1, timeout=settings.READ_YOUR_WRITES_SECONDS)
    except CACHE_UNREACHABLE as error:  # reads then go to the primary anyway (`just_wrote`)
        cache_unreachable("read-your-writes", error)


def read_alias(request: Any) -> str:
    """The database this request's lag-tolerant read should use."""
    if not configured():
        return PRIMARY
    if request is not None and just_wrote(request):
        return PRIMARY
    return REPLICA if replica_health().usable else PRIMARY


def read_on_replica(request: Any, read: Callable[[str], T]) -> T:
    """`read(alias)` on the replica when this request may read there; again on the primary when the replica fails
    during it."""
    alias = read_alias(request)
    if alias == PRIMARY:
        return read(PRIMARY)
    try:
        return read(REPLICA)
    except DatabaseError as error:
        _went_down(error, time.monotonic())
        return read(PRIMARY)


class ReadYourWritesMiddleware:
    """After a write the client's lag-tolerant reads go to the primary for READ_YOUR_WRITES_SECONDS."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # 4xx answers wrote nothing; a 5xx may have, half: mark it too.
        if request.method in self.WRITES and configured() and not 400 <= response.status_code < 500:
            remember_write(request)
        return response


_reads_on: ContextVar[str | None] = ContextVar("reads_on", default=None)


@contextmanager
def reads_on(alias: str):
    """Inside this block, the ORM's reads go to `alias` (`ScopedReadRouter`); writes go to the primary as always."""
    token = _reads_on.set(alias)
    try:
        yield
    finally:
        _reads_on.reset(token)


def page_on_replica(request: Any, build: Callable[[], T]) -> T:
    """`build()` (a page's figures, rendered) with its ORM reads on the replica when this request may read there."""

    def build_on(alias: str) -> T:
        with reads_on(alias):
            return build()

    return read_on_replica(request, build_on)


class ScopedReadRouter:
    """Routes ORM reads to the database `reads_on` names, only inside its block: a page opts in, nothing else moves.
    Never migrates the replica (it follows the primary's WAL)."""

    def db_for_read(self, model, **hints):
        return _reads_on.get()

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: an object read there may point at one read here

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
