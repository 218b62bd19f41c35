"""Demo brand, part 2: a fashion catalog in colours and sizes, channel prices and stock (idempotent).

Stock is loaded only for (location, SKU) pairs that have no row yet, so re-running keeps what the demo
has done since (holds, sales) intact.
"""

import random
from decimal import Decimal

from django.db import connection, transaction

from inventory import services
from inventory.models import SKU, ChannelListing, Product, StockLevel, StockMovement
from stores.models import Location, SalesChannel

BRAND = "Brunello"
TOPS = ["XS", "S", "M", "L", "XL"]
TROUSERS = ["40", "42", "44", "46", "48", "50"]
SHOES = ["36", "37", "38", "39", "40", "41", "42", "43", "44"]
ONE = ["TU"]  # taglia unica

COLOURS = {
    "NER": "Nero",
    "BIA": "Bianco",
    "BLU": "Blu navy",
    "GRI": "Grigio melange",
    "CAM": "Cammello",
    "VER": "Verde salvia",
    "BOR": "Bordeaux",
    "BEI": "Beige",
    "AZZ": "Azzurro",
    "MAR": "Marrone",
    "ECR": "Ecru",
    "ROS": "Rosso",
}

# style, name, category, colour codes, sizes, price (EUR)
CATALOG = [
    ("TSH001", "T-shirt girocollo in cotone biologico", "T-shirt", ["NER", "BIA", "BLU", "GRI"], TOPS, "19.90"),
    ("TSH002", "T-shirt con taschino", "T-shirt", ["BIA", "VER", "ECR"], TOPS, "24.90"),
    ("TSH003", "T-shirt a righe marinière", "T-shirt", ["BLU", "ROS"], TOPS, "29.90"),
    ("POL001", "Polo in piquet", "Polo", ["BLU", "BIA", "VER"], TOPS, "39.90"),
    ("CAM001", "Camicia in lino", "Camicie", ["BIA", "AZZ", "BEI"], TOPS, "59.90"),
    ("CAM002", "Camicia Oxford button-down", "Camicie", ["AZZ", "BIA"], TOPS, "49.90"),
    ("CAM003", "Camicia in flanella a quadri", "Camicie", ["BOR", "VER"], TOPS, "54.90"),
    ("MAG001", "Maglione girocollo in lana merino", "Maglieria", ["GRI", "BLU", "CAM", "BOR"], TOPS, "79.90"),
    ("MAG002", "Cardigan in cashmere", "Maglieria", ["CAM", "GRI"], TOPS, "189.00"),
    ("MAG003", "Dolcevita a coste", "Maglieria", ["NER", "ECR", "MAR"], TOPS, "69.90"),
    ("MAG004", "Maglione a trecce", "Maglieria", ["ECR", "VER"], TOPS, "89.90"),
    ("FEL001", "Felpa con cappuccio", "Felpe", ["GRI", "NER", "VER"], TOPS, "59.90"),
    ("FEL002", "Felpa girocollo garzata", "Felpe", ["BLU", "ECR"], TOPS, "54.90"),
    ("JEA001", "Jeans slim cimosa", "Jeans", ["BLU", "NER"], TROUSERS, "89.90"),
    ("JEA002", "Jeans regular lavaggio chiaro", "Jeans", ["AZZ"], TROUSERS, "79.90"),
    ("JEA003", "Jeans a palazzo vita alta", "Jeans", ["BLU", "ECR"], TROUSERS, "95.00"),
    ("PAN001", "Chino in twill di cotone", "Pantaloni", ["BEI", "BLU", "VER"], TROUSERS, "69.90"),
    ("PAN002", "Pantaloni sartoriali in lana", "Pantaloni", ["GRI", "BLU"], TROUSERS, "119.00"),
    ("PAN003", "Pantaloni cargo", "Pantaloni", ["VER", "NER"], TROUSERS, "74.90"),
    ("PAN004", "Pantaloni in velluto a coste", "Pantaloni", ["MAR", "CAM"], TROUSERS, "84.90"),
    ("GON001", "Gonna midi plissé", "Gonne", ["NER", "VER", "BOR"], TOPS, "69.90"),
    ("GON002", "Gonna in denim", "Gonne", ["BLU"], TOPS, "49.90"),
    ("ABI001", "Abito in maglia", "Abiti", ["NER", "CAM"], TOPS, "99.00"),
    ("ABI002", "Abito chemisier in popeline", "Abiti", ["BIA", "AZZ"], TOPS, "89.00"),
    ("ABI003", "Abito lungo a fiori", "Abiti", ["ROS", "BLU"], TOPS, "119.00"),
    ("GIA001", "Giacca in denim", "Giacche", ["BLU"], TOPS, "99.00"),
    ("GIA002", "Blazer destrutturato in lana", "Giacche", ["BLU", "GRI"], TOPS, "219.00"),
    ("GIA003", "Giubbotto trapuntato leggero", "Giacche", ["NER", "BLU", "VER"], TOPS, "129.00"),
    ("GIA004", "Giacca in montone rovesciato", "Giacche", ["MAR"], TOPS, "449.00"),
    ("CAP001", "Cappotto in lana e cashmere", "Cappotti", ["CAM", "NER", "GRI"], TOPS, "349.00"),
    ("CAP002", "Trench impermeabile", "Cappotti", ["BEI", "BLU"], TOPS, "259.00"),
    ("CAP003", "Piumino lungo", "Cappotti", ["NER", "VER"], TOPS, "299.00"),
    ("SNE001", "Sneakers in pelle bianca", "Scarpe", ["BIA"], SHOES, "129.00"),
    ("SNE002", "Sneakers running retrò", "Scarpe", ["GRI", "BLU"], SHOES, "109.00"),
    ("STI001", "Stivaletti Chelsea in camoscio", "Scarpe", ["MAR", "NER"], SHOES, "179.00"),
    ("MOC001", "Mocassini in pelle", "Scarpe", ["MAR", "NER"], SHOES, "159.00"),
    ("BOR001", "Borsa tote in pelle", "Accessori", ["NER", "CAM", "BOR"], ONE, "199.00"),
    ("BOR002", "Zaino in tela cerata", "Accessori", ["VER", "NER"], ONE, "119.00"),
    ("SCI001", "Sciarpa in lana merino", "Accessori", ["GRI", "BOR", "CAM", "BLU"], ONE, "45.00"),
    ("CIN001", "Cintura in cuoio", "Accessori", ["MAR", "NER"], ["85", "90", "95", "100", "105"], "55.00"),
    ("BER001", "Berretto a coste", "Accessori", ["NER", "BOR", "ECR", "VER"], ONE, "29.90"),
    ("CAL001", "Calzini in cotone (3 paia)", "Accessori", ["NER", "BLU", "GRI"], ["39-42", "43-46"], "19.90"),
    ("GUA001", "Guanti in pelle foderati", "Accessori", ["NER", "MAR"], ["S", "M", "L"], "69.00"),
    ("PIG001", "Pigiama in flanella", "Notte", ["BLU", "GRI"], TOPS, "59.90"),
]


def ean13(number12: str) -> str:
    """Append the EAN-13 check digit to 12 digits."""
    digits = [int(d) for d in number12]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return number12 + str((10 - total % 10) % 10)


def demo_skus():
    """(style, sku code, gtin, colour name, size) for the whole catalog, in a stable order."""
    serial = 0
    for style, _name, _cat, colours, sizes, _price in CATALOG:
        for colour in colours:
            for size in sizes:
                serial += 1
                code = f"{style}-{colour}-{size}"
                yield style, code, ean13(f"80{12345:05d}{serial:05d}"), COLOURS[colour], size


@transaction.atomic
def seed(stdout) -> None:
    products = {}
    for style, name, category, _colours, _sizes, _price in CATALOG:
        products[style], _ = Product.objects.update_or_create(
            style=style, defaults=dict(name=name, category=category, brand=BRAND)
        )
    for style, code, gtin, colour, size in demo_skus():
        SKU.objects.update_or_create(
            code=code, defaults=dict(product=products[style], gtin=gtin, colour=colour, size=size, active=True)
        )
    prices = {style: Decimal(price) for style, *_rest, price in CATALOG}
    channels = {channel.code: channel for channel in SalesChannel.objects.all()}
    existing_listings = set(ChannelListing.objects.values_list("sku_id", "channel_id"))
    new_listings = []
    for sku in SKU.objects.filter(product__style__in=prices).select_related("product"):
        base = prices[sku.product.style]
        for channel in channels.values():
            if (sku.id, channel.id) in existing_listings:
                continue
            # Marketplaces charge more (their fee is passed on); stores and web share one price.
            price = (base * Decimal("1.05")).quantize(Decimal("0.10")) if channel.kind == "marketplace" else base
            new_listings.append(ChannelListing(sku=sku, channel=channel, price=price, currency="EUR"))
    ChannelListing.objects.bulk_create(new_listings)
    _seed_stock()
    _analyze()
    stdout.write(
        f"  catalog: {Product.objects.count()} products, {SKU.objects.count()} SKUs, "
        f"{StockLevel.objects.count()} stock rows"
    )


def _analyze():
    """Fresh planner statistics for the tables just filled: the demo's orders and reservations (and the first
    requests) then get plans made for thousands of rows, not for the empty tables of a new database.
    PostgreSQL counts this transaction's own new rows when it analyzes inside it."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Product, SKU, ChannelListing, StockLevel, StockMovement, Location)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


def _stock_plan():
    """[(location id, sku id, on hand, safety stock)]: the same plan on every run (fixed seed, fixed order)."""
    rng = random.Random(2026)
    warehouse = Location.objects.get(code="WH01")
    stores = list(Location.objects.filter(kind=Location.Kind.STORE).order_by("code"))
    plan = []
    for sku in SKU.objects.order_by("code"):
        profile = rng.random()
        if profile < 0.05:
            # Scarce: the last unit in a single store.
            per_location = {rng.choice(stores).id: 1}
        elif profile < 0.18:
            # Sold out online: only some stores still have it.
            per_location = {store.id: rng.randint(1, 3) for store in stores if rng.random() < 0.35}
        else:
            per_location = {warehouse.id: rng.choice([2, 5, 8, 12, 20, 30, 45])}
            for store in stores:
                if rng.random() < 0.5:
                    per_location[store.id] = rng.randint(1, 6)
        for location_id, on_hand in per_location.items():
            # Stores keep a unit of some well-stocked SKUs for walk-in customers.
            keeps_one = location_id != warehouse.id and on_hand >= 4 and rng.random() < 0.4
            plan.append((location_id, sku.id, on_hand, 1 if keeps_one else 0))
    return plan


def _seed_stock():
    have = set(StockLevel.objects.values_list("location_id", "sku_id"))
    plan = [row for row in _stock_plan() if (row[0], row[1]) not in have]
    lines = [
        services.CountLine(line_number=n, location_id=loc, sku_id=sku, counted=on_hand)
        for n, (loc, sku, on_hand, _safety) in enumerate(plan, start=1)
    ]
    services.apply_counts(lines=lines, reference="seed_demo: opening stock")
    for location_id, sku_id, _on_hand, safety in plan:
        if safety:
            services.set_safety_stock(location=Location(pk=location_id), sku=SKU(pk=sku_id), safety_stock=safety)
