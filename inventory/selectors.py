"""Reads of catalog and stock: availability per location and per channel (DESIGN.md section 5).

available(location, sku) = on_hand - committed - safety_stock, never reported below 0.
available(channel, sku)  = Σ available(location, sku) over the channel's active source locations
                           - the channel's safety buffer, never below 0.

Every function here runs a constant number of queries whatever the number of SKUs or locations
(tests assert it), so the availability API stays flat under load.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum

from inventory.models import SKU, ChannelListing, Product, StockLevel
from omnichannel.errors import InvalidInput, NotFound
from omnichannel.geo import haversine_km
from stores.models import Location, SalesChannel
from stores.selectors import nearby_stores

MAX_SKUS_PER_AVAILABILITY_REQUEST = 100


def products_with_skus(*, channel_id: int | None = None) -> QuerySet:
    """Products with their active SKUs and (when a channel is given) that channel's published listings."""
    from django.db.models import Prefetch

    skus = SKU.objects.filter(active=True).order_by("code")
    listings = ChannelListing.objects.filter(published=True)
    if channel_id is not None:
        listings = listings.filter(channel_id=channel_id)
    return Product.objects.prefetch_related(
        Prefetch("skus", queryset=skus.prefetch_related(Prefetch("listings", queryset=listings)))
    )


def product_for_sku_code(*, code: str, channel_id: int | None = None) -> Product:
    product = products_with_skus(channel_id=channel_id).filter(skus__code=code, skus__active=True).first()
    if product is None:
        raise NotFound(f"Unknown SKU: {code}", details={"sku": code})
    return product


def parse_sku_codes(raw: str) -> list[str]:
    """`A,B,C` → unique codes in request order; 400 when empty or too many."""
    codes = list(dict.fromkeys(code.strip() for code in (raw or "").split(",") if code.strip()))
    if not codes:
        raise InvalidInput("Give one or more SKU codes: ?skus=A,B", details={"skus": raw or ""})
    if len(codes) > MAX_SKUS_PER_AVAILABILITY_REQUEST:
        raise InvalidInput(
            f"At most {MAX_SKUS_PER_AVAILABILITY_REQUEST} SKUs per request.",
            details={"skus": len(codes), "max": MAX_SKUS_PER_AVAILABILITY_REQUEST},
        )
    return codes


@dataclass(frozen=True)
class _Loc:
    id: int
    code: str
    latitude: float
    longitude: float


def availability(
    *,
    sku_codes: list[str],
    channel: SalesChannel | None = None,
    location_code: str | None = None,
    near: tuple[float, float] | None = None,
) -> list[dict]:
    """Per SKU: the channel's available-to-sell and the locations that have it.

    `locations` lists every active location with available > 0 (nearest first with `distance_km` when `near`
    is given, else by code); with `location_code` only that location, even at 0. Four queries.
    """
    skus = dict(SKU.objects.filter(code__in=sku_codes, active=True).values_list("code", "id"))
    unknown = [code for code in sku_codes if code not in skus]
    if unknown:
        raise NotFound(f"Unknown SKU: {', '.join(unknown)}", details={"skus": unknown})

    locations = {
        row[0]: _Loc(*row)
        for row in Location.objects.filter(active=True).values_list("id", "code", "latitude", "longitude")
    }
    only_location = None
    if location_code:
        only_location = next((loc for loc in locations.values() if loc.code == location_code), None)
        if only_location is None:
            raise NotFound(f"Unknown location: {location_code}", details={"location": location_code})

    source_ids: set[int] = set()
    if channel is not None:
        source_ids = set(channel.source_locations.filter(active=True).values_list("id", flat=True))

    per_sku: dict[int, dict[int, int]] = {sku_id: {} for sku_id in skus.values()}
    levels = StockLevel.objects.filter(
        sku_id__in=skus.values(), location__active=True, on_hand__gt=F("committed") + F("safety_stock")
    ).values_list("sku_id", "location_id", "on_hand", "committed", "safety_stock")
    for sku_id, location_id, on_hand, committed, safety in levels:
        per_sku[sku_id][location_id] = on_hand - committed - safety

    distances = {}
    if near is not None:
        distances = {loc.id: haversine_km(near[0], near[1], loc.latitude, loc.longitude) for loc in locations.values()}

    results = []
    for code in sku_codes:
        by_location = per_sku[skus[code]]
        if only_location is not None:
            location_ids = [only_location.id]
        else:
            location_ids = list(by_location)
        if near is not None:
            location_ids.sort(key=lambda loc_id: (distances[loc_id], locations[loc_id].code))
        else:
            location_ids.sort(key=lambda loc_id: locations[loc_id].code)
        entries = []
        for loc_id in location_ids:
            entry = {"location": locations[loc_id].code, "available": by_location.get(loc_id, 0)}
            if near is not None:
                entry["distance_km"] = round(distances[loc_id], 1)
            entries.append(entry)
        result = {"sku": code}
        if channel is not None:
            channel_total = sum(qty for loc_id, qty in by_location.items() if loc_id in source_ids)
            result["channel_available"] = max(channel_total - channel.safety_buffer, 0)
        result["locations"] = entries
        results.append(result)
    return results


def search_skus(*, query: str, limit: int = 25) -> list[SKU]:
    """SKUs whose code or GTIN matches exactly or by prefix, or whose product name contains the words."""
    query = (query or "").strip()
    if not query:
        return []
    exact = Q(code__iexact=query) | Q(gtin=query)
    by_name = Q()
    for word in query.split():
        by_name &= Q(product__name__icontains=word)
    matches = (
        SKU.objects.filter(active=True)
        .filter(exact | Q(code__istartswith=query) | by_name | Q(product__style__iexact=query))
        .select_related("product")
        .order_by("code")
    )
    return list(matches[:limit])


def stock_lookup(*, location: Location, query: str) -> dict:
    """The stock lookup page: for each matching SKU, this store's numbers and the nearest stores' available."""
    skus = search_skus(query=query)
    neighbours = nearby_stores(location=location)
    location_ids = [location.id] + [loc.id for loc, _km in neighbours]
    levels = {
        (level.location_id, level.sku_id): level
        for level in StockLevel.objects.filter(sku__in=skus, location_id__in=location_ids)
    }
    rows = []
    for sku in skus:
        here = levels.get((location.id, sku.id))
        rows.append(
            {
                "sku": sku,
                "on_hand": here.on_hand if here else 0,
                "committed": here.committed if here else 0,
                "safety_stock": here.safety_stock if here else 0,
                "available": here.available if here else 0,
                "nearby": [
                    {
                        "location": loc,
                        "distance_km": km,
                        "available": levels[(loc.id, sku.id)].available if (loc.id, sku.id) in levels else 0,
                    }
                    for loc, km in neighbours
                ],
            }
        )
    return {"rows": rows, "nearby_stores": neighbours}


def stock_summary(*, location: Location) -> dict:
    totals = StockLevel.objects.filter(location=location, on_hand__gt=0).aggregate(
        skus=Count("id"), on_hand=Sum("on_hand"), committed=Sum("committed")
    )
    low = StockLevel.objects.filter(
        location=location, on_hand__gt=0, on_hand__lte=F("committed") + F("safety_stock") + 1
    )
    return {
        "skus_in_stock": totals["skus"] or 0,
        "units_on_hand": totals["on_hand"] or 0,
        "units_committed": totals["committed"] or 0,
        "skus_low": low.count(),
    }
