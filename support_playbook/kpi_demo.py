"""Demo brand, the very last part: the 90 days before the first seed, so head office's charts and the stores'
scorecards show real-looking trends on first run (weekends busier, a slow rise, one store's bad fortnight of short
picks), then the KPI rollup brought up to date. Idempotent: the past is written once (orders numbered BR-H…); a
second run only refreshes the figures of the days that changed.

The past is written as finished rows (bulk inserts with their own timestamps), not replayed through the services:
replaying 90 days of orders would multiply `make run`'s time, and none of these rows holds or moves stock today
(every parcel left or was collected long ago). The stock ledger's history is left out for the same reason."""

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from inventory.models import ChannelListing
from notifications.models import Notification
from orders.events import OrderEventType as E
from orders.models import (
    Customer,
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Reservation,
    Return,
    ReturnLine,
    ReturnReason,
)
from stores.models import Location, SalesChannel
from support_playbook.models import Case
from support_playbook.services import kpi_rollup

DAYS = 90
# History's numbers carry a second hyphen, which a live number (`human_number`: 8 letters and digits) never has.
FIRST, RETURNS, RESERVATIONS = "BR-H-", "RS-H-", "PR-H-"
STAMPS = ("created_at", "updated_at", "at")


def seed(stdout) -> None:
    if not Order.objects.filter(number__startswith=FIRST).exists():
        made = write_history(today=timezone.localdate())
        stdout.write(f"  the past {DAYS} days: {made} orders with their parcels, returns, reservations and cases")
        if connection.vendor == "postgresql":
            # Fresh statistics before the rollup reads the bulk-written rows: without them the planner may pick
            # nested loops over tables it still believes empty (a first refresh seen running for minutes).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    run = kpi_rollup.refresh_kpis()
    stdout.write(f"  figures: {run.days} days brought up to date in {run.seconds:.1f} s")


@contextmanager
def _own_timestamps(*models):
    """Let bulk inserts keep the `created_at`/`updated_at` they are given (the past), for this block only."""
    fields = [field for model in models for field in model._meta.concrete_fields if field.name in STAMPS]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class _Past:
    """The rows of the past, built in memory, then written table by table."""

    def __init__(self, today, rng: random.Random):
        self.today, self.rng = today, rng
        self.locations = list(Location.objects.filter(active=True).exclude(kind="locker").order_by("code"))
        self.warehouses = [loc for loc in self.locations if loc.kind == "warehouse"] or self.locations[:1]
        self.stores = [loc for loc in self.locations if loc.kind == "store"] or self.locations
        self.reserving = [loc for loc in self.stores if "click_and_reserve" in loc.capabilities] or self.stores[:1]
        self.channels = list(SalesChannel.objects.filter(active=True).order_by("pk"))
        self.listings = list(
            ChannelListing.objects.filter(channel__in=self.channels, published=True)
            .select_related("sku")
            .order_by("pk")[:200]
        )
        self.reasons = list(ReturnReason.objects.order_by("pk"))
        self.customers = [
            Customer(
                email=f"cliente.storico{n}@example.com",
                name=f"Cliente {n}",
                locale="it",
                created_at=self.at(today - timedelta(days=DAYS + 1)),
                updated_at=self.at(today - timedelta(days=DAYS + 1)),
            )
            for n in range(60)
        ]

    def at(self, day, hour_from=9, hour_to=22):
        moment = time(self.rng.randint(hour_from, hour_to - 1), self.rng.randint(0, 59))
        return timezone.make_aware(datetime.combine(day, moment))


def write_history(*, today) -> int:
    rng = random.Random(27)
    past = _Past(today, rng)
    if not (past.listings and past.channels and past.locations):
        return 0
    stamped = (Customer, Order, OrderLine, Fulfillment, Payment, OrderEvent, Reservation, Return, Notification, Case)
    with transaction.atomic(), _own_timestamps(*stamped):
        Customer.objects.bulk_create(past.customers)
        orders = _orders(past)
        _returns(past, orders)
        _reservations(past)
        _messages_and_cases(past, orders)
    return len(orders)


def _orders(past: _Past) -> list[dict]:
    """About 20 orders a day, more at weekends and a little more each week; each with its payment, lines, parcels
    and events. MI02 (or the second store) has a bad fortnight: a unit in five found missing."""
    rng, made = past.rng, []
    bad_store = past.stores[1] if len(past.stores) > 1 else past.stores[0]
    n = 0
    for back in range(DAYS, 0, -1):
        day = past.today - timedelta(days=back)
        weekend = day.weekday() >= 5
        count = int((16 + (DAYS - back) / 15) * (1.5 if weekend else 1) + rng.randint(-3, 3))
        bad_fortnight = 30 <= back < 44
        for _ in range(count):
            n += 1
            made.append(_one_order(past, n, day, bad_store if bad_fortnight else None))
    _write_orders(made)
    return made


def _one_order(past: _Past, n: int, day, bad_store) -> dict:
    rng = past.rng
    placed = past.at(day)
    channel = rng.choice(past.channels)
    pickup = rng.random() < 0.3
    listings = rng.sample(past.listings, rng.choice((1, 1, 1, 2, 2, 3)))
    total = sum((listing.price for listing in listings), Decimal("0"))
    cancelled = rng.random() < 0.04
    customer = rng.choice(past.customers)
    source = rng.choice(past.stores) if pickup or rng.random() < 0.35 else rng.choice(past.warehouses)
    order = Order(
        number=f"{FIRST}{n:05d}",
        channel=channel,
        customer=customer,
        status=Order.Status.CANCELLED if cancelled else Order.Status.COMPLETED,
        method="store_pickup" if pickup else "home_delivery",
        speed="" if pickup else "standard",
        pickup_location=source if pickup else None,
        currency="EUR",
        lines_total=total,
        total=total,
        contact_email=customer.email,
        contact_name=customer.name,
        shipping_address={} if pickup else _address(customer, rng),
        created_at=placed,
        updated_at=placed,
    )
    hours = rng.choice((2, 3, 5, 8, 20, 26, 30, 44)) if not pickup else rng.choice((1, 2, 3, 4, 6, 20))
    short = not cancelled and rng.random() < (0.2 if source == bad_store else 0.025)
    return {
        "order": order,
        "listings": listings,
        "placed": placed,
        "source": source,
        "pickup": pickup,
        "cancelled": cancelled,
        "done_at": placed + timedelta(hours=hours),
        "promise": placed + timedelta(hours=4 if pickup else 24),
        "short": short,
        "refunded": Decimal("0"),
        "recovery_source": rng.choice([loc for loc in past.warehouses + past.stores if loc != source] or [source]),
        "given_up": short and rng.random() < 0.3,
    }


CITIES = (("Milano", "20123"), ("Roma", "00184"), ("Torino", "10121"), ("Bologna", "40121"), ("Napoli", "80133"))


def _address(customer, rng: random.Random) -> dict:
    city, postcode = rng.choice(CITIES)
    return {
        "name": customer.name,
        "line1": f"Via Roma {rng.randint(1, 120)}",
        "city": city,
        "postcode": postcode,
        "country": "IT",
    }


def _write_orders(made: list[dict]) -> None:
    Order.objects.bulk_create([m["order"] for m in made], batch_size=500)
    payments, lines, parcels = [], [], []
    for m in made:
        order, placed = m["order"], m["placed"]
        m["lines"] = [
            OrderLine(
                order=order, sku=listing.sku, quantity=1, unit_price=listing.price, created_at=placed, updated_at=placed
            )
            for listing in m["listings"]
        ]
        lines += m["lines"]
        if m["given_up"]:
            m["lines"][0].quantity_short = m["lines"][0].quantity_short_refunded = 1
            m["refunded"] = m["lines"][0].unit_price
        captured = Decimal("0") if m["cancelled"] else order.total
        payments.append(
            Payment(
                order=order,
                provider="manual",
                reference=order.number,
                currency="EUR",
                authorized_amount=order.total,
                captured_amount=captured,
                released_amount=order.total - captured,
                refunded_amount=m["refunded"],
                created_at=placed,
                updated_at=placed,
            )
        )
        m["parcels"] = _parcels(m)
        parcels += m["parcels"]
    OrderLine.objects.bulk_create(lines, batch_size=500)
    Payment.objects.bulk_create(payments, batch_size=500)
    Fulfillment.objects.bulk_create(parcels, batch_size=500)
    parcel_lines, events = [], []
    for m in made:
        parcel_lines += _parcel_lines(m)
        events += _events(m)
    FulfillmentLine.objects.bulk_create(parcel_lines, batch_size=500)
    OrderEvent.objects.bulk_create(events, batch_size=500)


def _parcels(m: dict) -> list[Fulfillment]:
    order, placed, pickup = m["order"], m["placed"], m["pickup"]

    def parcel(source, status, done_at):
        return Fulfillment(
            order=order,
            source_location=source,
            pickup_location=source if pickup else None,
            method=order.method,
            flow="pickup" if pickup else "ship",
            status=status,
            carrier="" if pickup else "BRT",
            shipped_at=None if pickup or status == Fulfillment.Status.CANCELLED else done_at,
            completed_at=None if status == Fulfillment.Status.CANCELLED else done_at + timedelta(hours=30),
            promised_by=m["promise"],
            created_at=placed,
            updated_at=placed,
        )

    done = Fulfillment.Status.COLLECTED if pickup else Fulfillment.Status.DELIVERED
    if m["cancelled"]:
        return [parcel(m["source"], Fulfillment.Status.CANCELLED, m["done_at"])]
    if m["short"] and not m["given_up"] and not pickup:
        # Found missing, sent again from elsewhere by the automatic recovery: a later parcel, still in full.
        return [
            parcel(m["source"], Fulfillment.Status.CANCELLED, m["done_at"]),
            parcel(m["recovery_source"], done, m["done_at"] + timedelta(hours=20)),
        ]
    return [parcel(m["source"], done, m["done_at"])]


def _parcel_lines(m: dict) -> list[FulfillmentLine]:
    rows = []
    for index, parcel in enumerate(m["parcels"]):
        for number, line in enumerate(m["lines"]):
            short = 1 if m["short"] and index == 0 and number == 0 else 0
            rows.append(
                FulfillmentLine(
                    fulfillment=parcel,
                    order_line=line,
                    quantity=1,
                    quantity_short=short,
                )
            )
    return rows


def _events(m: dict) -> list[OrderEvent]:
    order, events = m["order"], []

    def event(kind, at, parcel=None):
        events.append(OrderEvent(order=order, fulfillment=parcel, type=kind, at=at))

    event(E.ORDER_PLACED, m["placed"])
    if m["cancelled"]:
        event(E.ORDER_CANCELLED, m["placed"] + timedelta(minutes=40))
        return events
    for parcel in m["parcels"]:
        if parcel.status == Fulfillment.Status.CANCELLED:
            continue
        if m["pickup"]:
            event(E.READY_FOR_PICKUP, m["done_at"], parcel)
            event(E.COLLECTED, parcel.completed_at, parcel)
        else:
            event(E.SHIPPED, parcel.shipped_at, parcel)
    return events


def _returns(past: _Past, orders: list[dict]) -> None:
    """One home order in ten sent back (the reason depending a little on the size), received and refunded."""
    rng, returns, lines = past.rng, [], []
    for m in orders:
        if m["cancelled"] or m["pickup"] or m["short"] or rng.random() > 0.1 or not past.reasons:
            continue
        sent = m["done_at"] + timedelta(days=rng.randint(3, 12))
        if sent.date() >= past.today:
            continue
        line = m["lines"][-1]
        reason = past.reasons[(len(line.sku.size) + rng.randint(0, 1)) % len(past.reasons)]
        request = Return(
            number=f"{RETURNS}{len(returns) + 1:05d}",
            channel=m["order"].channel,
            customer=m["order"].customer,
            how=Return.How.IN_STORE if rng.random() < 0.3 else Return.How.CARRIER,
            location=rng.choice(past.stores),
            status=Return.Status.CLOSED,
            refunded_amount=line.unit_price,
            in_transit_at=sent,
            received_at=sent + timedelta(days=2),
            refunded_at=sent + timedelta(days=2, hours=2),
            created_at=sent,
            updated_at=sent,
        )
        returns.append(request)
        lines.append(
            ReturnLine(
                return_request=request, order_line=line, quantity=1, quantity_received=1, restocked=1, reason=reason
            )
        )
    Return.objects.bulk_create(returns, batch_size=500)
    ReturnLine.objects.bulk_create(lines, batch_size=500)
    OrderLine.objects.filter(pk__in=[line.order_line_id for line in lines]).update(quantity_returned=1)


def _reservations(past: _Past) -> None:
    """About six click & reserve a day at the stores that offer it: most bought, some not, one in six no-show."""
    rng, rows = past.rng, []
    statuses = [Reservation.Status.PURCHASED] * 3 + [Reservation.Status.DECLINED, Reservation.Status.EXPIRED]
    for back in range(DAYS, 0, -1):
        day = past.today - timedelta(days=back)
        for _ in range(rng.randint(3, 9)):
            made = past.at(day, 10, 19)
            customer = rng.choice(past.customers)
            rows.append(
                Reservation(
                    number=f"{RESERVATIONS}{len(rows) + 1:05d}",
                    channel=past.channels[0],
                    customer=customer,
                    location=rng.choice(past.reserving),
                    status=rng.choice(statuses),
                    expires_at=made + timedelta(hours=48),
                    closed_at=made + timedelta(hours=rng.randint(3, 48)),
                    contact_email=customer.email,
                    created_at=made,
                    updated_at=made,
                )
            )
    Reservation.objects.bulk_create(rows, batch_size=500)


def _messages_and_cases(past: _Past, orders: list[dict]) -> None:
    """Each order's confirmation (email, or SMS for one in four; one in a hundred failed for good), and a closed
    case for each unit given up short."""
    rng, messages, cases = past.rng, [], []
    for m in orders:
        order, sms = m["order"], rng.random() < 0.25
        failed = rng.random() < 0.01
        messages.append(
            Notification(
                event="order_placed",
                channel=Notification.Channel.SMS if sms else Notification.Channel.EMAIL,
                recipient="+390000000000" if sms else order.contact_email,
                locale="it",
                status=Notification.Status.FAILED if failed else Notification.Status.DELIVERED,
                attempts=1,
                send_after=m["placed"],
                sent_at=m["placed"],
                last_error="invalid recipient" if failed else "",
                order=order,
                customer=order.customer,
                created_at=m["placed"],
                updated_at=m["placed"],
            )
        )
        if m["given_up"]:
            cases.append(
                Case(
                    scenario="incomplete_order_home" if not m["pickup"] else "incomplete_order_pickup",
                    incident_key=f"history:{order.number}",
                    status=Case.Status.CLOSED,
                    due_by=m["done_at"] + timedelta(hours=4),
                    order=order,
                    location=m["source"],
                    customer=order.customer,
                    resolution="refund",
                    created_at=m["done_at"],
                    updated_at=m["done_at"] + timedelta(hours=2),
                )
            )
    Notification.objects.bulk_create(messages, batch_size=500)
    Case.objects.bulk_create(cases, batch_size=500)
