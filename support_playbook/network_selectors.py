"""Head office's network view (and a store manager's view of their own store): today's work, late and overdue,
per store, each figure with the list behind it. A constant number of queries whatever the number of stores."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from inventory.models import StockMovement
from orders.models import Fulfillment, RefundRequest, Reservation, Return
from stores.models import Location
from support_playbook.models import Case
from support_playbook.scenarios import SCENARIOS
from support_playbook.selectors import OPEN_STATUSES

S = Fulfillment.Status
PREPARING = [S.PENDING, S.PICKING, S.PACKED]
ON_THE_WAY = [S.SHIPPED, S.IN_TRANSIT]


def figure_filters(now=None) -> dict:
    """Each figure: the model it counts and the filter of its rows, with `{store}` the location the row belongs
    to (the list behind a figure is the same filter)."""
    now = now or timezone.now()
    return {
        "to_prepare": (Fulfillment, "source_location", Q(status__in=PREPARING)),
        "late": (
            Fulfillment,
            "source_location",
            Q(status__in=PREPARING, created_at__lt=now - settings.ORDER_LATE_AFTER),
        ),
        "pickups_waiting": (Fulfillment, "pickup_location", Q(status=S.READY_FOR_PICKUP)),
        "pickups_expiring": (
            Fulfillment,
            "pickup_location",
            Q(status=S.READY_FOR_PICKUP, pickup_deadline__lt=now + timedelta(hours=24)),
        ),
        "incoming_overdue": (
            Fulfillment,
            "pickup_location",
            Q(
                flow=Fulfillment.Flow.SHIP_TO_STORE,
                status__in=ON_THE_WAY,
                shipped_at__lt=now - settings.SHIP_TO_STORE_DUE_AFTER,
            ),
        ),
        "reservations_ending": (
            Reservation,
            "location",
            Q(status=Reservation.Status.HELD, expires_at__lt=now + timedelta(hours=24)),
        ),
        "returns_expected": (
            Return,
            "location",
            Q(status__in=Return.EXPECTED),
        ),
    }


FIGURES = [
    "to_prepare",
    "late",
    "pickups_waiting",
    "pickups_expiring",
    "incoming_overdue",
    "reservations_ending",
    "returns_expected",
]


def _count_figures(rows: dict, ids: list[int], now) -> None:
    """Each store's figures (FIGURES), one grouped query each."""
    for name, (model, field, condition) in figure_filters(now).items():
        if model is Fulfillment and field == "pickup_location":
            # A pickup at its source store has no pickup location: count it where it waits, its source.
            counted = (
                Fulfillment.objects.filter(condition)
                .filter(Q(pickup_location_id__in=ids) | Q(pickup_location__isnull=True, source_location_id__in=ids))
                .values("pickup_location_id", "source_location_id")
                .annotate(n=Count("id"))
            )
            for row in counted:
                store = row["pickup_location_id"] or row["source_location_id"]
                if store in rows:
                    rows[store][name] += row["n"]
            continue
        for row in (
            model.objects.filter(condition, **{f"{field}_id__in": ids}).values(f"{field}_id").annotate(n=Count("id"))
        ):
            rows[row[f"{field}_id"]][name] = row["n"]


def _count_cases(rows: dict, cases, *, only_these: bool) -> dict:
    """Open and overdue cases onto each store's row; returns them by scenario (network-wide unless `only_these`:
    then only the stores' own)."""
    by_scenario = {code: {"scenario": s, "open": 0, "overdue": 0} for code, s in SCENARIOS.items()}
    for row in cases:
        if only_these and row["location_id"] not in rows:
            continue
        if row["location_id"] in rows:
            store = rows[row["location_id"]]
            store["cases"] = store.get("cases", 0) + row["n"]
            store["cases_overdue"] = store.get("cases_overdue", 0) + row["overdue"]
        if row["scenario"] in by_scenario:
            by_scenario[row["scenario"]]["open"] += row["n"]
            by_scenario[row["scenario"]]["overdue"] += row["overdue"]
    return by_scenario


def network_figures(*, locations=None, now=None) -> dict:
    """Per store: every figure, the short picks of the last 7 days (and units), open and overdue cases; totals;
    cases by scenario. `locations`: only these (a manager's stores), else every active store and warehouse."""
    now = now or timezone.now()
    stores = list(
        (locations if locations is not None else Location.objects.active())
        .exclude(kind=Location.Kind.SUPPLIER)
        .order_by("code")
    )
    ids = [s.pk for s in stores]
    rows = {s.pk: {"location": s, **{name: 0 for name in FIGURES}} for s in stores}
    _count_figures(rows, ids, now)
    shortages = (
        StockMovement.objects.filter(
            reason=StockMovement.Reason.SHORTAGE, at__gte=now - timedelta(days=7), location_id__in=ids
        )
        .values("location_id")
        .annotate(n=Count("id"), units=Sum("delta_on_hand"))
    )
    for row in shortages:
        rows[row["location_id"]].update(short_picks=row["n"], short_units=-row["units"])
    cases = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values("location_id", "scenario")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_by__lt=now)))
    )
    by_scenario = _count_cases(rows, cases, only_these=locations is not None)
    keys = [*FIGURES, "short_picks", "short_units", "cases", "cases_overdue"]
    table = [rows[s.pk] for s in stores]
    totals = {key: sum(row.get(key, 0) for row in table) for key in keys}
    if locations is None:  # network-wide, cases without a store (home deliveries) count too
        totals["cases"] = sum(s["open"] for s in by_scenario.values())
        totals["cases_overdue"] = sum(s["overdue"] for s in by_scenario.values())
    figures = {"rows": table, "totals": totals, "cases_by_scenario": list(by_scenario.values()), "now": now}
    if locations is None:  # head office: the refunds over care's limit that wait for someone to approve them
        figures["refunds_pending"] = list(
            RefundRequest.objects.filter(status=RefundRequest.Status.PENDING)
            .values("order__currency")
            .annotate(n=Count("id"), amount=Sum("amount"), oldest=Min("created_at"))
            .order_by("order__currency")
        )
    return figures


def figure_rows(*, figure: str, store: Location | None = None, now=None, limit: int = 200) -> list:
    """The rows behind one figure (at one store, or everywhere)."""
    now = now or timezone.now()
    if figure == "short_picks":
        rows = StockMovement.objects.filter(reason=StockMovement.Reason.SHORTAGE, at__gte=now - timedelta(days=7))
        if store is not None:
            rows = rows.filter(location=store)
        return list(rows.select_related("location", "sku").order_by("-at")[:limit])
    model, field, condition = figure_filters(now)[figure]
    rows = model.objects.filter(condition)
    if store is not None:
        if model is Fulfillment and field == "pickup_location":
            rows = rows.filter(Q(pickup_location=store) | Q(pickup_location__isnull=True, source_location=store))
        else:
            rows = rows.filter(**{field: store})
    if model is Fulfillment:
        rows = rows.select_related("order", "source_location", "pickup_location").order_by("created_at")
    elif model is Return:
        rows = rows.select_related("location", "customer").order_by("created_at")
    else:
        rows = rows.select_related("location", "customer").order_by("expires_at")
    return list(rows[:limit])
