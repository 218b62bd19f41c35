"""Demo brand: returns (idempotent: nothing is added once the demo returns exist). Orders delivered and sent back
through the real services: one expected at the Milan store's counter, one by courier on its way to the warehouse
with an exchange held, one already received in store, restocked and refunded."""

from decimal import Decimal

from django.db import transaction

from inventory.models import SKU, ChannelListing
from inventory.selectors import sku_codes_available_at
from orders.fulfillment import services as fulfilling
from orders.models import Order, Return
from orders.placement import services as placing
from orders.placement.demo import CUSTOMERS, MILAN_ADDRESS
from orders.returns import receiving
from orders.returns import services as returning
from stores.models import Location, SalesChannel


def _delivered(web, number: str, customer: dict, sku: str, quantity: int) -> Order:
    price = ChannelListing.objects.get(sku__code=sku, channel=web).price
    order = placing.place_order(
        channel=web,
        customer=customer,
        lines=[{"sku": sku, "quantity": quantity, "unit_price": price}],
        fulfillment={"method": "home_delivery", "speed": "standard", "address": MILAN_ADDRESS},
        external_id=f"DEMO-{number}",
        payment={"provider": "manual", "reference": f"demo-{number}", "amount": price * quantity, "currency": "EUR"},
        shipping_price=Decimal("0"),
    )
    for fulfillment in order.fulfillments.all():
        fulfilling.start_picking(fulfillment=fulfillment)
        fulfilling.mark_packed(fulfillment=fulfillment)
        fulfilling.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number=f"BRT{number}")
        fulfilling.mark_delivered(fulfillment=fulfillment)
    return order


def _another_size_in_stock(sku_code: str, location_code: str) -> str:
    sku = SKU.objects.select_related("product").get(code=sku_code)
    other = (
        SKU.objects.filter(product=sku.product, active=True, stock_levels__location__code=location_code)
        .exclude(pk=sku.pk)
        .filter(stock_levels__on_hand__gt=2)
        .order_by("code")
        .first()
    )
    return other.code if other else ""


@transaction.atomic
def seed(stdout) -> None:
    if Order.objects.filter(external_id__startswith="DEMO-R").exists():
        stdout.write(f"  returns: {Return.objects.count()} (demo returns already there)")
        return
    web = SalesChannel.objects.get(code="web")
    candidates = iter(sku_codes_available_at(location_code="WH01")[:40])

    # Giulia will bring two shirts to the Milan store (it waits on the store's returns desk).
    to_milan = _delivered(web, "R101", CUSTOMERS[0], next(candidates), 2)
    returning.request_return(
        how=Return.How.IN_STORE,
        location=Location.objects.get(code="MI01"),
        lines=[{"order": to_milan.number, "sku": to_milan.lines.get().sku.code, "quantity": 2, "reason": "too_small"}],
    )
    # Marco sends one back by courier and wants another size, held at the warehouse while the parcel travels.
    by_courier = _delivered(web, "R102", CUSTOMERS[1], next(candidates), 1)
    sku = by_courier.lines.get().sku.code
    exchange = []
    for code in candidates:
        other = _another_size_in_stock(code, "WH01")
        if other:
            by_courier = _delivered(web, "R103", CUSTOMERS[1], code, 1)
            sku, exchange = code, [{"sku": other, "quantity": 1}]
            break
    courier_return = returning.request_return(
        how=Return.How.CARRIER,
        lines=[{"order": by_courier.number, "sku": sku, "quantity": 1, "reason": "too_big"}],
        label="BRT-RET-0001",
        exchange=exchange,
    )
    returning.mark_return_sent(return_request=courier_return)
    # Anna's return, received in Milan Navigli yesterday: one back on sale, refunded.
    received = _delivered(web, "R104", CUSTOMERS[2], next(candidates), 1)
    code = received.lines.get().sku.code
    done = returning.request_return(
        how=Return.How.IN_STORE,
        location=Location.objects.get(code="MI02"),
        lines=[{"order": received.number, "sku": code, "quantity": 1, "reason": "not_as_pictured"}],
    )
    receiving.receive_return(
        return_request=done,
        location=Location.objects.get(code="MI02"),
        lines=[{"order": received.number, "sku": code, "received": 1, "dispositions": {"restock_here": 1}}],
    )
    stdout.write(f"  returns: {Return.objects.count()} (one expected in MI01, one by courier, one refunded in MI02)")
