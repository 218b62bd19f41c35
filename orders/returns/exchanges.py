"""Exchanges (DESIGN.md section 9): another size or colour instead of money, held from the request on so it
cannot sell out while the parcel travels, and ordered (paid by the returned units' value) when the return arrives,
or at once with EXCHANGE_SHIPS_BEFORE_RETURN."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from inventory import services as stock
from inventory.errors import InsufficientStock
from inventory.models import SKU, StockHold
from orders.errors import InvalidOrder
from orders.models import (
    ExchangeLine,
    FulfillmentMethod,
    Order,
    Return,
    ReturnLine,
)
from orders.payments.breakdown import paid_unit_price
from orders.placement.services import place_order
from orders.returns import events
from stores.models import Location


def hold_exchange(return_request: Return, return_lines: list[ReturnLine], exchange: list[dict]) -> None:
    """Hold each replacement where it will leave from: the receiving store for an in-store return (handed over
    there), else the first warehouse that ships and has it. Only another size or colour of a returned product, at
    most as many units, worth the price paid for the unit it replaces."""
    returned_by_product = defaultdict(list)
    for line in return_lines:
        returned_by_product[line.order_line.sku.product_id].append(line)
    skus = {sku.code: sku for sku in SKU.objects.filter(code__in={item["sku"] for item in exchange}, active=True)}
    units_left = {product: sum(line.quantity for line in lines) for product, lines in returned_by_product.items()}
    rows = []
    for item in exchange:
        sku, quantity = skus.get(item["sku"]), int(item["quantity"])
        if sku is None or sku.product_id not in returned_by_product:
            raise InvalidOrder(
                _("An exchange is another size or colour of an item you return: %(sku)s is not.")
                % {"sku": item["sku"]},
                details={"exchange": item["sku"]},
            )
        if quantity <= 0 or quantity > units_left[sku.product_id]:
            raise InvalidOrder(_("Exchange at most as many units as you return."), details={"exchange": item["sku"]})
        units_left[sku.product_id] -= quantity
        replaced = returned_by_product[sku.product_id][0].order_line
        rows.append(
            ExchangeLine(
                return_request=return_request,
                sku=sku,
                quantity=quantity,
                unit_price=paid_unit_price(replaced, replaced.order),
            )
        )
    if not settings.EXCHANGE_SHIPS_BEFORE_RETURN:
        # An in-store return's replacement waits in that store when it has one, else comes from a warehouse.
        sources = [return_request.location] if return_request.how == Return.How.IN_STORE else []
        sources += list(
            Location.objects.active()
            .filter(kind=Location.Kind.WAREHOUSE)
            .with_capability("ships")
            .order_by("fulfillment_priority", "code")
        )
        _hold_at_first_source(return_request, rows, sources)
    ExchangeLine.objects.bulk_create(rows)


def _hold_at_first_source(return_request: Return, rows: list[ExchangeLine], sources: list[Location]) -> None:
    refused = None
    for source in sources:
        try:
            holds = stock.hold_stock(
                lines=[(source, row.sku, row.quantity) for row in rows],
                # An allocation for the replacement order it becomes at receipt (not a click & reserve hold).
                kind=StockHold.Kind.ALLOCATION,
                reference=f"return:{return_request.number}:exchange",
            )
        except InsufficientStock as exc:
            refused = exc
            continue
        by_sku = {hold.sku_id: hold for hold in holds}
        for row in rows:
            row.hold = by_sku[row.sku_id]
        return
    raise refused or InsufficientStock([])


def release_exchange(return_request: Return) -> list[ExchangeLine]:
    """The replacements' held units back on sale (the return cancelled, the exchange dropped, or ordered now under
    holds of its own); the exchange lines, with their SKU."""
    rows = list(return_request.exchange_lines.select_related("sku", "hold"))
    stock.release_active_holds([row.hold for row in rows])
    return rows


def order_exchange(return_request: Return, *, actor) -> Order:
    """The replacement as an order of its own, paid by the returned units' value: released from its hold and
    placed in the same transaction (the units are still there), collected in the receiving store for an in-store
    return, else delivered where the first returned order went."""
    rows = release_exchange(return_request)
    original = return_request.lines.select_related("order_line__order").order_by("pk")[0].order_line.order
    if return_request.how == Return.How.IN_STORE:
        fulfillment = {"method": FulfillmentMethod.STORE_PICKUP, "pickup_location": return_request.location.code}
    elif original.shipping_address:
        fulfillment = {
            "method": FulfillmentMethod.HOME_DELIVERY,
            "speed": "standard",
            "address": original.shipping_address,
        }
    elif original.pickup_location is not None:
        fulfillment = {"method": FulfillmentMethod.STORE_PICKUP, "pickup_location": original.pickup_location.code}
    else:
        raise ValueError(f"order {original.number} has neither a shipping address nor a pickup store")
    total = sum((row.unit_price * row.quantity for row in rows), Decimal("0.00"))
    order = place_order(
        channel=return_request.channel,
        customer={
            "email": return_request.contact_email,
            "phone": return_request.contact_phone,
            "name": return_request.contact_name,
            "locale": return_request.contact_locale,
        },
        lines=[{"sku": row.sku.code, "quantity": row.quantity, "unit_price": row.unit_price} for row in rows],
        fulfillment=fulfillment,
        payment={
            "provider": "exchange",
            "reference": return_request.number,
            "amount": total,
            "currency": return_request.channel.currency,
        },
        external_id=f"exchange:{return_request.number}",
        actor=actor,
    )
    return_request.exchange_order = order
    return_request.save(update_fields=["exchange_order", "updated_at"])
    events.exchange_ordered(
        return_request=return_request,
        order_number=order.number,
        items=[{"sku": row.sku.code, "quantity": row.quantity} for row in rows],
        actor=actor,
    )
    return order
