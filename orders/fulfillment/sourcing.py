"""Sourcing: which locations fulfil an order (DESIGN.md section 7).

A pure function of its inputs, no database access: fast, unit-testable, and re-runnable when a hold is
refused because stock moved. Policy, in order:
1. click & collect / curbside / ship-to-store: the pickup store's own stock first (it becomes a pickup at that
   store); what it lacks ships to it from the best source (if it accepts ship-to-store parcels);
2. fewest shipments: one source for every line when possible, else the fewest sources covering the lines;
3. closest to the customer (or to the pickup store / locker);
4. the location's fulfillment priority (lower first), then its code (stable results);
5. stores keep their safety stock for walk-in customers: `available` passed in already excludes it;
6. same-day only from locations offering it within `same_day_radius_km` of the customer.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from inventory.models import StockLevel, has_stock_to_sell
from omnichannel.geo import haversine_km
from stores.selectors import network_snapshot

SHIPS = "ships"


SHIP_FROM_STORE = "ship_from_store"


SENDS_PARCELS = frozenset({SHIPS, SHIP_FROM_STORE})


def sends_parcels(capabilities) -> bool:
    """A warehouse that ships, or a store that ships from its stock."""
    return not SENDS_PARCELS.isdisjoint(capabilities)


@dataclass(frozen=True)
class Line:
    sku_id: int
    sku: str
    quantity: int


@dataclass(frozen=True)
class Candidate:
    location_id: int
    code: str
    kind: str
    latitude: float
    longitude: float
    priority: int
    capabilities: frozenset
    available: dict  # sku_id -> units available to remote orders (safety stock already kept back)


@dataclass(frozen=True)
class Policy:
    same_day_radius_km: float = 30.0


@dataclass
class PlannedFulfillment:
    source_id: int
    source: str
    flow: str  # "ship" | "pickup" | "ship_to_store"
    lines: list  # [(sku_id, quantity)]


@dataclass
class Plan:
    fulfillments: list = field(default_factory=list)
    shortfalls: list = field(default_factory=list)  # [{"sku", "requested", "available"}]
    explanation: list = field(default_factory=list)  # one entry per candidate considered

    @property
    def ok(self) -> bool:
        return not self.shortfalls


# Each decision as a code with parameters (stored on the order, translated when shown: `orders_tags.
# sourcing_reason`) and its English wording (the `why` the API has always given). gettext_noop marks the
# wordings for the catalogue without translating them here.
REASONS = {
    "pickup_own_stock": gettext_noop("pickup store's own stock first"),
    "pickup_none_in_full": gettext_noop("pickup store has none of the lines in full"),
    "pickup_no_ship_to_store": gettext_noop("pickup store does not accept ship-to-store parcels for the missing lines"),
    "does_not_ship": gettext_noop("does not ship parcels"),
    "no_same_day": gettext_noop("does not offer same-day delivery"),
    "same_day_needs_coordinates": gettext_noop("same-day needs the customer's coordinates"),
    "beyond_same_day_radius": gettext_noop("%(distance_km)s km away, beyond the same-day radius of %(radius_km)s km"),
    "covers_every_line": gettext_noop("covers every line, closest then by priority"),
    "covers_most_units": gettext_noop("covers the most remaining units (split order)"),
    "has_none": gettext_noop("has none of the lines available"),
    "other_covers": gettext_noop("a closer or higher-priority location covers the order"),
    "covers_fewer": gettext_noop("covers fewer of the remaining units"),
}


def reason(code: str, **params) -> dict:
    """A note's decision: its code and parameters, and the English `why`."""
    return {"why_code": code, "why_params": params, "why": REASONS[code] % params}


def plan_sourcing(
    *,
    lines: list[Line],
    method: str,
    speed: str = "",
    destination: tuple[float, float] | None = None,
    pickup: Candidate | None = None,
    candidates: list[Candidate],
    policy: Policy = Policy(),
) -> Plan:
    """Plan fulfillments for `lines`. `pickup` is the pickup store or locker for those methods."""
    plan = Plan()
    needed = {line.sku_id: line.quantity for line in lines}
    codes = {line.sku_id: line.sku for line in lines}
    point = destination or ((pickup.latitude, pickup.longitude) if pickup else None)
    # Each candidate's distance once (the notes, the eligibility and the ranking all need it).
    distance = _distances(point, candidates if pickup is None else [*candidates, pickup])
    note = _Notes(point=point, distance=distance, needed=needed)
    collects_in_store = method in ("store_pickup", "curbside", "ship_to_store")
    remaining = dict(needed)

    # 1. The pickup store's own stock, for the lines it can serve in full.
    if collects_in_store and pickup is not None:
        _take_pickup_stock(plan, remaining, pickup, note)
        if remaining and "ship_to_store" not in pickup.capabilities:
            note(pickup, **reason("pickup_no_ship_to_store"))
            _shortfalls(plan, remaining, needed, codes, [pickup])
            plan.explanation = note.ranked()
            return plan

    # 2. The rest from the network: the fewest sources, closest first.
    if remaining:
        own = pickup if collects_in_store else None
        eligible = [
            candidate
            for candidate in candidates
            if (own is None or candidate.location_id != own.location_id)  # already used above
            and _eligible(candidate, note, speed=speed, distance=distance if destination else None, policy=policy)
        ]
        flow = "ship_to_store" if collects_in_store else "ship"
        _send_from(plan, remaining, eligible=eligible, flow=flow, distance=distance, note=note)
        if remaining:
            _shortfalls(plan, remaining, needed, codes, eligible + ([own] if own else []))

    plan.explanation = note.ranked()
    return plan


class _Notes:
    """The explanation: one entry per candidate considered (distance, units it has, chosen or why not)."""

    def __init__(self, *, point, distance: dict[int, float], needed: dict[int, int]):
        self.point, self.distance, self.needed, self.entries = point, distance, needed, {}

    def __call__(self, candidate: Candidate, **data) -> None:
        entry = self.entries.setdefault(
            candidate.location_id,
            {
                "location": candidate.code,
                "distance_km": None if self.point is None else round(self.distance[candidate.location_id], 1),
                "priority": candidate.priority,
                "covers_units": _covers(candidate, self.needed),
                # What it has of the order's SKUs, however many the order needs.
                "available_units": sum(candidate.available.get(sku_id, 0) for sku_id in self.needed),
                "chosen": False,
            },
        )
        entry.update(data)

    def ranked(self) -> list[dict]:
        return sorted(self.entries.values(), key=_rank_key)


def _take_pickup_stock(plan: Plan, remaining: dict, pickup: Candidate, note: _Notes) -> None:
    """The lines the pickup store has in full leave `remaining` as its own pickup fulfillment."""
    own = [sku_id for sku_id, qty in remaining.items() if pickup.available.get(sku_id, 0) >= qty]
    if not own:
        note(pickup, eligible=True, **reason("pickup_none_in_full"))
        return
    plan.fulfillments.append(
        PlannedFulfillment(pickup.location_id, pickup.code, "pickup", [(s, remaining[s]) for s in own])
    )
    for sku_id in own:
        del remaining[sku_id]
    note(pickup, chosen=True, **reason("pickup_own_stock"))


def _eligible(candidate: Candidate, note: _Notes, *, speed: str, distance: dict | None, policy: Policy) -> bool:
    refusal = _ineligible(
        candidate, speed=speed, distance=None if distance is None else distance[candidate.location_id], policy=policy
    )
    if refusal:
        note(candidate, eligible=False, **refusal)
    return not refusal


def _send_from(plan: Plan, remaining: dict, *, eligible: list[Candidate], flow: str, distance: dict, note: _Notes):
    """The fewest eligible sources for `remaining` become fulfillments; every other eligible one says why it lost."""
    chosen = _fewest_sources(remaining, eligible, distance)
    for candidate, assigned in chosen:
        plan.fulfillments.append(
            PlannedFulfillment(candidate.location_id, candidate.code, flow, sorted(assigned.items()))
        )
        for sku_id, qty in assigned.items():
            remaining[sku_id] -= qty
            if remaining[sku_id] == 0:
                del remaining[sku_id]
        single = len(chosen) == 1 and not remaining
        note(candidate, eligible=True, chosen=True, **reason("covers_every_line" if single else "covers_most_units"))
    chosen_ids = {c.location_id for c, _ in chosen}
    for candidate in eligible:
        if candidate.location_id not in chosen_ids:
            note(candidate, eligible=True, **_lost_reason(candidate, chosen, note.needed))


def _distances(point, candidates: list[Candidate]) -> dict[int, float]:
    """Each candidate's distance in km from `point` by location id (0 for all when there is no point)."""
    if point is None:
        return {candidate.location_id: 0.0 for candidate in candidates}
    lat, lon = point
    return {c.location_id: haversine_km(lat, lon, c.latitude, c.longitude) for c in candidates}


def _covers(candidate: Candidate, needed: dict) -> int:
    return sum(min(candidate.available.get(sku_id, 0), qty) for sku_id, qty in needed.items())


def _rank_key(entry: dict):
    return (not entry["chosen"], entry["distance_km"] if entry["distance_km"] is not None else 0, entry["location"])


def _ineligible(candidate: Candidate, *, speed: str, distance: float | None, policy: Policy) -> dict | None:
    """Why a candidate cannot send this parcel, or None. `distance`: from the customer (None without
    coordinates)."""
    if not sends_parcels(candidate.capabilities):
        return reason("does_not_ship")
    if speed == "same_day":
        if "same_day" not in candidate.capabilities:
            return reason("no_same_day")
        if distance is None:
            return reason("same_day_needs_coordinates")
        if distance > policy.same_day_radius_km:
            return reason(
                "beyond_same_day_radius", distance_km=f"{distance:.0f}", radius_km=f"{policy.same_day_radius_km:.0f}"
            )
    return None


def _fewest_sources(remaining: dict, eligible: list[Candidate], distance: dict) -> list[tuple[Candidate, dict]]:
    """One source covering everything (the closest, then by priority); else greedy: the source covering most
    remaining units, ties to the closest, until covered or nothing more can be taken."""
    ranked = sorted(eligible, key=lambda c: (distance[c.location_id], c.priority, c.code))
    for candidate in ranked:
        if all(candidate.available.get(sku_id, 0) >= qty for sku_id, qty in remaining.items()):
            return [(candidate, dict(remaining))]
    chosen, left, used = [], dict(remaining), set()
    while left:
        best, best_units = None, 0
        for candidate in ranked:
            if candidate.location_id in used:
                continue
            units = sum(min(candidate.available.get(sku_id, 0), qty) for sku_id, qty in left.items())
            if units > best_units:
                best, best_units = candidate, units
        if best is None:
            break
        assigned = {}
        for sku_id, qty in list(left.items()):
            take = min(best.available.get(sku_id, 0), qty)
            if take:
                assigned[sku_id] = take
                left[sku_id] -= take
                if left[sku_id] == 0:
                    del left[sku_id]
        used.add(best.location_id)
        chosen.append((best, assigned))
    return chosen


def _lost_reason(candidate: Candidate, chosen, needed) -> dict:
    if _covers(candidate, needed) == 0:
        return reason("has_none")
    if len(chosen) == 1:
        return reason("other_covers")
    return reason("covers_fewer")


def _shortfalls(plan: Plan, remaining: dict, needed: dict, codes: dict, considered: list[Candidate]) -> None:
    """Per short SKU: the line's quantity and what every eligible location together has of it."""
    for sku_id in remaining:
        total = sum(c.available.get(sku_id, 0) for c in considered if c is not None)
        plan.shortfalls.append({"sku": codes[sku_id], "requested": needed[sku_id], "available": total})


def load_candidates(*, sku_ids: list[int], extra_location_ids: set[int]) -> dict[int, Candidate]:
    """Every active location that can send parcels, plus the pickup location, with what it has of the SKUs.
    The locations come from the per-process network snapshot; one stock query whatever their number."""
    points = shipping_points(extra_location_ids)
    levels = StockLevel.objects.filter(
        has_stock_to_sell(), sku_id__in=sku_ids, location_id__in=[point.id for point in points]
    ).values_list(*LEVEL_FIELDS)
    return stock_candidates(points, levels)


def shipping_points(extra_location_ids: set[int]) -> list:
    """Every active location that can send parcels, plus the pickup location (the per-process snapshot)."""
    return [
        point
        for point in network_snapshot().locations.values()
        if point.id in extra_location_ids or sends_parcels(point.capabilities)
    ]


def stock_candidates(points: list, levels) -> dict[int, Candidate]:
    """Candidates with what each has available of the SKUs. `levels`: (location_id, sku_id, on_hand, committed,
    safety_stock) of the stock rows with something to sell."""
    wanted = {point.id for point in points}
    available: dict[int, dict[int, int]] = defaultdict(dict)
    for location_id, sku_id, on_hand, committed, safety in levels:
        if location_id is not None and location_id in wanted:
            available[location_id][sku_id] = on_hand - committed - safety
    return {
        point.id: Candidate(
            location_id=point.id,
            code=point.code,
            kind=point.kind,
            latitude=point.latitude,
            longitude=point.longitude,
            priority=point.priority,
            capabilities=point.capabilities,
            available=dict(available[point.id]),
        )
        for point in points
    }


LEVEL_FIELDS = ("location_id", "sku_id", "on_hand", "committed", "safety_stock")


def reason_words(entry: dict) -> str:
    """A sourcing decision in the reader's language, from its stored code and parameters (older orders stored
    only the English text, which is shown as it is)."""
    wording = REASONS.get(entry.get("why_code", ""))
    return gettext(wording) % entry.get("why_params", {}) if wording else entry.get("why", "")
