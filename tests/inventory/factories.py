from decimal import Decimal

import factory

from inventory.models import SKU, ChannelListing, Product, StockLevel
from tests.stores.factories import LocationFactory, SalesChannelFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("style",)

    style = factory.Sequence(lambda n: f"STY{n:04d}")
    name = factory.Sequence(lambda n: f"Maglia {n}")
    brand = "Brunello"
    category = "Maglieria"


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU
        django_get_or_create = ("code",)

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    gtin = factory.Sequence(lambda n: f"{8000000000000 + n}")
    colour = "Nero"
    size = "M"


class ChannelListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelListing

    sku = factory.SubFactory(SKUFactory)
    channel = factory.SubFactory(SalesChannelFactory)
    price = Decimal("29.90")


class StockLevelFactory(factory.django.DjangoModelFactory):
    """Only for arranging tests: production code changes stock through inventory.services."""

    class Meta:
        model = StockLevel

    location = factory.SubFactory(LocationFactory)
    sku = factory.SubFactory(SKUFactory)
    on_hand = 10
    committed = 0
    safety_stock = 0
