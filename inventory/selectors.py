"""Reads of catalog and stock: availability per location and per channel (DESIGN.md section 5).

available(location, sku) = on_hand - committed - safety_stock, never reported below 0.
available(channel, sku)  = Σ available(location, sku) over the channel's active source locations
                           - the channel's safety buffer, never below 0.

Every function here runs a constant number of queries whatever the number of SKUs or locations
(tests assert it), so the availability API stays flat under load.
"""

import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, F, Q, QuerySet, Sum

from inventory.models import SKU, ChannelListing, Product, StockHold, StockLevel, has_stock_to_sell
from omnichannel.errors import InvalidInput, NotFound
from omnichannel.geo import distances_km
from stores.models import Location
from stores.selectors import ChannelInfo, nearby_stores, network_snapshot

MAX_SKUS_PER_AVAILABILITY_REQUEST = 100


def products_with_skus(*, channel_id: int | None = None) -> QuerySet:
    """Products with their active SKUs and, when a channel is given, that channel's published listing."""
    from django.db.models import Prefetch

    skus = SKU.objects.filter(active=True).order_by("code")
    # Prices are per channel: without one, SKUs come without a price rather than with any channel's.
    listings = (
        ChannelListing.objects.filter(published=True, channel_id=channel_id)
        if channel_id
        else ChannelListing.objects.none()
    )
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


@functools.cache
def _available_rows_sql(count: int) -> str:
    """(sku code, location id, available) of the rows with available > 0 among `count` SKU codes.

    Written as SQL because it is the hottest read of the product: building the same ORM query on every
    request cost more CPU than the database spends answering it (docs/benchmarks.md). On PostgreSQL the
    plan is an index-only scan of `stocklevel_sku_location` per SKU.
    """
    level, sku = StockLevel._meta.db_table, SKU._meta.db_table
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT s.code, l.location_id, l.on_hand - l.committed - l.safety_stock "
        f"FROM {level} l JOIN {sku} s ON s.id = l.sku_id "
        f"WHERE s.code IN ({placeholders}) AND s.active AND l.on_hand > l.committed + l.safety_stock"
    )


def available_rows(sku_codes: list[str], *, using: str = DEFAULT_DB_ALIAS) -> list[tuple[str, int, int]]:
    with connections[using].cursor() as cursor:
        cursor.execute(_available_rows_sql(len(sku_codes)), sku_codes)
        return cursor.fetchall()


def _ranked_locations(network, near) -> tuple[dict[int, int], list[str], list[float] | None]:
    """Each active location's rank (nearest first when `near` is given, else by code), the codes and distances in
    rank order. Computed once per request: each SKU's rows then sort as plain (rank, available) pairs and become
    entries by list indexing (the loop runs for ~440 rows per request; docs/benchmarks.md)."""
    active = network.locations
    codes = {loc_id: point.code for loc_id, point in active.items()}
    distance = None
    if near is not None:
        distance = {loc_id: round(km, 1) for loc_id, km in distances_km(near[0], near[1], network.radians).items()}
        ranked = sorted(active, key=lambda loc_id: (distance[loc_id], codes[loc_id]))
    else:
        ranked = sorted(active, key=codes.__getitem__)
    rank = {loc_id: position for position, loc_id in enumerate(ranked)}
    ranked_distances = [distance[loc_id] for loc_id in ranked] if distance is not None else None
    return rank, [codes[loc_id] for loc_id in ranked], ranked_distances


def _refuse_unknown_skus(missing: list[str], *, using: str) -> None:
    """SKUs with no available unit anywhere are fine if they exist and are active; otherwise a 404."""
    if not missing:
        return
    known = set(SKU.objects.using(using).filter(code__in=missing, active=True).values_list("code", flat=True))
    unknown = [code for code in missing if code not in known]
    if unknown:
        raise NotFound(f"Unknown SKU: {', '.join(unknown)}", details={"skus": unknown})


def availability(
    *,
    sku_codes: list[str],
    channel: ChannelInfo | None = None,
    location_code: str | None = None,
    near: tuple[float, float] | None = None,
    explain: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> list[dict]:
    """Per SKU: the channel's available-to-sell and the locations that have it; `explain` adds how the number is
    made (each location's available and whether it counts for the channel, the buffer, the policy).

    `locations` lists every active location with available > 0 (nearest first with `distance_km` when `near`
    is given, else by code); with `location_code` only that location, even at 0. One query (the network comes
    from the per-process snapshot), plus one when some SKU has no available unit anywhere, on `using` (the
    replica, when the caller may read there).
    """
    network = network_snapshot()
    only_location_id = None
    if location_code:
        only_location_id = network.location_ids_by_code.get(location_code)
        if only_location_id is None:
            raise NotFound(f"Unknown location: {location_code}", details={"location": location_code})

    rank, ranked_codes, ranked_distances = _ranked_locations(network, near)
    source_ranks = {rank[loc_id] for loc_id in channel.source_ids if loc_id in rank} if channel is not None else set()

    per_sku: dict[str, list[tuple[int, int]]] = {}
    for code, location_id, available in available_rows(sku_codes, using=using):
        position = rank.get(location_id)  # None: an inactive location
        if position is not None:
            located = per_sku.get(code)
            if located is None:
                per_sku[code] = [(position, available)]
            else:
                located.append((position, available))
    _refuse_unknown_skus([code for code in sku_codes if code not in per_sku], using=using)
    only_rank = rank[only_location_id] if only_location_id is not None else None
    withheld = withheld_codes(channel.id) if channel is not None else frozenset()
    results = []
    for code in sku_codes:
        located = per_sku.get(code, [])
        located.sort()
        located_all = located
        channel_total = sum(available for position, available in located if position in source_ranks)
        if only_rank is not None:
            located = [(only_rank, next((available for position, available in located if position == only_rank), 0))]
        if ranked_distances is not None:
            entries = [
                {"location": ranked_codes[position], "available": available, "distance_km": ranked_distances[position]}
                for position, available in located
            ]
        else:
            entries = [{"location": ranked_codes[position], "available": available} for position, available in located]
        result: dict[str, object] = {"sku": code}
        if channel is not None:
            result["channel_available"] = 0 if code in withheld else channel.published_number(channel_total)
            if explain:
                result["explanation"] = {
                    **channel.explain(channel_total),
                    "locations": [
                        {
                            "location": ranked_codes[position],
                            "available": available,
                            "counted": position in source_ranks,
                        }
                        for position, available in located_all
                    ],
                }
        result["locations"] = entries
        results.append(result)
    return results


_withheld: dict[int, tuple[float, frozenset]] = {}


def withheld_codes(channel_id: int) -> frozenset:
    """SKU codes the channel lists but publishes as 0 (the listing withdrawn, or the SKU inactive), as the feed
    does: kept per process for NETWORK_CACHE_SECONDS like the network snapshot (a listing or SKU saved in this
    process shows at once). One query when rebuilt."""
    import time

    from django.conf import settings

    now = time.monotonic()
    cached = _withheld.get(channel_id)
    if cached and cached[0] > now:
        return cached[1]
    codes = frozenset(
        ChannelListing.objects.filter(channel_id=channel_id)
        .filter(Q(published=False) | Q(sku__active=False))
        .values_list("sku__code", flat=True)
    )
    if settings.NETWORK_CACHE_SECONDS > 0:
        _withheld[channel_id] = (now + settings.NETWORK_CACHE_SECONDS, codes)
    return codes


def forget_withheld_codes(**_signal_kwargs) -> None:
    _withheld.clear()


def search_skus(*, query: str, limit: int = 25) -> list[SKU]:
    """SKUs whose code or GTIN matches exactly or by prefix, or whose product name contains the words."""
    query = (query or "").strip()
    if not query:
        return []
    exact = Q(code__iexact=query) | Q(gtin=query)
    # Every word somewhere in what the item is called: its name, colour or size ("maglione grigio M").
    by_name = Q()
    for word in query.split():
        by_name &= Q(product__name__icontains=word) | Q(colour__icontains=word) | Q(size__iexact=word)
    matches = (
        SKU.objects.filter(active=True)
        .filter(exact | Q(code__istartswith=query) | by_name | Q(product__style__iexact=query))
        .select_related("product")
        .order_by("code")
    )
    return list(matches[:limit])


def stock_lookup(*, location: Location, query: str) -> dict:
    """The stock lookup page: for each matching SKU, this store's numbers and the nearest places that have it
    to offer (stores and the warehouse, NEARBY_STORES_LIMIT of them, none with nothing available)."""
    skus = search_skus(query=query)
    neighbours = nearby_stores(location=location, limit=0, with_warehouses=True)
    location_ids = [location.id] + [loc.id for loc, _km in neighbours]
    levels = {
        (level.location_id, level.sku_id): level
        for level in StockLevel.objects.filter(sku__in=skus, location_id__in=location_ids)
    }
    # Of the committed units here, those put aside for click & reserve customers (staff see why they are gone).
    reserved = dict(
        StockHold.objects.filter(
            stock_level__location=location,
            stock_level__sku__in=skus,
            kind=StockHold.Kind.RESERVATION,
            status=StockHold.Status.ACTIVE,
        )
        .values("stock_level__sku_id")
        .annotate(units=Sum(F("quantity") - F("released_quantity") - F("consumed_quantity")))
        .values_list("stock_level__sku_id", "units")
    )
    rows = []
    for sku in skus:
        here = levels.get((location.id, sku.id))
        rows.append(
            {
                "sku": sku,
                "on_hand": here.on_hand if here else 0,
                "committed": here.committed if here else 0,
                "reserved": reserved.get(sku.id, 0),
                "safety_stock": here.safety_stock if here else 0,
                "available": here.available if here else 0,
                "nearby": [
                    {"location": loc, "distance_km": km, "available": levels[(loc.id, sku.id)].available}
                    for loc, km in neighbours
                    if (loc.id, sku.id) in levels and levels[(loc.id, sku.id)].available > 0
                ][: settings.NEARBY_STORES_LIMIT],
            }
        )
    return {"rows": rows, "nearby_stores": neighbours}


def sku_codes_available_at(*, location_code: str) -> QuerySet:
    """Codes of the SKUs with at least one available unit at a location, by code."""
    return (
        StockLevel.objects.filter(has_stock_to_sell(), location__code=location_code)
        .order_by("sku__code")
        .values_list("sku__code", flat=True)
    )


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


def last_movements(*, location: Location, sku_ids, limit: int = 5) -> dict[int, list]:
    """Each SKU's last `limit` movements at the location (the discrepancy page's "what happened lately"), in one
    query: a row number per SKU, newest first."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    from inventory.models import StockMovement

    rows = (
        StockMovement.objects.filter(location=location, sku_id__in=list(sku_ids))
        .annotate(rank=Window(RowNumber(), partition_by=[F("sku_id")], order_by=[F("at").desc(), F("id").desc()]))
        .filter(rank__lte=limit)
        .order_by("sku_id", "-at", "-id")
    )
    found: dict[int, list] = {}
    for movement in rows:
        found.setdefault(movement.sku_id, []).append(movement)
    return found


def count_summary(*, session, unknown_epcs=()) -> dict:
    """A count as the API answers it: its status and the SKUs whose count differed from the books at its start."""
    from inventory.models import CountedItem

    differences = [
        {
            "sku": code,
            "expected": expected,
            "counted": counted,
            "adjustment": adjustment,
            "value": str(value),
            "status": status,
        }
        for code, expected, counted, adjustment, value, status in CountedItem.objects.filter(session=session)
        .exclude(status__in=[CountedItem.Status.EXACT, CountedItem.Status.COUNTING])
        .order_by("sku__code")
        .values_list("sku__code", "book_at_start", "counted", "adjustment", "value", "status")
    ]
    return {
        "count": session.code,
        "status": session.status,
        "started_at": session.started_at,
        "differences": differences,
        "unknown_epcs": list(unknown_epcs),
        "accuracy": session.accuracy,
    }


def store_counts(*, location: Location) -> dict:
    """The store's counts, newest first, and its stock accuracy: the share of SKUs its counts found exactly right."""
    from inventory.models import CountSession

    counts = list(CountSession.objects.filter(location=location).order_by("-started_at", "-id")[:30])
    reconciled = [c for c in counts if c.reconciled_at is not None]
    counted = sum(c.counted_skus for c in reconciled)
    return {
        "counts": counts,
        "waiting": sum(1 for c in counts if c.status == CountSession.Status.AWAITING_APPROVAL),
        "accuracy_pct": round(100 * sum(c.exact_skus for c in reconciled) / counted) if counted else None,
    }


def count_detail(*, session) -> dict:
    """A count's differences from the books at its start (expected, counted, value), each with the SKU's last
    movements at the store: what a manager reads before approving. A fixed number of queries."""
    from inventory.models import CountedItem

    items = list(
        CountedItem.objects.filter(session=session)
        .exclude(status=CountedItem.Status.EXACT)
        .select_related("sku__product", "decided_by")
        .order_by("-value", "sku__code")
    )
    movements = last_movements(location=session.location, sku_ids=[item.sku_id for item in items])
    for item in items:
        item.last_movements = movements.get(item.sku_id, [])  # type: ignore[attr-defined]  # shown, not stored
    return {
        "session": session,
        "items": items,
        "waiting": [item for item in items if item.status == CountedItem.Status.AWAITING_APPROVAL],
        "exact": CountedItem.objects.filter(session=session, status=CountedItem.Status.EXACT).count(),
        "reads": session.reads.count(),
        "unknown_reads": session.reads.filter(sku__isnull=True).count(),
    }


def explain_listing(*, listing) -> str:
    """How the number a channel publishes for a listed SKU is made, in words for head office (the admin)."""
    from django.utils.translation import gettext as _

    from inventory.feed import published_numbers

    channel = network_snapshot().channels_by_id.get(listing.channel_id)
    if channel is None:
        return _("The channel is not active: it publishes nothing.")
    sources = channel.source_ids  # active locations only (the network snapshot's)
    rows = list(
        StockLevel.objects.filter(sku_id=listing.sku_id)
        .select_related("location")
        .order_by("location__code")
        .values_list("location__code", "location_id", "on_hand", "committed", "safety_stock")
    )
    parts = []
    units = 0
    for code, location_id, on_hand, committed, safety in rows:
        available = max(on_hand - committed - safety, 0)
        counted = location_id in sources
        units += available if counted else 0
        if available or counted:
            parts.append(
                _("%(location)s %(available)s%(counted)s")
                % {"location": code, "available": available, "counted": "" if counted else _(" (not a source)")}
            )
    why = channel.explain(units)
    number = published_numbers(channel=channel, sku_ids=[listing.sku_id])[listing.sku_id]
    text = _(
        "Available per location: %(parts)s. At the channel's sources: %(units)s, less the buffer %(buffer)s = "
        "%(left)s; listed as 0 at or below %(zero)s; at most %(cap)s. Published: %(number)s."
    ) % {
        "parts": ", ".join(parts) or "–",
        "units": why["units_at_sources"],
        "buffer": why["safety_buffer"],
        "left": why["after_buffer"],
        "zero": why["publish_zero_at_or_below"],
        "cap": why["max_listed_quantity"] if why["max_listed_quantity"] is not None else "∞",
        "number": number,
    }
    if number != why["published"]:
        text += " " + _("(the listing is not published, or the SKU is not active)")
    return text
