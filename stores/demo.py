"""Demo brand, part 1: the store network, sales channels and staff accounts (idempotent)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from stores.models import Capability as C
from stores.models import Location, SalesChannel, StoreMembership
from stores.roles import CUSTOMER_CARE_GROUP, HEAD_OFFICE_GROUP
from stores.services import add_store_member

# Demo accounts only exist in a local demo database; make run prints them.
DEMO_PASSWORD = "oms-demo-2026"

WEEK_STORE = {
    "mon": [["10:00", "19:30"]],
    "tue": [["10:00", "19:30"]],
    "wed": [["10:00", "19:30"]],
    "thu": [["10:00", "19:30"]],
    "fri": [["10:00", "20:00"]],
    "sat": [["10:00", "20:00"]],
    "sun": [["11:00", "19:00"]],
}
WEEK_SPLIT = {  # a smaller-town store that closes for lunch and on Sunday
    **{day: [["09:30", "13:00"], ["15:30", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    "sun": [],
}
WEEK_WAREHOUSE = {
    **{day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [["06:00", "14:00"]],
    "sun": [],
}
ALWAYS = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

FULL_STORE = [C.SHIP_FROM_STORE, C.CLICK_AND_COLLECT, C.CLICK_AND_RESERVE, C.SHIP_TO_STORE, C.ACCEPTS_RETURNS]

# Switchboard numbers customers can call (the tracking page shows the store's for a pickup).
PHONES = {
    "WH01": "+39 02 9007 3310",
    "MI01": "+39 02 2952 1133",
    "MI02": "+39 02 8646 0721",
    "BG01": "+39 035 24 1187",
    "TO01": "+39 011 562 3390",
    "GE01": "+39 010 59 5412",
    "VR01": "+39 045 800 2276",
    "BO01": "+39 051 23 6618",
    "FI01": "+39 055 21 4430",
    "RM01": "+39 06 6992 1145",
    "NA01": "+39 081 40 2273",
}

LOCATIONS = [
    # code, name, kind, address, city, postcode, lat, lon, hours, capabilities, priority
    (
        "WH01",
        "Magazzino centrale Lacchiarella",
        "warehouse",
        "Via Alessandro Volta 12",
        "Lacchiarella",
        "20084",
        45.3237,
        9.1371,
        WEEK_WAREHOUSE,
        [C.SHIPS, C.ACCEPTS_RETURNS],
        10,
    ),
    (
        "MI01",
        "Brunello Milano Corso Buenos Aires",
        "store",
        "Corso Buenos Aires 33",
        "Milano",
        "20124",
        45.4786,
        9.2105,
        WEEK_STORE,
        [*FULL_STORE, C.CURBSIDE, C.SAME_DAY],
        50,
    ),
    (
        "MI02",
        "Brunello Milano Via Torino",
        "store",
        "Via Torino 51",
        "Milano",
        "20123",
        45.4615,
        9.1866,
        WEEK_STORE,
        [C.SHIP_FROM_STORE, C.CLICK_AND_COLLECT, C.CLICK_AND_RESERVE, C.ACCEPTS_RETURNS, C.SAME_DAY],
        50,
    ),
    (
        "BG01",
        "Brunello Bergamo",
        "store",
        "Via XX Settembre 71",
        "Bergamo",
        "24122",
        45.6955,
        9.6675,
        WEEK_SPLIT,
        [C.CLICK_AND_COLLECT, C.CLICK_AND_RESERVE, C.SHIP_TO_STORE, C.ACCEPTS_RETURNS],
        60,
    ),
    (
        "TO01",
        "Brunello Torino Via Roma",
        "store",
        "Via Roma 305",
        "Torino",
        "10123",
        45.0677,
        7.6826,
        WEEK_STORE,
        [*FULL_STORE, C.CURBSIDE],
        50,
    ),
    (
        "GE01",
        "Brunello Genova",
        "store",
        "Via XX Settembre 140",
        "Genova",
        "16121",
        44.4070,
        8.9380,
        WEEK_SPLIT,
        [C.CLICK_AND_COLLECT, C.SHIP_TO_STORE, C.ACCEPTS_RETURNS],
        70,
    ),
    (
        "VR01",
        "Brunello Verona",
        "store",
        "Via Giuseppe Mazzini 40",
        "Verona",
        "37121",
        45.4413,
        10.9974,
        WEEK_STORE,
        [C.SHIP_FROM_STORE, C.CLICK_AND_COLLECT, C.CLICK_AND_RESERVE, C.ACCEPTS_RETURNS],
        60,
    ),
    (
        "BO01",
        "Brunello Bologna",
        "store",
        "Via dell'Indipendenza 18",
        "Bologna",
        "40121",
        44.4975,
        11.3436,
        WEEK_STORE,
        [*FULL_STORE],
        50,
    ),
    (
        "FI01",
        "Brunello Firenze",
        "store",
        "Via dei Calzaiuoli 62",
        "Firenze",
        "50122",
        43.7714,
        11.2545,
        WEEK_STORE,
        [*FULL_STORE, C.CURBSIDE],
        50,
    ),
    (
        "RM01",
        "Brunello Roma Via del Corso",
        "store",
        "Via del Corso 181",
        "Roma",
        "00186",
        41.9009,
        12.4801,
        WEEK_STORE,
        [*FULL_STORE, C.SAME_DAY],
        40,
    ),
    (
        "NA01",
        "Brunello Napoli",
        "store",
        "Via Toledo 210",
        "Napoli",
        "80134",
        40.8420,
        14.2487,
        WEEK_STORE,
        [C.SHIP_FROM_STORE, C.CLICK_AND_COLLECT, C.SHIP_TO_STORE, C.ACCEPTS_RETURNS],
        60,
    ),
    (
        "LK-MI-CENTRALE",
        "Locker Milano Centrale",
        "locker",
        "Piazza Duca d'Aosta 1",
        "Milano",
        "20124",
        45.4861,
        9.2044,
        ALWAYS,
        [],
        100,
    ),
]

CHANNELS = [
    # code, name, kind, sources (None = every store and warehouse that ships), buffer
    ("web", "Negozio online Brunello", "web", None, 0),
    ("marketplace", "Marketplace (partner tipo Zalando)", "marketplace", ["WH01"], 2),
    ("pos", "Casse dei negozi", "pos", "stores", 0),
    ("call_center", "Assistenza clienti al telefono", "call_center", None, 0),
]


# People have their own names (a name that names the store makes MI01's and MI02's associates look alike).
STAFF_NAMES = {
    "BG01": ("Marco Bonetti", "Sara Locatelli"),
    "BO01": ("Elena Zanetti", "Luca Venturi"),
    "FI01": ("Francesca Bianchi", "Tommaso Cecchi"),
    "GE01": ("Paolo Parodi", "Giulia Ferrando"),
    "MI01": ("Chiara Colombo", "Davide Brambilla"),
    "MI02": ("Andrea Galli", "Martina Fumagalli"),
    "NA01": ("Gennaro Esposito", "Valentina Russo"),
    "RM01": ("Federica Conti", "Alessandro Marchetti"),
    "TO01": ("Stefano Ferrero", "Alessia Bertola"),
    "VR01": ("Matteo Zanella", "Elisa Tosi"),
}


def _store_users(location):
    prefix = location.code.lower()
    manager, associate = STAFF_NAMES.get(location.code, (f"Manager {location.code}", f"Associate {location.code}"))
    return [
        (f"{prefix}.manager", StoreMembership.Role.MANAGER, manager),
        (f"{prefix}.associate", StoreMembership.Role.ASSOCIATE, associate),
    ]


@transaction.atomic
def seed(stdout) -> None:
    for code, name, kind, address, city, postcode, lat, lon, hours, caps, priority in LOCATIONS:
        Location.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                kind=kind,
                address=address,
                city=city,
                postcode=postcode,
                country="IT",
                phone=PHONES.get(code, ""),
                latitude=lat,
                longitude=lon,
                timezone="Europe/Rome",
                opening_hours=hours,
                capabilities=[str(c) for c in caps],
                fulfillment_priority=priority,
                active=True,
            ),
        )
    stores = list(Location.objects.filter(kind=Location.Kind.STORE))
    for code, name, kind, sources, buffer in CHANNELS:
        channel, _ = SalesChannel.objects.update_or_create(
            code=code, defaults=dict(name=name, kind=kind, safety_buffer=buffer, currency="EUR", active=True)
        )
        if sources is None:
            source_locations = [
                loc
                for loc in Location.objects.active()
                if loc.has_capability(C.SHIPS) or loc.has_capability(C.SHIP_FROM_STORE)
            ]
        elif sources == "stores":
            source_locations = stores
        else:
            source_locations = list(Location.objects.filter(code__in=sources))
        channel.source_locations.set(source_locations)

    User = get_user_model()
    # One hash for every demo account: hashing is deliberately slow (~0.4 s) and they share a password.
    password_hash = make_password(DEMO_PASSWORD)
    head_office, _ = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
    care, _ = Group.objects.get_or_create(name=CUSTOMER_CARE_GROUP)
    admin, created = User.objects.get_or_create(
        username="admin", defaults=dict(email="admin@example.com", first_name="Sede", last_name="Centrale")
    )
    if created:
        admin.is_staff = admin.is_superuser = True
        admin.password = password_hash
        admin.save()
    admin.groups.add(head_office)
    agent, created = User.objects.get_or_create(
        username="care.agent",
        defaults=dict(email="assistenza@example.com", first_name="Chiara", last_name="Assistenza"),
    )
    if created:
        agent.password = password_hash
        agent.save()
    agent.groups.add(care)
    for location in stores:
        for username, role, full_name in _store_users(location):
            first, _sep, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username, defaults=dict(first_name=first, last_name=last, email=f"{username}@example.com")
            )
            if created:
                user.password = password_hash
                user.save()
            elif (user.first_name, user.last_name) != (first, last):  # demo databases from before the names
                user.first_name, user.last_name = first, last
                user.save(update_fields=["first_name", "last_name"])
            add_store_member(user=user, location=location, role=role)
    stdout.write(f"  store network: {Location.objects.count()} locations, {SalesChannel.objects.count()} channels")


def print_logins(stdout) -> None:
    stdout.write(f" Demo logins (password for all: {DEMO_PASSWORD})")
    stdout.write("   head office (admin + every store) : admin")
    stdout.write("   customer care                     : care.agent")
    for location in Location.objects.filter(kind=Location.Kind.STORE).order_by("code"):
        names = ", ".join(username for username, _role, _n in _store_users(location))
        stdout.write(f"   {location.code:<5} {location.city:<28}: {names}")
