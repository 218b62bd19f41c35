"""A till batch as the tills send it, checked whole before anything is written: each line's problems with a code
(`unknown_sku` and the reservation's are checked by the service, which reads the catalog)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omnichannel.errors import DomainError, InvalidInput

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
    at: datetime
    reservation: str = ""
    sku_id: int | None = None  # resolved when the batch is read; None: a non-stock line (gift card, service)
    reserved_units: int = 0
    unbooked: int = 0

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.register, self.receipt, self.line)

    def content(self) -> tuple:
        return (self.item, self.quantity, self.unit_price, self.non_stock)

    @property
    def stock_sku_id(self) -> int:
        """The SKU of a line that moves stock (non-stock lines never reach the stock steps)."""
        if self.sku_id is None:
            raise ValueError(f"{self.item} is not a stock line")
        return self.sku_id


def line_error(where: dict, code: str, message: str) -> dict:
    return {**where, "code": code, "message": str(message)}


def parse_receipts(receipts, *, now) -> tuple[list[TillLine], list[dict]]:
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
        at, header_problem = _receipt_header(receipt, now=now)
        reservation = receipt.get("reservation") or ""
        receipt_lines = receipt.get("lines")
        if not isinstance(receipt_lines, list) or not receipt_lines:
            errors.append(line_error(where, "invalid_receipt", _("A receipt has a non-empty list of lines.")))
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
                errors.append(line_error(at_line, *header_problem))
                continue
            parsed, problem = _parse_line(raw)
            if problem is not None:
                errors.append(line_error(at_line, *problem))
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


def _receipt_header(receipt: dict, *, now):
    """(when it was rung up, in UTC; the header's problem as (code, text), or None). A bad header refuses each of
    the receipt's lines."""
    register, number, reservation = receipt.get("register"), receipt.get("receipt"), receipt.get("reservation") or ""
    at = _moment(receipt.get("at"))
    if at is not None:
        # In UTC, as the ORM writes it: the lines are inserted by raw SQL (the SQLite demo keeps the text).
        at = (timezone.make_aware(at) if timezone.is_naive(at) else at).astimezone(UTC)
    if not isinstance(register, str) or not register.strip() or len(register) > 20:
        return at, ("invalid_register", _("A register is a code of 1 to 20 characters."))
    if not isinstance(number, str) or not number.strip() or len(number) > 40:
        return at, ("invalid_receipt", _("A receipt number is 1 to 40 characters."))
    if at is None:
        return at, ("invalid_at", _("`at` is the moment the receipt was rung up (ISO 8601)."))
    if at > now + FUTURE_TOLERANCE:
        return at, ("invalid_at", _("The receipt is dated in the future."))
    if not isinstance(reservation, str) or len(reservation) > 20:
        return at, ("unknown_reservation", _("Not a reservation number."))
    return at, None


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
