"""Till sales (the POS feed): receipts from a store's registers, each line applied exactly once (DESIGN.md
sections 5 and 13).

A batch is validated whole first (unknown SKU, zero or absurd quantity, bad price, a till return naming an online
order, an unknown reservation), then its lines are inserted with `ON CONFLICT DO NOTHING` on the unique (location,
register, receipt, line): only the lines inserted now move stock, so a till that resends a batch, or sends it
twice at once, changes nothing; a key already there with other content is a `receipt_line_conflict`.

The till is the truth, but on-hand never goes below the units promised (the CHECKs stay): a sale takes free
units, then units of allocations nobody has started picking, newest order first (their holds released, their
orders sourced again without this store, else a case), never units of picked, packed or ready fulfillments or
of a held reservation. What still does not fit is a stock discrepancy with a recount task.

Lock order (DESIGN.md section 3): the receipts' advisory locks, reservations, then orders and fulfillments whose
units the till may take, then every stock row involved (this store's and the recoveries') by one statement in
(location, sku) order; after that only rows already locked are written.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.models import SKU, PosReceiptLine, StockLevel, TillRegister
from inventory.signals import stock_discrepancy
from omnichannel.db import rows_source
from orders import locks
from orders.fulfillment.missing import give_way_to_till_sale, recovery_elsewhere, till_sale_candidates
from orders.models import Reservation
from orders.reservations.services import mark_purchased
from orders.shop_floor.till_input import ReceiptLineConflict, TillLine, TillLinesRefused, line_error, parse_receipts
from stores.models import Location


@dataclass
class TillResult:
    applied: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    # Units the till sold that the books did not have free: each a discrepancy with a recount task.
    not_in_stock: list[dict] = field(default_factory=list)
    # Units taken from orders nobody had started picking (their orders sourced again).
    taken_from_orders: list[dict] = field(default_factory=list)
    reservations: list[str] = field(default_factory=list)


RECEIPT_LINE_COLUMNS = [
    ("location_id", "bigint"),
    ("register", "text"),
    ("receipt", "text"),
    ("line", "integer"),
    ("item", "text"),
    ("sku_id", "bigint"),
    ("non_stock", "boolean"),
    ("quantity", "integer"),
    ("unit_price", "numeric"),
    ("sold_at", "timestamptz"),
    ("received_at", "timestamptz"),
]


def _insert_new(location: Location, lines: list[TillLine], now) -> set[tuple]:
    """Insert the lines in one statement; the keys of those that were not there yet (the rest were applied
    before, or by a concurrent request that committed first: the unique index decides)."""
    table = PosReceiptLine._meta.db_table
    names = ", ".join(name for name, _type in RECEIPT_LINE_COLUMNS)
    rows = [
        (location.pk, l.register, l.receipt, l.line, l.item, l.sku_id, l.non_stock, l.quantity, l.unit_price, l.at, now)
        for l in lines  # noqa: E741
    ]
    source, params = rows_source(RECEIPT_LINE_COLUMNS, rows)
    with connection.cursor() as cursor:
        # WHERE true: SQLite reads "ON CONFLICT" after a bare FROM as a join's ON otherwise.
        cursor.execute(
            f"INSERT INTO {table} ({names}, reservation, reserved_units, quantity_unbooked) "
            f"SELECT {names}, '', 0, 0 FROM {source} WHERE true "
            f"ON CONFLICT (location_id, register, receipt, line) DO NOTHING RETURNING register, receipt, line",
            params,
        )
        return {(register, receipt, number) for register, receipt, number in cursor.fetchall()}


def _existing_content(location: Location, lines: list[TillLine]) -> dict:
    keys = {line.key for line in lines}
    rows = PosReceiptLine.objects.filter(
        location=location, receipt__in={k[1] for k in keys}, register__in={k[0] for k in keys}
    ).values_list("register", "receipt", "line", "item", "quantity", "unit_price", "non_stock")
    return {(r, rc, n): (item, q, p, ns) for r, rc, n, item, q, p, ns in rows if (r, rc, n) in keys}


def _record_registers(location: Location, lines: list[TillLine]) -> None:
    latest: dict[str, TillLine] = {}
    for line in lines:
        if line.register not in latest or line.at >= latest[line.register].at:
            latest[line.register] = line
    TillRegister.objects.bulk_create(
        [TillRegister(location=location, code=code) for code in sorted(latest)], ignore_conflicts=True
    )
    for code, line in sorted(latest.items()):
        TillRegister.objects.filter(location=location, code=code).exclude(last_receipt_at__gt=line.at).update(
            last_receipt=line.receipt, last_receipt_at=line.at, updated_at=timezone.now()
        )


@transaction.atomic
def record_till_sales(*, location: Location, receipts, partial: bool = False, actor=None) -> TillResult:
    """Apply a batch of till receipts at `location`, each line once. Whole or nothing by default: any bad line
    refuses the batch (400 `invalid_receipt_lines`, or 409 `receipt_line_conflict`, every bad line in
    `details.lines`); `partial` applies the good lines and returns the bad ones in `rejected`."""
    now = timezone.now()
    result = TillResult()
    lines, errors = parse_receipts(receipts, now=now)
    codes = {line.item for line in lines if not line.non_stock}
    sku_ids = dict(SKU.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    named = {line.reservation for line in lines if line.reservation}
    known = (
        set(Reservation.objects.filter(location=location, number__in=named).values_list("number", flat=True))
        if named
        else set()
    )
    first_seen: dict[tuple, TillLine] = {}
    good = []
    for line in lines:
        where = {"register": line.register, "receipt": line.receipt, "line": line.line}
        if not line.non_stock and line.item not in sku_ids:
            errors.append(line_error(where, "unknown_sku", _("Unknown SKU: %(sku)s") % {"sku": line.item}))
        elif line.reservation and line.reservation not in known:
            errors.append(
                line_error(
                    where,
                    "unknown_reservation",
                    _("%(number)s is not a reservation at this store.") % {"number": line.reservation},
                )
            )
        elif line.key in first_seen:
            if first_seen[line.key].content() != line.content():
                errors.append(line_error(where, "receipt_line_conflict", _("The same line twice with other content.")))
            else:
                result.duplicates += 1
        else:
            line.sku_id = sku_ids.get(line.item)
            first_seen[line.key] = line
            good.append(line)
    if errors and not partial:
        _refuse(errors)
    stock.lock_receipts(location_id=location.pk, receipts={line.receipt for line in good})
    inserted = _insert_new(location, good, now) if good else set()
    existing = _existing_content(location, [line for line in good if line.key not in inserted])
    for line in good:
        if line.key in inserted:
            continue
        if existing.get(line.key) == line.content():
            result.duplicates += 1
        else:
            errors.append(
                line_error(
                    {"register": line.register, "receipt": line.receipt, "line": line.line},
                    "receipt_line_conflict",
                    _("This line was recorded before with other content."),
                )
            )
    if errors and not partial:
        _refuse(errors)  # rolls back the lines inserted above
    result.rejected = errors
    new = [line for line in good if line.key in inserted]
    result.applied = len(new)
    if new:
        _record_registers(location, new)
        _book(location=location, lines=[line for line in new if not line.non_stock], result=result, actor=actor)
    return result


def _refuse(errors: list[dict]):
    if all(error["code"] == "receipt_line_conflict" for error in errors):
        raise ReceiptLineConflict(details={"lines": errors})
    raise TillLinesRefused(details={"lines": errors})


def _book(*, location: Location, lines: list[TillLine], result: TillResult, actor) -> None:
    """Move stock for the new stock lines: reservations settled, units taken from unpicked orders when the shelf
    has none free, the rest booked set-based; what still does not fit is a discrepancy."""
    if not lines:
        return
    reservations = _settle_reservations(location, lines)
    # Units each SKU's sales need beyond reservations (returns give units back first).
    sold: dict[int, int] = defaultdict(int)
    for line in lines:
        sold[line.stock_sku_id] += line.quantity - line.reserved_units
    # Read without a lock, to know which orders to lock before the stock rows (and which rows to create); decided
    # again under the lock.
    free = {
        sku_id: on_hand - committed
        for sku_id, on_hand, committed in StockLevel.objects.filter(
            location=location, sku_id__in=list(sold)
        ).values_list("sku_id", "on_hand", "committed")
    }
    short_skus = {sku for sku, units in sold.items() if units > free.get(sku, 0)}
    candidates = _enough(
        till_sale_candidates(location_id=location.pk, sku_ids=short_skus) if short_skus else [],
        need={sku: sold[sku] - free.get(sku, 0) for sku in short_skus},
    )
    if candidates:
        # Orders, then fulfillments, before any stock row (orders/locks.py).
        locks.lock_orders(c.fulfillment.order_id for c in candidates)
        locks.lock_fulfillments(c.fulfillment_id for c in candidates)
        # Read again under the locks: a picker may have started, or the order changed, since the first read.
        candidates = till_sale_candidates(
            location_id=location.pk, sku_ids=short_skus, among={c.fulfillment_id for c in candidates}
        )
    plans = {
        c.pk: recovery_elsewhere(
            order=c.fulfillment.order,
            sku=c.order_line.sku,
            quantity=c.held.open_quantity,
            source_id=c.fulfillment.source_location_id,
        )
        for c in candidates
    }
    pairs = {(location.pk, sku) for sku in sold}
    pairs |= {(plan.fulfillments[0].source_id, c.order_line.sku_id) for c in candidates if (plan := plans[c.pk])}
    rows = stock.lock_stock_rows(pairs=pairs, create={(location.pk, sku) for sku in sold if sku not in free})
    if reservations:
        for reservation, bought in reservations:
            mark_purchased(
                reservation=reservation,
                pos_receipt=bought["receipt"],
                bought=bought["lines"],
                actor=actor,
                from_till=True,
            )
            result.reservations.append(reservation.number)
        rows = stock.lock_stock_rows(pairs=pairs)  # the numbers the reservations' sales left
    for candidate in candidates:
        sku = candidate.order_line.sku_id
        row = rows[(location.pk, sku)]
        need = sold[sku] - row.free
        if need <= 0:
            continue
        units = min(need, candidate.held.open_quantity)
        # A plan for the line's open units serves fewer of them too (same source, held for `units`).
        plan = plans[candidate.pk]
        give_way_to_till_sale(line=candidate, quantity=units, plan=plan, actor=actor)
        row.committed -= units
        result.taken_from_orders.append(
            {"order": candidate.fulfillment.order.number, "sku": candidate.order_line.sku.code, "quantity": units}
        )
    # Lines not wholly settled by a reservation: the rest of their units are booked as till moves.
    booked_lines = [line for line in lines if line.quantity != line.reserved_units]
    moves = [
        stock.TillMove(
            sku_id=line.stock_sku_id,
            quantity=line.quantity - line.reserved_units,
            at=line.at,
            reference=f"pos:{line.register}/{line.receipt}",
        )
        for line in booked_lines
    ]
    unbooked = stock.book_till_moves(location_id=location.pk, moves=moves, rows=rows, actor=actor)
    for line, units in zip(booked_lines, unbooked, strict=True):
        line.unbooked = units
    _save_line_outcomes(location, lines)
    _report_unbooked(location, booked_lines, result)


def _enough(candidates: list, *, need: dict[int, int]) -> list:
    """The newest candidates whose held units cover each SKU's shortfall: only those orders are locked, planned
    and possibly sourced again (not every pending order of a popular item)."""
    chosen, covered = [], dict.fromkeys(need, 0)
    for candidate in candidates:
        sku = candidate.order_line.sku_id
        if covered[sku] < need[sku]:
            chosen.append(candidate)
            covered[sku] += candidate.held.open_quantity
    return chosen


def _settle_reservations(location: Location, lines: list[TillLine]) -> list[tuple]:
    """The receipts' click & reserves: a receipt naming one (or whose number a purchased reservation recorded
    through the "bought" button) takes its units from that reservation. A held reservation is bought now (its
    hold consumed by the caller); one already bought by the button left stock then: its units are not booked
    again. Sets `reserved_units` on the lines; returns [(reservation row, {"receipt", "lines": {line id: units}})]
    for those the caller must mark bought. The reservations are locked here, before any stock row."""
    receipts = {line.receipt for line in lines}
    named = {line.reservation for line in lines if line.reservation}
    found = (
        list(
            Reservation.objects.select_for_update(no_key=True)
            .filter(location=location)
            .filter(number__in=named)
            .order_by("pk")
        )
        if named
        else []
    )
    by_receipt = list(
        Reservation.objects.select_for_update(no_key=True)
        .filter(location=location, status=Reservation.Status.PURCHASED, pos_receipt__in=receipts)
        .exclude(number__in=named)
        .order_by("pk")
    )
    if not found and not by_receipt:
        return []
    to_buy = []
    for reservation in sorted(found + by_receipt, key=lambda r: r.pk):
        mine = [
            line
            for line in lines
            if line.reservation == reservation.number
            or (not line.reservation and line.receipt == reservation.pos_receipt)
        ]
        reservation_lines = list(reservation.lines.all())
        if reservation.status == Reservation.Status.HELD:
            cover = {rl.sku_id: rl.quantity for rl in reservation_lines}
        elif reservation.status == Reservation.Status.PURCHASED:
            cover = {rl.sku_id: rl.quantity_purchased for rl in reservation_lines}
        else:
            continue  # expired, declined or cancelled: its units went back on sale; an ordinary sale
        # Units of the reservation this receipt already settled earlier (a line applied in another batch).
        settled: dict[int, int] = defaultdict(int)
        for sku_id, units in PosReceiptLine.objects.filter(
            location=location, reservation=reservation.number
        ).values_list("sku_id", "reserved_units"):
            settled[sku_id] += units
        taken: dict[int, int] = defaultdict(int)
        for line in mine:
            if line.quantity <= 0:
                continue
            left = cover.get(line.stock_sku_id, 0) - settled[line.stock_sku_id] - taken[line.stock_sku_id]
            units = min(left, line.quantity)
            if units > 0:
                line.reserved_units = units
                line.reservation = reservation.number
                taken[line.stock_sku_id] += units
        if taken and reservation.status == Reservation.Status.HELD:
            bought = {rl.pk: taken.get(rl.sku_id, 0) for rl in reservation_lines}
            receipt = next(line.receipt for line in mine if line.reserved_units)
            to_buy.append((reservation, {"receipt": receipt, "lines": bought}))
    return to_buy


def _save_line_outcomes(location: Location, lines: list[TillLine]) -> None:
    """The few lines a reservation settled or the books could not cover: their rows say so."""
    for line in lines:
        if line.reserved_units or line.unbooked:
            PosReceiptLine.objects.filter(
                location=location, register=line.register, receipt=line.receipt, line=line.line
            ).update(reservation=line.reservation, reserved_units=line.reserved_units, quantity_unbooked=line.unbooked)


def _report_unbooked(location: Location, lines: list[TillLine], result: TillResult) -> None:
    missing: dict[int, list[TillLine]] = defaultdict(list)
    for line in lines:
        if line.unbooked:
            missing[line.stock_sku_id].append(line)
            result.not_in_stock.append(
                {
                    "register": line.register,
                    "receipt": line.receipt,
                    "line": line.line,
                    "sku": line.item,
                    "units": line.unbooked,
                }
            )
    if not missing:
        return
    skus = SKU.objects.in_bulk(list(missing))
    for sku_id, sku_lines in sorted(missing.items()):
        units = sum(line.unbooked for line in sku_lines)
        stock_discrepancy.send(
            sender=PosReceiptLine,
            location=location,
            sku=skus[sku_id],
            units=-units,
            reason="till_oversold",
            facts={"receipts": sorted({f"{line.register}/{line.receipt}" for line in sku_lines}), "units": units},
            open_case=False,
            incident_key="",
        )
