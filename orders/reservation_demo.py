"""Demo brand, part 4: click & reserve in every state, so the store dashboard and the KPIs show real figures
on first run. Reservations are taken and closed through the real services, then dated back over the last
four weeks (idempotent: nothing is added once demo reservations exist)."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory.models import StockLevel
from notifications.models import Notification
from orders import services
from orders.models import Reservation, ReservationEvent
from orders.selectors import store_midnight
from stores.models import Capability, Location, SalesChannel

DEMO_DOMAIN = "demo.brunello.example"
FIRST_NAMES = ["Giulia", "Marco", "Chiara", "Luca", "Francesca", "Andrea", "Sara", "Matteo", "Elena", "Davide"]
LAST_NAMES = ["Rossi", "Bianchi", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Fontana"]
# How past reservations ended, in proportions a store would recognise.
OUTCOMES = ["purchased"] * 11 + ["declined"] * 3 + ["expired"] * 4 + ["cancelled"] * 2


def _customer(rng: random.Random, n: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "email": f"{first}.{last}.{n}@{DEMO_DOMAIN}".lower(),
        "phone": f"+39 3{rng.randint(20, 49)}{rng.randint(1000000, 9999999)}".replace(" ", ""),
        "name": f"{first} {last}",
        "locale": "it" if n % 5 else "en",
    }


def _skus_on_shelf(location: Location, count: int, rng: random.Random) -> list[str]:
    codes = list(
        StockLevel.objects.filter(location=location, on_hand__gte=F("committed") + F("safety_stock") + 1)
        .order_by("sku__code")
        .values_list("sku__code", flat=True)
    )
    return rng.sample(codes, min(count, len(codes)))


@transaction.atomic
def seed(stdout) -> None:
    if Reservation.objects.filter(customer__email__endswith=DEMO_DOMAIN).exists():
        stdout.write(f"  reservations: {Reservation.objects.count()} (demo reservations already there)")
        return
    rng = random.Random(2026)
    web = SalesChannel.objects.get(code="web")
    stores = list(Location.objects.active().with_capability(Capability.CLICK_AND_RESERVE).order_by("code"))
    now = timezone.now()
    n = 0

    def reserve(store, items=1):
        nonlocal n
        n += 1
        lines = [{"sku": code, "quantity": 1} for code in _skus_on_shelf(store, items, rng)]
        return services.reserve_items(channel=web, customer=_customer(rng, n), location=store.code, lines=lines)

    # Four weeks of history per store, closed the way reservations really end.
    past = []
    for store in stores:
        for _ in range(rng.randint(6, 9)):
            reservation = reserve(store, items=rng.choice([1, 1, 1, 2]))
            outcome = rng.choice(OUTCOMES)
            if outcome == "purchased":
                services.mark_purchased(reservation=reservation, pos_receipt=f"{store.code}-{rng.randint(1000, 9999)}")
            elif outcome == "declined":
                services.mark_declined(reservation=reservation, reason=rng.choice(["taglia sbagliata", "colore"]))
            elif outcome == "cancelled":
                services.cancel_reservation(reservation=reservation, reason="non serve più")
            else:
                Reservation.objects.filter(pk=reservation.pk).update(expires_at=now - timedelta(minutes=1))
            past.append((reservation.pk, outcome))
    services.expire_reservations(now=now)
    for pk, outcome in past:
        _date_back(pk, outcome, rng, now)

    # Waiting now: in every store one or two in the coming days and one that ends today.
    for store in stores:
        for _ in range(rng.randint(1, 2)):
            reserve(store, items=rng.choice([1, 2]))
    for store in stores:
        ending_today = reserve(store)
        # Ends in a few hours, before midnight on the store's clock when there is still time today.
        ends = min(now + timedelta(hours=3), store_midnight(store, now) - timedelta(minutes=5))
        Reservation.objects.filter(pk=ending_today.pk).update(
            created_at=now - timedelta(hours=40),
            expires_at=ends if ends > now else now + timedelta(hours=3),
            remind_at=None,
        )
    stdout.write(f"  reservations: {Reservation.objects.count()} in every state across {len(stores)} stores")


def _date_back(pk: int, outcome: str, rng: random.Random, now) -> None:
    """Move a closed demo reservation into the past: made up to four weeks ago, closed when such a
    reservation closes (the customer comes within hours to two days; a no-show ends after 48 h)."""
    created = now - timedelta(days=rng.randint(2, 28), hours=rng.randint(0, 8))
    if outcome == "expired":
        closed = created + timedelta(hours=48)
    else:
        closed = created + timedelta(hours=rng.randint(2, 40), minutes=rng.randint(0, 59))
    Reservation.objects.filter(pk=pk).update(
        created_at=created,
        updated_at=closed,
        expires_at=created + timedelta(hours=48),
        closed_at=closed,
        remind_at=None,
    )
    ReservationEvent.objects.filter(reservation_id=pk, type="held").update(at=created)
    ReservationEvent.objects.filter(reservation_id=pk).exclude(type="held").update(at=closed)
    # History was sent at the time: nothing of it waits in the outbox.
    Notification.objects.filter(reservation_id=pk).update(
        status=Notification.Status.SENT, sent_at=closed, send_after=created, created_at=created
    )
