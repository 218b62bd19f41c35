"""Demo brand, part 4: click & reserve in every state, so the store dashboard and the KPIs show real figures
on first run. Reservations are taken and closed through the real services, then dated back over the last
four weeks (idempotent: nothing is added once demo reservations exist)."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from inventory.selectors import sku_codes_available_at
from omnichannel import localtime
from orders.events import ReservationEventType as RE
from orders.models import Reservation, ReservationEvent
from orders.reservations import services as reserving
from stores.models import Capability, Location, SalesChannel

DEMO_DOMAIN = "demo.brunello.example"


FIRST_NAMES = ["Giulia", "Marco", "Chiara", "Luca", "Francesca", "Andrea", "Sara", "Matteo", "Elena", "Davide"]


LAST_NAMES = ["Rossi", "Bianchi", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Fontana"]


# How past reservations end, in proportions a store would recognise (half bought, one in five no-show); each
# store takes a run of this cycle from its own starting point.
OUTCOMES = ["purchased", "purchased", "expired", "purchased", "declined", "purchased", "cancelled", "purchased",
            "expired", "declined"]  # fmt: skip


def _customer(rng: random.Random, n: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "email": f"{first}.{last}.{n}@{DEMO_DOMAIN}".lower(),
        "phone": f"+39 3{rng.randint(20, 49)}{rng.randint(1000000, 9999999)}".replace(" ", ""),
        "name": f"{first} {last}",
        "locale": "it" if n % 5 else "en",
    }


def _skus_on_shelf(location: Location, count: int, rng: random.Random) -> list[str]:
    codes = list(sku_codes_available_at(location_code=location.code))
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
        return reserving.reserve_items(channel=web, customer=_customer(rng, n), location=store.code, lines=lines)

    # Four weeks of history per store, closed the way reservations really end.
    past = []
    for offset, store in enumerate(stores):
        for i in range(rng.randint(7, 10)):
            reservation = reserve(store, items=rng.choice([1, 1, 1, 2]))
            outcome = OUTCOMES[(offset * 3 + i) % len(OUTCOMES)]
            _close_as(reservation, outcome, store, rng)
            past.append((reservation.pk, outcome, 2 + i * 3))  # spread over four weeks, some this week
    dates = {
        pk: _past_dates(Reservation.objects.select_related("location").get(pk=pk), outcome, days_ago, rng, now)
        for pk, outcome, days_ago in past
    }
    # No-shows end at their (past) window's end before the job expires them, so the expiry message the
    # customer got names that time, not the moment the demo was loaded.
    for pk, outcome, _days_ago in past:
        if outcome == "expired":
            Reservation.objects.filter(pk=pk).update(expires_at=dates[pk]["expires_at"])
    reserving.expire_reservations(now=now)
    for pk, _outcome, _days_ago in past:
        _date_back(Reservation.objects.get(pk=pk), **dates[pk])

    _waiting_now(stores, reserve, rng, now)
    stdout.write(f"  reservations: {Reservation.objects.count()} in every state across {len(stores)} stores")


def _close_as(reservation: Reservation, outcome: str, store: Location, rng: random.Random) -> None:
    """Close a demo reservation the way it ended (a no-show is left to the expiry job)."""
    if outcome == "purchased":
        reserving.mark_purchased(reservation=reservation, pos_receipt=f"{store.code}-{rng.randint(1000, 9999)}")
    elif outcome == "declined":
        reserving.mark_declined(reservation=reservation, reason=rng.choice(["taglia sbagliata", "colore"]))
    elif outcome == "cancelled":
        reserving.cancel_reservation(reservation=reservation, reason="non serve più")


def _waiting_now(stores: list[Location], reserve, rng: random.Random, now) -> None:
    """Waiting now: in every store one or two in the coming days and one that ends today."""
    for store in stores:
        for _ in range(rng.randint(1, 2)):
            reserve(store, items=rng.choice([1, 2]))
    for store in stores:
        ending_today = reserve(store)
        # Ends in a few hours, at closing time if the store closes before (as a real window would).
        ends = localtime.open_until(
            start=now, end=now + timedelta(hours=3), opening_hours=store.opening_hours, tz_name=store.timezone
        )
        Reservation.objects.filter(pk=ending_today.pk).update(
            created_at=ends - timedelta(hours=30), expires_at=ends, remind_at=None
        )


def _past_dates(reservation: Reservation, outcome: str, days_ago: int, rng: random.Random, now) -> dict:
    """When a closed demo reservation happened: made in the daytime up to four weeks ago; a no-show ends when its
    window ends, the others close while the store is open, hours to two days later."""
    store = reservation.location
    tz = zoneinfo.ZoneInfo(store.timezone)
    day = (now - timedelta(days=days_ago)).astimezone(tz).date()
    # Long enough ago that even a no-show's 48 h have passed.
    created = min(
        datetime.combine(day, time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=tz), now - timedelta(hours=50)
    )
    expires_at, _remind = reserving.reservation_window(location=store, start=created)
    if outcome == "expired":
        closed = expires_at
    else:
        came = (created + timedelta(hours=rng.randint(2, 44))).astimezone(tz)
        closed = came.replace(hour=min(max(came.hour, 10), 18))
        closed = min(closed, expires_at - timedelta(minutes=10))
    return {"created": created, "expires_at": expires_at, "closed": closed}


def _date_back(reservation: Reservation, *, created, expires_at, closed) -> None:
    """Move a closed demo reservation and its timeline to when it happened (its messages: notifications.demo)."""
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=created, updated_at=closed, expires_at=expires_at, closed_at=closed, remind_at=None
    )
    ReservationEvent.objects.filter(reservation=reservation, type=RE.HELD).update(at=created)
    ReservationEvent.objects.filter(reservation=reservation).exclude(type=RE.HELD).update(at=closed)
