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
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import services as stock
from inventory.models import SKU, PosReceiptLine, StockLevel, TillRegister
from inventory.signals import stock_discrepancy
from omnichannel.db import rows_source
from omnichannel.errors import DomainError, InvalidInput
from orders.models import Fulfillment, Order, Reservation
from orders.services.missing import give_way_to_till_sale, till_sale_candidates, till_sale_recovery
from orders.services.reserving import mark_purchased
from stores.models import Location

MAX_LINES_PER_BATCH = 5000
MAX_UNITS_PER_LINE = 999
MAX_UNIT_PRICE = Decimal("99999.99")
# A till's clock may run a little ahead of ours; a receipt from further in the future is a broken till.
FUTURE_TOLERANCE = timedelta(minutes=10)


class TillLinesRefused(DomainError):
    code = "invalid_receipt_lines"
    status_code = 400
    default_message = gettext_lazy("Some receipt lines are not valid: nothing was recorded.")


class ReceiptLineConflict(DomainError):
    code = "receipt_line_conflict"
    status_code = 409
    default_message = gettext_lazy("Some receipt lines were already recorded with other content: nothing was recorded.")


@dataclass
class TillLine:
    register: str
    receipt: str
    line: int
    item: str
    quantity: int
    unit_price: Decimal
    non_stock: bool
    at: object
    reservation: str = ""
    sku_id: int | None = None
    reserved_units: int = 0
    unbooked: int = 0

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.register, self.receipt, self.line)

    def content(self) -> tuple:
        return (self.item, self.quantity, self.unit_price, self.non_stock)


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


def _error(where: dict, code: str, message: str) -> dict:
    return {**where, "code": code, "message": str(message)}


def _parse(receipts, *, now) -> tuple[list[TillLine], list[dict]]:
    """The batch's lines, and an error per bad line (a bad receipt header refuses each of its lines)."""
    if not isinstance(receipts, list) or not receipts:
        raise InvalidInput(_("Send a non-empty list of receipts."), details={"receipts": "required"})
    lines, errors = [], []
    count = 0
    for index, receipt in enumerate(receipts):
        if not isinstance(receipt, dict):
            raise InvalidInput(_("Each receipt is an object."), details={"receipt": index})
        register, number = receipt.get("register"), receipt.get("receipt")
        where = {"receipt_index": index, "register": register, "receipt": number}
        header_problem = None
        if not isinstance(register, str) or not register.strip() or len(register) > 20:
            header_problem = ("invalid_register", _("A register is a code of 1 to 20 characters."))
        elif not isinstance(number, str) or not number.strip() or len(number) > 40:
            header_problem = ("invalid_receipt", _("A receipt number is 1 to 40 characters."))
        at = _moment(receipt.get("at"))
        if header_problem is None and at is None:
            header_problem = ("invalid_at", _("`at` is the moment the receipt was rung up (ISO 8601)."))
        if at is not None:
            # In UTC, as the ORM writes it: the lines are inserted by raw SQL (the SQLite demo keeps the text).
            at = (timezone.make_aware(at) if timezone.is_naive(at) else at).astimezone(UTC)
        if header_problem is None and at > now + FUTURE_TOLERANCE:
            header_problem = ("invalid_at", _("The receipt is dated in the future."))
        reservation = receipt.get("reservation") or ""
        if header_problem is None and (not isinstance(reservation, str) or len(reservation) > 20):
            header_problem = ("unknown_reservation", _("Not a reservation number."))
        receipt_lines = receipt.get("lines")
        if not isinstance(receipt_lines, list) or not receipt_lines:
            errors.append(_error(where, "invalid_receipt", _("A receipt has a non-empty list of lines.")))
            continue
        count += len(receipt_lines)
        if count > MAX_LINES_PER_BATCH:
            raise InvalidInput(
                _("At most %(max)s lines per request.") % {"max": MAX_LINES_PER_BATCH},
                details={"max_lines": MAX_LINES_PER_BATCH},
            )
        for raw in receipt_lines:
            raw_line = raw.get("line") if isinstance(raw, dict) else None
            at_line = {**where, "line": raw_line}
            if header_problem is not None:
                errors.append(_error(at_line, *header_problem))
                continue
            parsed, problem = _parse_line(raw)
            if problem is not None:
                errors.append(_error(at_line, *problem))
                continue
            lines.append(
                TillLine(
                    register=register.strip(),
                    receipt=number.strip(),
                    at=at,
                    reservation=reservation.strip(),
                    **parsed,
                )
            )
    return lines, errors


def _moment(value):
    """An ISO 8601 moment, or None when it is not one or is impossible (month 13, an offset over 24 h)."""
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        return None


def _parse_line(raw) -> tuple[dict | None, tuple | None]:
    if not isinstance(raw, dict):
        return None, ("invalid_line", _("A line is an object."))
    number, item, quantity = raw.get("line"), raw.get("sku"), raw.get("quantity")
    non_stock = raw.get("non_stock", False)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 100000:
        return None, ("invalid_line", _("`line` is the line's number on the receipt (1 or more)."))
    if not isinstance(item, str) or not item.strip() or len(item) > 64:
        return None, ("invalid_line", _("`sku` names the item (1 to 64 characters)."))
    if not isinstance(non_stock, bool):
        return None, ("invalid_line", _("`non_stock` is true or false."))
    if raw.get("order"):
        return None, (
            "use_returns_desk",
            _(
                "A line naming an online order is taken back at the returns desk, not at the till (it would be "
                "refunded twice)."
            ),
        )
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0:
        return None, ("invalid_quantity", _("The quantity is a whole number other than 0 (negative: a return)."))
    if abs(quantity) > MAX_UNITS_PER_LINE:
        return None, ("invalid_quantity", _("At most %(max)s units per line.") % {"max": MAX_UNITS_PER_LINE})
    try:
        price = Decimal(str(raw.get("unit_price")))
    except (InvalidOperation, ValueError):
        price = None
    if (
        price is None
        or not price.is_finite()
        or price < 0
        or price > MAX_UNIT_PRICE
        or price != price.quantize(Decimal("0.01"))
    ):
        return None, ("invalid_price", _("The unit price is an amount from 0 to 99999.99 with at most 2 decimals."))
    unknown = set(raw) - {"line", "sku", "quantity", "unit_price", "non_stock"}
    if unknown:
        return None, ("invalid_line", _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    return {
        "line": number,
        "item": item.strip(),
        "quantity": quantity,
        "unit_price": price.quantize(Decimal("0.01")),
        "non_stock": non_stock,
    }, None


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
    lines, errors = _parse(receipts, now=now)
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
            errors.append(_error(where, "unknown_sku", _("Unknown SKU: %(sku)s") % {"sku": line.item}))
        elif line.reservation and line.reservation not in known:
            errors.append(
                _error(
                    where,
                    "unknown_reservation",
                    _("%(number)s is not a reservation at this store.") % {"number": line.reservation},
                )
            )
        elif line.key in first_seen:
            if first_seen[line.key].content() != line.content():
                errors.append(_error(where, "receipt_line_conflict", _("The same line twice with other content.")))
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
                _error(
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
        sold[line.sku_id] += line.quantity - line.reserved_units
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
        # Orders, then fulfillments, before any stock row (DESIGN.md section 3).
        list(
            Order.objects.select_for_update(no_key=True)
            .filter(pk__in={c.fulfillment.order_id for c in candidates})
            .order_by("pk")
            .values_list("pk")
        )
        list(
            Fulfillment.objects.select_for_update(no_key=True)
            .filter(pk__in={c.fulfillment_id for c in candidates})
            .order_by("pk")
            .values_list("pk")
        )
        # Read again under the locks: a picker may have started, or the order changed, since the first read.
        candidates = till_sale_candidates(
            location_id=location.pk, sku_ids=short_skus, among={c.fulfillment_id for c in candidates}
        )
    plans = {c.pk: till_sale_recovery(line=c, quantity=c.hold.open_quantity) for c in candidates}
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
        units = min(need, candidate.hold.open_quantity)
        # A plan for the line's open units serves fewer of them too (same source, held for `units`).
        plan = plans[candidate.pk]
        give_way_to_till_sale(line=candidate, quantity=units, plan=plan, actor=actor)
        row.committed -= units
        result.taken_from_orders.append(
            {"order": candidate.fulfillment.order.number, "sku": candidate.order_line.sku.code, "quantity": units}
        )
    moves = [
        stock.TillMove(
            sku_id=line.sku_id,
            quantity=line.quantity - line.reserved_units,
            at=line.at,
            reference=f"pos:{line.register}/{line.receipt}",
        )
        for line in lines
        if line.quantity != line.reserved_units
    ]
    booked_lines = [line for line in lines if line.quantity != line.reserved_units]
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
            covered[sku] += candidate.hold.open_quantity
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
        settled = defaultdict(int)
        for sku_id, units in PosReceiptLine.objects.filter(
            location=location, reservation=reservation.number
        ).values_list("sku_id", "reserved_units"):
            settled[sku_id] += units
        taken: dict[int, int] = defaultdict(int)
        for line in mine:
            if line.quantity <= 0:
                continue
            left = cover.get(line.sku_id, 0) - settled[line.sku_id] - taken[line.sku_id]
            units = min(left, line.quantity)
            if units > 0:
                line.reserved_units = units
                line.reservation = reservation.number
                taken[line.sku_id] += units
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
            missing[line.sku_id].append(line)
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
