"""The shared cache (CACHE_URL, Redis in a fleet) when it does not answer: what each use does then.

Redis holds nothing that is the truth of a sale (stock, orders and the outbox are in PostgreSQL), so a node without
it keeps selling:

- API rate limits **fail open**: requests are not counted while Redis is away (a log line says so); the per-address
  limits of the load balancer, if any, still apply.
- API key revocation **fails closed**: a web process that cannot read the key version reads the key from PostgreSQL
  on every request, so a revoked key is refused at once even then.
- Read-your-writes **fails towards the primary**: without the marker, a client's reads go to the primary.
- The login lockout is not in the cache at all (django-axes' database handler): it holds whatever Redis does.
"""

import logging
import time

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a cache backend raises when its server does not answer (Django's RedisCache lets redis-py's errors through).
CACHE_UNREACHABLE = (RedisError, OSError)

_LOG_EVERY_SECONDS = 30.0
_last_logged: dict[str, float] = {}


def cache_unreachable(use: str, error: BaseException) -> None:
    """Log that the shared cache did not answer for `use`, at most once per 30 s per use and process (a Redis outage
    under load would otherwise write a line per request)."""
    now = time.monotonic()
    if now - _last_logged.get(use, -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS:
        _last_logged[use] = now
        logger.warning("shared cache unreachable (%s): %s; going on without it", use, error)
