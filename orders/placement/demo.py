"""Demo brand, part 3: orders in several states, placed and moved through the real services (idempotent:
nothing is added once demo orders exist)."""

from decimal import Decimal

from django.db import transaction

from inventory.models import ChannelListing, StockLevel
from inventory.selectors import sku_codes_available_at
from orders.fulfillment import services as fulfilling
from orders.models import Order
from orders.placement import services as placing
from stores.models import SalesChannel

CUSTOMERS = [
    {
        "email": "giulia.rossi@example.com",
        "phone": "+393331234567",
        "name": "Giulia Rossi",
        "locale": "it",
        "marketing_consent": True,
    },
    {
        "email": "marco.bianchi@example.com",
        "phone": "+393471112223",
        "name": "Marco Bianchi",
        "locale": "it",
        "marketing_consent": False,
    },
    {"email": "anna.smith@example.com", "phone": "", "name": "Anna Smith", "locale": "en", "marketing_consent": False},
]


MILAN_ADDRESS = {
    "name": "Marco Bianchi",
    "line1": "Via Paolo Sarpi 10",
    "city": "Milano",
    "postcode": "20154",
    "country": "IT",
    "lat": 45.4797,
    "lon": 9.1747,
}


def _sku_available_at(location_code: str, skip: set) -> str:
    row = sku_codes_available_at(location_code=location_code).exclude(sku__code__in=skip).first()
    skip.add(row)
    return row


@transaction.atomic
def seed(stdout) -> None:
    if Order.objects.filter(external_id__startswith="DEMO-").exists():
        stdout.write(f"  orders: {Order.objects.count()} (demo orders already there)")
        return
    web = SalesChannel.objects.get(code="web")
    used: set = set()

    def order(number, customer, sku, fulfillment):
        price = ChannelListing.objects.get(sku__code=sku, channel=web).price
        return placing.place_order(
            channel=web,
            customer=customer,
            lines=[{"sku": sku, "quantity": 1, "unit_price": price}],
            fulfillment=fulfillment,
            external_id=f"DEMO-{number}",
            payment={"provider": "manual", "reference": f"demo-{number}", "amount": price, "currency": "EUR"},
            shipping_price=Decimal("0"),
        )

    # To prepare today in Milan: a click & collect and a second one already being picked.
    order(1001, CUSTOMERS[0], _sku_available_at("MI01", used), {"method": "store_pickup", "pickup_location": "MI01"})
    picking = order(
        1002, CUSTOMERS[2], _sku_available_at("MI01", used), {"method": "store_pickup", "pickup_location": "MI01"}
    )
    fulfilling.start_picking(fulfillment=picking.fulfillments.get())
    # Waiting for the customer at the till.
    ready = order(
        1003, CUSTOMERS[1], _sku_available_at("MI01", used), {"method": "store_pickup", "pickup_location": "MI01"}
    )
    fulfilling.start_picking(fulfillment=ready.fulfillments.get())
    fulfilling.mark_ready_for_pickup(fulfillment=ready.fulfillments.get())
    # Home deliveries: one to prepare, one shipped.
    order(
        1004,
        CUSTOMERS[1],
        _sku_available_at("WH01", used),
        {"method": "home_delivery", "speed": "standard", "address": MILAN_ADDRESS},
    )
    shipped = order(
        1005,
        CUSTOMERS[0],
        _sku_available_at("WH01", used),
        {"method": "home_delivery", "speed": "express", "address": MILAN_ADDRESS},
    )
    fulfillment = shipped.fulfillments.get()
    fulfilling.start_picking(fulfillment=fulfillment)
    fulfilling.mark_packed(fulfillment=fulfillment)
    fulfilling.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT0000123456")
    # A ship-to-store parcel on its way from the warehouse to Bergamo.
    bergamo = set(StockLevel.objects.filter(location__code="BG01", on_hand__gt=0).values_list("sku__code", flat=True))
    incoming = order(
        1006,
        CUSTOMERS[2],
        _sku_available_at("WH01", used | bergamo),
        {"method": "store_pickup", "pickup_location": "BG01"},
    )
    fulfillment = incoming.fulfillments.get()
    if fulfillment.flow == "ship_to_store":
        fulfilling.start_picking(fulfillment=fulfillment)
        fulfilling.mark_packed(fulfillment=fulfillment)
        fulfilling.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="BRT0000654321")
    stdout.write(f"  orders: {Order.objects.count()} demo orders in several states")
