"""factory-boy factories of the orders app. An order is made the way a channel makes one, through `place_order`
(sourced, every unit held, the payment authorized, its events and messages written): a row-by-row factory would
build orders the product can never be in."""

from decimal import Decimal

import factory

from orders import services
from orders.models import Customer, Order
from tests.orders.conftest import HOME_MILAN, payload


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = "Giulia Rossi"
    phone = "+393331234567"
    locale = "it"


class PlacedOrderFactory(factory.Factory):
    """`PlacedOrderFactory(net=net, lines=[("TEE-M", 1, "19.90")], fulfillment=HOME_MILAN)`: `net` is the
    orders tests' network fixture; `shipping`, `email`, `amount`, `currency` as `conftest.payload` takes them."""

    class Meta:
        model = Order

    lines = factory.LazyFunction(lambda: [("TEE-M", 1, "19.90")])
    fulfillment = factory.LazyFunction(lambda: dict(HOME_MILAN))

    @classmethod
    def _create(cls, model_class, *, net, lines, fulfillment, **options):
        data = payload(lines, fulfillment, **options)
        return services.place_order(
            channel=net["web"],
            customer=data["customer"],
            lines=data["lines"],
            fulfillment=data["fulfillment"],
            payment=data["payment"],
            shipping_price=Decimal(data["shipping_price"]),
        )

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("An order exists only once placed: use PlacedOrderFactory(...), not .build().")
