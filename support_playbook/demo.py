"""Demo brand, last part: incidents of every playbook scenario, caused and worked through the real services, so
customer care's queue, the stores' tasks and the manual show real work on first run (idempotent: nothing is added
once the demo incidents exist). After notifications.demo: it reads the outbox the earlier parts filled."""

from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inventory.models import ChannelListing, StockLevel
from inventory.selectors import sku_codes_available_at
from notifications import services as outbox
from notifications.models import Notification
from orders import services
from orders.models import Order
from stores.models import SalesChannel
from support_playbook.models import Case, StoreTask
from support_playbook.services import tasks as task_services

CUSTOMER = {
    "email": "laura.conti@example.com",
    "phone": "+393351234987",
    "name": "Laura Conti",
    "locale": "it",
    "marketing_consent": False,
}
ADDRESS = {
    "name": "Laura Conti",
    "line1": "Corso Magenta 12",
    "city": "Milano",
    "postcode": "20123",
    "country": "IT",
    "lat": 45.4654,
    "lon": 9.1748,
}
HOME = {"method": "home_delivery", "speed": "standard", "address": ADDRESS}


@contextmanager
def _people_decide():
    """For the demo's short picks, no automatic recovery: the cases show care's choices with live suggestions
    ("MI02 has 2 units") instead of being solved before anyone sees them."""
    before = settings.AUTO_RECOVER_SHORT_LINES
    settings.AUTO_RECOVER_SHORT_LINES = False
    try:
        yield
    finally:
        settings.AUTO_RECOVER_SHORT_LINES = before


@transaction.atomic
def seed(stdout) -> None:
    if Order.objects.filter(external_id__startswith="DEMO-2").exists():
        stdout.write(f"  cases: {Case.objects.count()} (demo incidents already there)")
        return
    web = SalesChannel.objects.get(code="web")
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    used: set = set()

    def sku_at(code, also_elsewhere=False):
        rows = sku_codes_available_at(location_code=code).exclude(sku__code__in=used)
        for sku in rows:
            if not also_elsewhere or StockLevel.objects.filter(sku__code=sku, on_hand__gte=3).count() > 2:
                used.add(sku)
                return sku
        raise LookupError(f"no demo SKU available at {code}")

    def order(number, sku, fulfillment):
        price = ChannelListing.objects.get(sku__code=sku, channel=web).price
        return services.place_order(
            channel=web,
            customer=CUSTOMER,
            lines=[{"sku": sku, "quantity": 1, "unit_price": price}],
            fulfillment=fulfillment,
            external_id=f"DEMO-{number}",
            payment={"provider": "manual", "reference": f"demo-{number}", "amount": price, "currency": "EUR"},
            shipping_price=Decimal("0"),
        )

    def picked_short(placed, actor):
        fulfillment = placed.fulfillments.get()
        services.start_picking(fulfillment=fulfillment, actor=actor)
        services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1, actor=actor)

    def shipped(placed, tracking):
        fulfillment = placed.fulfillments.get()
        services.start_picking(fulfillment=fulfillment)
        services.mark_packed(fulfillment=fulfillment)
        return services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number=tracking)

    with _people_decide():
        # Incomplete orders: the picking location misses a unit of a home delivery; MI02 one of a click & collect.
        picked_short(order(2001, sku_at("WH01", also_elsewhere=True), HOME), users.get("wh01.associate"))
        picked_short(
            order(2002, sku_at("MI02"), {"method": "store_pickup", "pickup_location": "MI02"}),
            users.get("mi02.associate"),
        )
    # A ship-to-store parcel Bergamo says it never received; a home parcel the carrier could not deliver.
    bergamo = set(StockLevel.objects.filter(location__code="BG01", on_hand__gt=0).values_list("sku__code", flat=True))
    used |= bergamo
    parcel = shipped(
        order(2003, sku_at("WH01"), {"method": "store_pickup", "pickup_location": "BG01"}), "BRT0000777001"
    )
    if parcel.flow == "ship_to_store":
        services.report_parcel_not_received(fulfillment=parcel, actor=users.get("bg01.associate"))
    shipped(order(2004, sku_at("WH01"), HOME), "BRT0000777002")
    services.record_tracking_event(
        carrier="BRT",
        tracking_number="BRT0000777002",
        event_id="demo-exception-1",
        status="delivery_exception",
        occurred_at=timezone.now(),
        description="Recipient not found at the address",
    )
    # A pickup nobody came for.
    waiting = order(2005, sku_at("MI01"), {"method": "store_pickup", "pickup_location": "MI01"})
    services.start_picking(fulfillment=waiting.fulfillments.get())
    services.mark_ready_for_pickup(fulfillment=waiting.fulfillments.get())
    services.mark_not_collected(fulfillment=waiting.fulfillments.get(), reason="pickup window passed")
    # An SMS the phone network could not deliver (Twilio's callback says so).
    sms = Notification.objects.filter(order__external_id="DEMO-2005", channel="sms").first()
    if sms is not None:
        Notification.objects.filter(pk=sms.pk).update(status=Notification.Status.SENT, provider_message_id="SMdemo2005")
        outbox.mark_delivery_status(provider_message_id="SMdemo2005", status="undelivered", error_code="30003")
    # The warehouse recounts the item it missed for DEMO-2001 and finds a forgotten carton of 12 more than the books
    # say: far beyond the count tolerance, so it waits for approval and a stock-discrepancy case opens.
    recount = StoreTask.objects.filter(kind=StoreTask.Kind.RECOUNT, status=StoreTask.Status.OPEN).first()
    if recount is not None:
        on_hand = StockLevel.objects.get(location=recount.location, sku=recount.sku).on_hand
        task_services.complete_recount(task=recount, counted=on_hand + 12, actor=users.get("wh01.manager"))
    # Old no-shows were put back on the floor long ago: only the latest one per store still waits for its store.
    _settle_old_no_shows(users)
    stdout.write(f"  cases: {Case.objects.count()} incidents across every playbook scenario")


def _settle_old_no_shows(users) -> None:
    latest_per_store = {}
    put_backs = StoreTask.objects.filter(kind=StoreTask.Kind.PUT_BACK, reservation__isnull=False, status="open")
    for task in put_backs.select_related("reservation", "location").order_by("-reservation__expires_at"):
        if task.location_id in latest_per_store:
            task_services.complete_task(task=task, actor=users.get(f"{task.location.code.lower()}.associate"))
        else:
            latest_per_store[task.location_id] = task
