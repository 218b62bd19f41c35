"""Rate limits for the API (DESIGN.md section 13): per API key, per client address, and for wrong keys.

Fixed windows counted in the shared cache (`CACHE_URL`: Redis in production, so every web process counts
together; a local cache in the demo and tests). One `add` + one `incr` per limit and request, whatever the rate:
DRF's own SimpleRateThrottle keeps a list of every request's time, which grows with the rate it allows.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, throttling

from omnichannel.shared_cache import CACHE_UNREACHABLE, cache_unreachable

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" → (600, 60). The period's first letter counts, as in DRF (s, m, h, d)."""
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1].lower()]


def _count(name: str, *, rate: str, add: bool) -> float | None:
    """Count a hit on `name` in the current window (or only look, with add=False): the seconds until the
    window ends when the limit is passed, else None."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    try:
        count = _hits(f"throttle:{name}:{window}", period=period, add=add)
    except CACHE_UNREACHABLE as error:  # fail open: a Redis outage must not stop sales (omnichannel/shared_cache.py)
        cache_unreachable("rate limits", error)
        return None
    return max((window + 1) * period - now, 1.0) if count > limit else None


def _hits(key: str, *, period: int, add: bool) -> int:
    if add:
        if cache.add(key, 1, timeout=period + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # the window's key expired between add and incr
                cache.set(key, 1, timeout=period + 1)
                count = 1
    else:
        count = cache.get(key, 0)
    return count


def client_address(request) -> str:
    """The address that limits count against: REMOTE_ADDR, or the client's as the trusted proxy saw it
    (`API_TRUSTED_PROXIES` = how many proxies in front append to X-Forwarded-For)."""
    return throttling.BaseThrottle().get_ident(request)


class _WindowThrottle(throttling.BaseThrottle):
    scope = ""

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        rate = settings.API_RATES.get(self.scope)
        ident = self.ident(request)
        self._wait = _count(f"{self.scope}:{ident}", rate=rate, add=True) if rate and ident else None
        return self._wait is None

    def wait(self):
        return self._wait


class ApiKeyRateThrottle(_WindowThrottle):
    """Requests per API key (`API_RATE_PER_KEY`)."""

    scope = "key"

    def ident(self, request):
        key_id = getattr(request.user, "api_key_id", None)
        return str(key_id) if key_id else None


class ClientAddressRateThrottle(_WindowThrottle):
    """Requests per client address (`API_RATE_PER_IP`), keyed or not (the schema and docs too)."""

    scope = "ip"

    def ident(self, request):
        return client_address(request)


def refuse_if_guessing_keys(request) -> None:
    """429 for an address that sent more wrong keys than `API_RATE_BAD_KEYS` in the window."""
    rate = settings.API_RATES.get("bad_keys")
    wait = rate and _count(f"bad_keys:{client_address(request)}", rate=rate, add=False)
    if wait:
        raise exceptions.Throttled(wait=wait, detail="Too many wrong API keys from this address.")


def count_bad_key(request) -> None:
    rate = settings.API_RATES.get("bad_keys")
    if rate:
        _count(f"bad_keys:{client_address(request)}", rate=rate, add=True)
