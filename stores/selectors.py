"""Reads for the store network."""

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet

from omnichannel.geo import haversine_km, radians_of
from omnichannel.shared_cache import CACHE_UNREACHABLE, cache_unreachable
from stores.models import ApiKey, Location, SalesChannel, StoreMembership
from stores.roles import HEAD_OFFICE_GROUP


def locations(*, capability: str | None = None, kind: str | None = None, active_only: bool = True) -> QuerySet:
    qs = Location.objects.all()
    if active_only:
        qs = qs.active()
    if capability:
        qs = qs.with_capability(capability)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


def sorted_by_distance(locs, *, lat: float, lon: float) -> list[tuple[Location, float]]:
    """(location, km) pairs, nearest first; ties broken by code so the order is stable."""
    pairs = [(loc, haversine_km(lat, lon, loc.latitude, loc.longitude)) for loc in locs]
    return sorted(pairs, key=lambda pair: (pair[1], pair[0].code))


def nearby_stores(
    *, location: Location, radius_km: float | None = None, limit: int | None = None, with_warehouses: bool = False
):
    """Other active stores (and warehouses, when asked) around `location`, nearest first, within the configured
    radius; `limit=0`: all of them."""
    radius_km = settings.NEARBY_STORES_RADIUS_KM if radius_km is None else radius_km
    limit = settings.NEARBY_STORES_LIMIT if limit is None else limit
    kinds = [Location.Kind.STORE, Location.Kind.WAREHOUSE] if with_warehouses else [Location.Kind.STORE]
    others = locations().filter(kind__in=kinds).exclude(pk=location.pk)
    pairs = [(loc, km) for loc, km in sorted_by_distance(others, lat=location.latitude, lon=location.longitude)]
    within = [(loc, km) for loc, km in pairs if km <= radius_km]
    return within[:limit] if limit else within


def is_head_office(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.groups.filter(name=HEAD_OFFICE_GROUP).exists()))


def stores_for_user(user) -> QuerySet:
    """The locations whose dashboard `user` may open: their memberships; head office sees every one."""
    if not user.is_authenticated:
        return Location.objects.none()
    if is_head_office(user):
        return Location.objects.active().exclude(kind=Location.Kind.SUPPLIER)
    return Location.objects.active().filter(memberships__user=user).distinct()


def membership_role(*, user, location: Location) -> str | None:
    return StoreMembership.objects.filter(user=user, location=location).values_list("role", flat=True).first()


@dataclass(frozen=True)
class ApiClient:
    """The authenticated principal of an API request: the key, its kind and its one owner."""

    api_key_id: int
    name: str
    kind: str
    channel_id: int | None = None
    channel_code: str = ""
    location_id: int | None = None
    location_code: str = ""
    carrier: str = ""
    is_authenticated: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    def __str__(self):
        owner = self.channel_code or self.location_code or self.carrier
        return f"{self.kind}:{owner}" if owner else self.kind

    @property
    def label(self) -> str:
        """How the key appears as an actor on timelines: "API key oms_1a2b3c4d (web storefront)"."""
        return f"{self}{f' · {self.name}' if self.name else ''}"


API_KEY_VERSION_CACHE_KEY = "api-keys:version"

# A per-process cache of key hash -> (client, key version seen): authentication then costs one shared-cache read
# and no query. Revoking a key moves the version in the shared cache, so every process re-reads its keys at once.
_api_key_cache: dict[str, tuple[float, object, ApiClient | None]] = {}
_api_key_cache_lock = threading.Lock()


def forget_cached_api_keys() -> None:
    with _api_key_cache_lock:
        _api_key_cache.clear()


def bump_api_key_version() -> None:
    from django.core.cache import cache

    try:
        try:
            cache.incr(API_KEY_VERSION_CACHE_KEY)
        except ValueError:  # not set yet (or evicted): any new value differs from what processes hold
            cache.set(API_KEY_VERSION_CACHE_KEY, time.time_ns(), timeout=None)
    except CACHE_UNREACHABLE as error:
        # The key is revoked in PostgreSQL all the same; processes that cannot read the version read every key
        # there. One that cached the key before the outage and sees the old version after it keeps it at most
        # API_KEY_CACHE_SECONDS (docs/deployment.md).
        cache_unreachable("API key revocation", error)
    forget_cached_api_keys()


_UNKNOWN_VERSION = object()  # the shared cache did not answer: the key is read from PostgreSQL


def _api_key_version():
    from django.core.cache import cache

    try:
        return cache.get(API_KEY_VERSION_CACHE_KEY)
    except CACHE_UNREACHABLE as error:  # fail closed: without the version, no process trusts what it cached
        cache_unreachable("API key revocation", error)
        return _UNKNOWN_VERSION


def api_client_for_key(hashed_key: str) -> ApiClient | None:
    """The active key with this hash, or None (unknown, revoked, or its channel/location inactive)."""
    ttl = settings.API_KEY_CACHE_SECONDS
    now = time.monotonic()
    version = _api_key_version() if ttl > 0 else None
    if version is _UNKNOWN_VERSION:
        ttl = 0  # neither trust nor keep a cached key while the version cannot be read
    if ttl > 0:
        cached = _api_key_cache.get(hashed_key)
        if cached and cached[0] > now and cached[1] == version:
            return cached[2]
    row = (
        ApiKey.objects.filter(hashed_key=hashed_key, revoked_at__isnull=True)
        .filter(Q(channel__isnull=True) | Q(channel__active=True))
        .filter(Q(location__isnull=True) | Q(location__active=True))
        .values("id", "name", "kind", "channel_id", "channel__code", "location_id", "location__code", "carrier")
        .first()
    )
    client = None
    if row:
        client = ApiClient(
            api_key_id=row["id"],
            name=row["name"],
            kind=row["kind"],
            channel_id=row["channel_id"],
            channel_code=row["channel__code"] or "",
            location_id=row["location_id"],
            location_code=row["location__code"] or "",
            carrier=row["carrier"],
        )
    if ttl > 0:
        with _api_key_cache_lock:
            if len(_api_key_cache) > 10_000:
                _api_key_cache.clear()
            _api_key_cache[hashed_key] = (now + ttl, version, client)
    return client


@dataclass(frozen=True)
class LocationPoint:
    id: int
    code: str
    latitude: float
    longitude: float
    kind: str = ""
    capabilities: frozenset = frozenset()
    priority: int = 100
    tz_name: str = "Europe/Rome"
    # {"mon": [["10:00", "19:30"]], …}: the promises placement stores are counted in them.
    opening_hours: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    code: str
    source_ids: frozenset
    safety_buffer: int
    currency: str
    max_listed_quantity: int | None = None
    publish_zero_at_or_below: int = 0
    pricing_authority: bool = False

    def published_number(self, units: int) -> int:
        """What the channel lists for a SKU whose sellable units at its source locations add up to `units`: less
        its safety buffer, 0 at or below its threshold, at most its cap. The availability API, the feed and the
        webhooks all publish this."""
        left = max(units - self.safety_buffer, 0)
        if left <= self.publish_zero_at_or_below:
            return 0
        return left if self.max_listed_quantity is None else min(left, self.max_listed_quantity)

    def explain(self, units: int) -> dict:
        left = max(units - self.safety_buffer, 0)
        return {
            "units_at_sources": units,
            "safety_buffer": self.safety_buffer,
            "after_buffer": left,
            "publish_zero_at_or_below": self.publish_zero_at_or_below,
            "max_listed_quantity": self.max_listed_quantity,
            "published": self.published_number(units),
        }


@dataclass(frozen=True)
class NetworkSnapshot:
    """Active locations and active channels, as hot read paths (availability) need them."""

    locations: dict  # id -> LocationPoint
    radians: dict  # id -> (lat_rad, lon_rad, cos_lat), for omnichannel.geo.distances_km
    location_ids_by_code: dict
    channels_by_code: dict  # code -> ChannelInfo
    channels_by_id: dict


_snapshot: tuple[float, NetworkSnapshot] | None = None
_snapshot_lock = threading.Lock()


def forget_network_snapshot(**_signal_kwargs) -> None:
    """Called when a location or a channel changes (signal receivers in StoresConfig.ready)."""
    global _snapshot
    _snapshot = None


def network_snapshot() -> NetworkSnapshot:
    """The store network, cached per process for NETWORK_CACHE_SECONDS (a change made in another process
    shows within that time; one made here shows at once). Two queries when rebuilt, none otherwise."""
    global _snapshot
    now = time.monotonic()
    cached = _snapshot
    if cached and cached[0] > now:
        return cached[1]
    locations = {
        row[0]: LocationPoint(
            id=row[0],
            code=row[1],
            latitude=row[2],
            longitude=row[3],
            kind=row[4],
            capabilities=frozenset(row[5] or ()),
            priority=row[6],
            tz_name=row[7] or settings.TIME_ZONE,
            opening_hours=row[8] or {},
        )
        for row in Location.objects.active().values_list(
            "id",
            "code",
            "latitude",
            "longitude",
            "kind",
            "capabilities",
            "fulfillment_priority",
            "timezone",
            "opening_hours",
        )
    }
    sources: dict[int, set] = {}
    channels = list(
        SalesChannel.objects.filter(active=True).values(
            "id",
            "code",
            "safety_buffer",
            "currency",
            "max_listed_quantity",
            "publish_zero_at_or_below",
            "pricing_authority",
        )
    )
    through = SalesChannel.source_locations.through.objects.filter(
        saleschannel__active=True, location__active=True
    ).values_list("saleschannel_id", "location_id")
    for channel_id, location_id in through:
        sources.setdefault(channel_id, set()).add(location_id)
    infos = [
        ChannelInfo(
            id=c["id"],
            code=c["code"],
            source_ids=frozenset(sources.get(c["id"], ())),
            safety_buffer=c["safety_buffer"],
            currency=c["currency"],
            max_listed_quantity=c["max_listed_quantity"],
            publish_zero_at_or_below=c["publish_zero_at_or_below"],
            pricing_authority=c["pricing_authority"],
        )
        for c in channels
    ]
    snapshot = NetworkSnapshot(
        locations=locations,
        radians={loc_id: radians_of(p.latitude, p.longitude) for loc_id, p in locations.items()},
        location_ids_by_code={point.code: point.id for point in locations.values()},
        channels_by_code={info.code: info for info in infos},
        channels_by_id={info.id: info for info in infos},
    )
    ttl = settings.NETWORK_CACHE_SECONDS
    if ttl > 0:
        with _snapshot_lock:
            _snapshot = (now + ttl, snapshot)
    return snapshot
