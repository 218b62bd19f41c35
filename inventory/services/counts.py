"""Counts, by RFID or by hand, reconciled as of their start (DESIGN.md section 5).

The count stands for the shelf when the session opened (the OMS's time: the retail "frozen book quantity"):
movements recorded after the start are kept, so new on-hand = on-hand now + (counted − book at start), where
book at start = on-hand now − Σ movements after the start. A unit sold during the count is never subtracted
twice, and a till receipt rung up before the start that arrives late belongs to the book at start (its own `at`).

Tolerance per SKU, in units and value (settings): within it the difference applies at once; beyond it the line
waits for the store manager (`approve_count_discrepancy`); beyond a second threshold a stock-discrepancy case
opens too. Reconciliation is set-based: the rows locked in (location, sku) order by one statement, one UPDATE,
one ledger INSERT.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.epc import decode_epcs
from inventory.errors import InvalidStockChange
from inventory.models import SKU, ChannelListing, CountedItem, CountRead, CountSession, StockLevel, StockMovement
from inventory.services.levels import Reason, _set_on_hand_bulk, stock_moved
from inventory.services.till import lock_stock_rows
from inventory.signals import stock_discrepancy
from omnichannel.errors import InvalidInput, InvalidTransition, NotFound
from stores.actors import actor_fields
from stores.models import Location
from stores.roles import Right, require_right

S = CountSession.Status
I = CountedItem.Status  # noqa: E741  (the items' statuses, as S is the session's)
MAX_READS_PER_REQUEST = 50000


def gtin14(gtin: str) -> str:
    return gtin.zfill(14) if gtin else ""


@dataclass
class CountOutcome:
    session: CountSession
    unknown_epcs: list[str] = field(default_factory=list)


@transaction.atomic
def record_count(
    *,
    location: Location,
    code: str,
    scope=None,
    epcs: list[str] | None = None,
    quantities: list[tuple[str, int]] | None = None,
    final: bool = False,
    source: str = CountSession.Source.RFID,
    actor=None,
) -> CountOutcome:
    """Open the count `code` at `location` (its start is now) or add to it: EPCs accumulate (one read twice counts
    once; an EPC of an unknown GTIN is listed in `unknown_epcs`), a SKU's quantity replaces its earlier figure (a
    recount). `final` reconciles it. `scope`: "store" (a SKU not counted counts 0), {"skus": [...]} (the same for
    those SKUs), {"zones": [...]} (only what was counted: zones are not in the books). Unknown SKUs in `quantities`
    are a 400 with nothing written."""
    session = _session(location=location, code=code, scope=scope, source=source, actor=actor)
    outcome = CountOutcome(session=session)
    if quantities:
        codes = {sku_code for sku_code, _quantity in quantities}
        skus = dict(SKU.objects.filter(code__in=codes).values_list("code", "id"))
        unknown = sorted(codes - set(skus))
        if unknown:
            raise NotFound(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(unknown)}, details={"skus": unknown})
        latest = {skus[sku_code]: quantity for sku_code, quantity in quantities}  # the last figure of a SKU wins
        CountedItem.objects.bulk_create(
            [CountedItem(session=session, sku_id=sku_id, counted=quantity) for sku_id, quantity in latest.items()],
            update_conflicts=True,
            unique_fields=["session", "sku"],
            update_fields=["counted"],
        )
    if epcs:
        outcome.unknown_epcs = _add_reads(session, epcs)
    if final:
        outcome.session = reconcile_count(session=session, actor=actor)
    return outcome


def _session(*, location, code, scope, source, actor) -> CountSession:
    session = CountSession.objects.select_for_update().filter(location=location, code=code).first()
    if session is None:
        whole, skus = _scope(scope)
        CountSession.objects.bulk_create(
            [
                CountSession(
                    location=location,
                    code=code,
                    source=source,
                    whole_location=whole,
                    scope_skus=skus,
                    started_at=timezone.now(),
                    opened_by=actor_fields(actor)["actor"],
                )
            ],
            ignore_conflicts=True,  # two first posts of one count at once: one session
        )
        session = CountSession.objects.select_for_update().get(location=location, code=code)
    if session.status != S.OPEN:
        raise InvalidTransition(
            current=session.status,
            wanted="count",
            allowed=[S.OPEN],
            message=_("Count %(code)s is already reconciled: start a new count.") % {"code": code},
        )
    return session


def _scope(scope) -> tuple[bool, list[str]]:
    if scope in (None, "store"):
        return scope == "store", []
    if isinstance(scope, dict) and set(scope) == {"skus"} and isinstance(scope["skus"], list):
        codes = [code for code in scope["skus"] if isinstance(code, str)]
        known = set(SKU.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown or len(codes) != len(scope["skus"]) or not codes:
            raise InvalidInput(_("The count's SKUs must be known SKU codes."), details={"skus": unknown or "invalid"})
        return False, sorted(known)
    if isinstance(scope, dict) and set(scope) == {"zones"} and isinstance(scope["zones"], list):
        return False, []
    raise InvalidInput(_('The scope is "store", {"skus": [...]} or {"zones": [...]}.'), details={"scope": "invalid"})


def _add_reads(session: CountSession, epcs: list[str]) -> list[str]:
    """Insert this request's EPC reads (a duplicate changes nothing); the EPCs no SKU of the catalog carries."""
    unique = sorted({epc.strip().upper() for epc in epcs})
    if len(unique) > MAX_READS_PER_REQUEST:
        raise InvalidInput(
            _("At most %(max)s reads per request.") % {"max": MAX_READS_PER_REQUEST},
            details={"max_reads": MAX_READS_PER_REQUEST},
        )
    decoded, not_sgtin = decode_epcs(unique)
    gtins = {gtin for gtin in decoded.values()}
    sku_by_gtin = {
        gtin14(gtin): pk
        for gtin, pk in SKU.objects.filter(gtin__in=gtins | {g.lstrip("0") for g in gtins} | {g[1:] for g in gtins})
        .exclude(gtin="")
        .values_list("gtin", "pk")
    }
    reads = [
        CountRead(
            session=session, epc=epc[:32], gtin=decoded.get(epc, ""), sku_id=sku_by_gtin.get(decoded.get(epc, ""))
        )
        for epc in unique
    ]
    CountRead.objects.bulk_create(reads, batch_size=2000, ignore_conflicts=True)
    return [read.epc for read in reads if read.sku_id is None]


def _price_by_sku(sku_ids) -> dict[int, Decimal]:
    """What a unit is worth for the tolerance: its highest channel price (what the brand loses if it is gone)."""
    return {
        row["sku_id"]: row["price"]
        for row in ChannelListing.objects.filter(sku_id__in=list(sku_ids)).values("sku_id").annotate(price=Max("price"))
    }


@transaction.atomic
def reconcile_count(*, session: CountSession | int, actor=None) -> CountSession:
    """Reconcile an open count as of its start: each SKU's book at start, adjustment and value; within tolerance
    applied at once, beyond it waiting for the manager, far beyond it a stock-discrepancy case too."""
    session = (
        CountSession.objects.select_for_update().select_related("location").get(pk=getattr(session, "pk", session))
    )
    if session.status != S.OPEN:
        raise InvalidTransition(current=session.status, wanted=S.RECONCILED, allowed=[S.OPEN])
    location = session.location
    counted: dict[int, int] = dict(CountedItem.objects.filter(session=session).values_list("sku_id", "counted"))
    for sku_id, units in (
        CountRead.objects.filter(session=session, sku__isnull=False).values("sku_id").annotate(n=Count("id"))
    ).values_list("sku_id", "n"):
        counted[sku_id] = units
    in_scope = set()
    if session.whole_location:
        in_scope = set(StockLevel.objects.filter(location=location, on_hand__gt=0).values_list("sku_id", flat=True))
    elif session.scope_skus:
        in_scope = set(SKU.objects.filter(code__in=session.scope_skus).values_list("pk", flat=True))
    for sku_id in in_scope - set(counted):
        counted[sku_id] = 0  # in scope and not found: none on the shelf
    have = set(StockLevel.objects.filter(location=location, sku_id__in=list(counted)).values_list("sku_id", flat=True))
    rows = lock_stock_rows(
        pairs={(location.pk, sku_id) for sku_id in counted},
        create={(location.pk, sku_id) for sku_id in counted if sku_id not in have},
    )
    moved = dict(
        StockMovement.objects.filter(location=location, sku_id__in=list(counted), at__gt=session.started_at)
        .values("sku_id")
        .annotate(total=Sum("delta_on_hand"))
        .values_list("sku_id", "total")
    )
    _supersede_waiting(location=location, sku_ids=list(counted), by=session)
    prices = _price_by_sku(counted)
    items = []
    apply = []
    cases = []
    for sku_id in sorted(counted):
        row = rows[(location.pk, sku_id)]
        book_at_start = row.on_hand - moved.get(sku_id, 0)
        adjustment = counted[sku_id] - book_at_start
        value = abs(adjustment) * prices.get(sku_id, Decimal("0"))
        item = CountedItem(
            session=session,
            sku_id=sku_id,
            counted=counted[sku_id],
            book_at_start=book_at_start,
            adjustment=adjustment,
            value=value,
        )
        if adjustment == 0:
            item.status = I.EXACT
        elif _within(settings.COUNT_TOLERANCE_UNITS, settings.COUNT_TOLERANCE_VALUE, adjustment, value):
            item.status = I.APPLIED
            apply.append(item)
        else:
            item.status = I.AWAITING_APPROVAL
            if not _within(settings.COUNT_CASE_UNITS, settings.COUNT_CASE_VALUE, adjustment, value):
                cases.append(item)
        items.append(item)
    CountedItem.objects.bulk_create(
        items,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["session", "sku"],
        update_fields=["counted", "book_at_start", "adjustment", "value", "status"],
    )
    not_applied = _apply(location=location, items=apply, rows=rows, reference=f"count:{session.code}", actor=actor)
    session.counted_skus = len(items)
    session.exact_skus = sum(1 for item in items if item.status == I.EXACT)
    session.reconciled_at = timezone.now()
    session.status = S.AWAITING_APPROVAL if any(i.status == I.AWAITING_APPROVAL for i in items) else S.RECONCILED
    session.save(update_fields=["counted_skus", "exact_skus", "reconciled_at", "status", "updated_at"])
    _tell_discrepancies(session, cases, open_case=True)
    _tell_discrepancies(session, not_applied, open_case=True)
    return session


def _supersede_waiting(*, location: Location, sku_ids: list[int], by: CountSession) -> None:
    """Differences of earlier counts of these items still waiting for approval are replaced by this count (the
    newer truth): approving both would add the same difference twice."""
    earlier = CountedItem.objects.filter(
        session__location=location, sku_id__in=sku_ids, status=I.AWAITING_APPROVAL
    ).exclude(session=by)
    sessions = set(earlier.values_list("session_id", flat=True))
    if not sessions:
        return
    earlier.update(status=I.SUPERSEDED)
    CountSession.objects.filter(pk__in=sessions, status=S.AWAITING_APPROVAL).exclude(
        items__status=I.AWAITING_APPROVAL
    ).update(status=S.RECONCILED, updated_at=timezone.now())


def _within(max_units: int, max_value, adjustment: int, value) -> bool:
    return abs(adjustment) <= max_units and value <= Decimal(str(max_value))


def _apply(*, location: Location, items: list[CountedItem], rows: dict, reference: str, actor) -> list[CountedItem]:
    """Apply the items' adjustments to rows this transaction locked (one UPDATE, one ledger INSERT). On-hand never
    goes below the units promised to orders and reservations (nor below 0): what would is left unapplied and
    returned, for a case."""
    updates, movements, short = [], [], []
    now = timezone.now()
    for item in items:
        row = rows[(location.pk, item.sku_id)]
        wanted = row.on_hand + item.adjustment
        new_on_hand = max(wanted, row.committed, 0)
        if new_on_hand != wanted:
            short.append(item)
        delta = new_on_hand - row.on_hand
        if delta == 0:
            continue
        row.on_hand = new_on_hand
        updates.append((row.id, new_on_hand))
        movements.append(
            StockMovement(
                location_id=location.pk,
                sku_id=item.sku_id,
                delta_on_hand=delta,
                on_hand_after=new_on_hand,
                reason=Reason.DAMAGED if item.reason == CountedItem.AdjustmentReason.DAMAGE else Reason.COUNT,
                reference=reference,
                note=str(CountedItem.AdjustmentReason(item.reason).label),
                at=now,
                **actor_fields(actor),
            )
        )
    if updates:
        _set_on_hand_bulk(sorted(updates), now=now)
        StockMovement.objects.bulk_create(movements, batch_size=2000)
        stock_moved(level_id for level_id, _on_hand in updates)
    return short


def _tell_discrepancies(session: CountSession, items: list[CountedItem], *, open_case: bool) -> None:
    if not items:
        return
    skus = SKU.objects.in_bulk([item.sku_id for item in items])
    for item in items:
        stock_discrepancy.send(
            sender=CountSession,
            location=session.location,
            sku=skus[item.sku_id],
            units=item.adjustment,
            reason="count",
            facts={
                "count": session.code,
                "counted": item.counted,
                "on_hand_before": item.book_at_start,
                "value": str(item.value),
            },
            open_case=open_case,
            incident_key="",  # the item's open case, if it has one
        )


@transaction.atomic
def approve_count_discrepancies(
    *, session: CountSession | int, items: list[int] | None = None, reason: str = "count", actor
) -> CountSession:
    """The store manager (or head office) approves differences waiting beyond tolerance, with a reason (count,
    damage, theft, found): applied now as of the count's start (the adjustment does not change with the movements
    since). `items`: the counted items' ids (default: every waiting one). An associate is refused (403)."""
    session = (
        CountSession.objects.select_for_update().select_related("location").get(pk=getattr(session, "pk", session))
    )
    require_right(actor, Right.APPROVE_COUNT_DISCREPANCY, location=session.location)
    if reason not in CountedItem.AdjustmentReason.values:
        raise InvalidInput(
            _("Unknown reason."), details={"reason": reason, "allowed": CountedItem.AdjustmentReason.values}
        )
    awaiting = CountedItem.objects.filter(session=session, status=I.AWAITING_APPROVAL)
    if items is not None:
        awaiting = awaiting.filter(pk__in=items)
    waiting = list(awaiting.order_by("sku_id"))
    if not waiting:
        raise InvalidTransition(
            current=session.status,
            wanted="approve",
            allowed=[S.AWAITING_APPROVAL],
            message=_("Nothing in this count waits for approval."),
        )
    rows = lock_stock_rows(pairs={(session.location_id, item.sku_id) for item in waiting})
    now = timezone.now()
    for item in waiting:
        item.status, item.reason, item.decided_by, item.decided_at = I.APPROVED, reason, actor, now
    not_applied = _apply(
        location=session.location, items=waiting, rows=rows, reference=f"count:{session.code}", actor=actor
    )
    CountedItem.objects.bulk_update(waiting, ["status", "reason", "decided_by", "decided_at"])
    if not CountedItem.objects.filter(session=session, status=I.AWAITING_APPROVAL).exists():
        session.status = S.RECONCILED
        session.save(update_fields=["status", "updated_at"])
    _tell_discrepancies(session, not_applied, open_case=True)
    return session


def count_one_sku(*, location: Location, sku: SKU, counted: int, code: str, actor=None) -> CountedItem:
    """A recount of one item by hand (a store task's answer): a count that starts and ends now, through the same
    tolerance as every count (an associate's 100000 waits for the manager)."""
    if not isinstance(counted, int) or counted < 0:
        raise InvalidStockChange(_("A count cannot be negative."), details={"counted": counted})
    committed = StockLevel.objects.filter(location=location, sku=sku).values_list("committed", flat=True).first()
    if committed and counted < committed:
        # The units promised to orders are not there: the orders' missing units are reported first (a short
        # pick), so the customers hear of it, instead of a count hiding it.
        raise InvalidStockChange(
            _("%(counted)s counted is below the %(committed)s units committed to orders: report them missing first.")
            % {"counted": counted, "committed": committed},
            details={"counted": counted, "committed": committed},
        )
    outcome = record_count(
        location=location,
        code=code,
        scope={"skus": [sku.code]},
        quantities=[(sku.code, counted)],
        final=True,
        source=CountSession.Source.TASK,
        actor=actor,
    )
    return CountedItem.objects.get(session=outcome.session, sku=sku)
