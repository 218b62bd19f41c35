"""What a return gives back (DESIGN.md section 9): the price paid for each unit that really came back (an order's
discount spread over its lines pro rata), the order's shipping only when every unit the customer got is back, less
the return fee and the value of replacements sent instead of money; never more than was paid and not refunded.

`refund_breakdown` is the preview (announced units, or the units being counted) and the amount committed at
receipt: one computation for both."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Sum

from orders.models import Order, OrderLine, Return, ReturnLine
from orders.payments.money import CENTS, paid_and_not_refunded


def paid_unit_price(line: OrderLine, order: Order) -> Decimal:
    """The price the customer paid for one unit of `line`: its unit price less its share of the order's discount."""
    if not order.discount or not order.lines_total:
        return line.unit_price
    share = (order.lines_total - order.discount) / order.lines_total
    return (line.unit_price * share).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass
class RefundBreakdown:
    currency: str
    lines: list[dict] = field(default_factory=list)
    shipping: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    exchange: Decimal = Decimal("0.00")
    # {order number: amount}: what each order's payment gives back.
    orders: dict[str, Decimal] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return sum(self.orders.values(), Decimal("0.00"))

    def as_dict(self) -> dict:
        return {
            "amount": str(self.amount),
            "currency": self.currency,
            "items": str(sum((Decimal(line["amount"]) for line in self.lines), Decimal("0.00"))),
            "shipping": str(self.shipping),
            "fee": str(self.fee),
            "exchange": str(self.exchange),
            "lines": self.lines,
            "orders": {number: str(amount) for number, amount in self.orders.items()},
        }


def _back_before(return_request: Return, order_ids: set[int]) -> dict[int, int]:
    """Units of these orders' lines that earlier returns already brought back, by order line."""
    rows = (
        ReturnLine.objects.filter(order_line__order_id__in=order_ids, return_request__received_at__isnull=False)
        .exclude(return_request=return_request)
        .values("order_line_id")
        .annotate(units=Sum("quantity_received"))
    )
    return {row["order_line_id"]: row["units"] for row in rows}


def refund_breakdown(
    return_request: Return, *, received: dict[int, int] | None = None, lines: list[ReturnLine] | None = None
) -> RefundBreakdown:
    """The refund of `return_request` if the units in `received` ({return line id: units}) come back; None: the
    units announced. `lines`: the return's lines when the caller holds them, else its (prefetched) `lines`, each
    with its order line, SKU and order."""
    lines = list(return_request.lines.all() if lines is None else lines)
    orders = {line.order_line.order_id: line.order_line.order for line in lines}
    result = RefundBreakdown(currency=next(iter(orders.values())).currency if orders else "EUR")
    units = {line.pk: (received.get(line.pk, 0) if received is not None else line.quantity) for line in lines}
    by_order: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in lines:
        order = orders[line.order_line.order_id]
        unit_price = paid_unit_price(line.order_line, order)
        amount = unit_price * units[line.pk]
        by_order[order.pk] += amount
        result.lines.append(
            {
                "order": order.number,
                "sku": line.order_line.sku.code,
                "quantity": units[line.pk],
                "unit_price": str(unit_price),
                "amount": str(amount),
            }
        )
    charged = {pk for pk, order in orders.items() if order.shipping_price}
    if settings.RETURN_REFUNDS_SHIPPING_ON_WHOLE_RETURN and charged:
        earlier = _back_before(return_request, charged)
        coming: dict[int, int] = defaultdict(int)
        for line in lines:
            coming[line.order_line_id] += units[line.pk]
        for order in (orders[pk] for pk in charged):
            whole = all(
                earlier.get(order_line.pk, 0) + coming.get(order_line.pk, 0)
                >= order_line.quantity - order_line.quantity_cancelled - order_line.quantity_short
                for order_line in order.lines.all()
            )
            if whole:
                by_order[order.pk] += order.shipping_price
                result.shipping += order.shipping_price
    # The fee and the replacements' value come off the orders in turn, never below zero.
    result.fee = return_request.fee if any(units.values()) else Decimal("0.00")
    result.exchange = sum(
        (line.unit_price * line.quantity for line in return_request.exchange_lines.all()), Decimal("0.00")
    )
    to_deduct = result.fee + result.exchange
    for order_id, order in orders.items():
        amount = by_order[order_id]
        taken = min(amount, to_deduct)
        amount -= taken
        to_deduct -= taken
        payment = getattr(order, "payment", None)
        ceiling = paid_and_not_refunded(payment) if payment is not None else Decimal("0.00")
        result.orders[order.number] = min(amount, ceiling).quantize(CENTS)
    return result


def refund_preview(return_request: Return) -> RefundBreakdown | None:
    """What the announced units would give back, until the refund is paid (then None: the return says what was)."""
    return refund_breakdown(return_request) if return_request.refunded_at is None else None
