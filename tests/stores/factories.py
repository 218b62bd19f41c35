import factory
from django.contrib.auth import get_user_model

from stores.models import Capability, Location, SalesChannel, StoreMembership

ALL_STORE_CAPABILITIES = [
    Capability.SHIP_FROM_STORE,
    Capability.CLICK_AND_COLLECT,
    Capability.CLICK_AND_RESERVE,
    Capability.SHIP_TO_STORE,
    Capability.ACCEPTS_RETURNS,
]


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Store {o.code}")
    kind = Location.Kind.STORE
    address = "Via Roma 1"
    city = "Milano"
    postcode = "20121"
    latitude = 45.4642
    longitude = 9.1900
    opening_hours = {"mon": [["10:00", "19:30"]]}
    capabilities = factory.LazyFunction(lambda: [str(c) for c in ALL_STORE_CAPABILITIES])


class WarehouseFactory(LocationFactory):
    code = factory.Sequence(lambda n: f"WH{n:03d}")
    kind = Location.Kind.WAREHOUSE
    capabilities = factory.LazyFunction(lambda: [str(Capability.SHIPS)])


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ch{n}")
    name = factory.LazyAttribute(lambda o: f"Channel {o.code}")
    kind = SalesChannel.Kind.WEB


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("secret-pass-1")


class StoreMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreMembership

    user = factory.SubFactory(UserFactory)
    location = factory.SubFactory(LocationFactory)
    role = StoreMembership.Role.ASSOCIATE
