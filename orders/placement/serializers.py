"""API shapes of orders: the order a channel places and reads."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from orders.fulfillment.serializers import OrderFulfillmentOut
from orders.models import E164, FulfillmentMethod, Speed
from stores.api.channels import customer_link


class CustomerInput(StrictInput):
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=16, validators=[E164])
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    locale = serializers.ChoiceField(choices=[code for code, _ in settings.LANGUAGES], required=False)
    marketing_consent = serializers.BooleanField(required=False, allow_null=True, default=None)
    notify_by = serializers.ChoiceField(choices=["email_and_sms", "email", "sms"], required=False)


class LineInput(StrictInput):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


class AddressInput(StrictInput):
    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=80)
    postcode = serializers.CharField(max_length=12)
    country = serializers.CharField(min_length=2, max_length=2)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=16, validators=[E164])
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)


class FulfillmentInput(StrictInput):
    method = serializers.ChoiceField(choices=FulfillmentMethod.choices)
    speed = serializers.ChoiceField(choices=Speed.choices, required=False)
    pickup_location = serializers.CharField(required=False, max_length=20)
    address = AddressInput(required=False)

    def validate(self, data):
        if data["method"] == FulfillmentMethod.HOME_DELIVERY and "address" not in data:
            raise serializers.ValidationError({"address": "Home delivery needs an address."})
        if data["method"] != FulfillmentMethod.HOME_DELIVERY and not data.get("pickup_location"):
            raise serializers.ValidationError({"pickup_location": "This method needs a pickup location."})
        return data


class PaymentInput(StrictInput):
    provider = serializers.CharField(max_length=30)
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.CharField(min_length=3, max_length=3)


class OrderCreateInput(StrictInput):
    external_id = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    channel = serializers.CharField(required=False, max_length=30)
    customer = CustomerInput()
    lines = LineInput(many=True, allow_empty=False, max_length=200)
    fulfillment = FulfillmentInput()
    payment = PaymentInput()
    shipping_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, default=0)
    # An order-level promotion taken off the lines' total (the payment is the total after it).
    discount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, default=0)


class CancelInput(StrictInput):
    class CancelLine(StrictInput):
        sku = serializers.CharField(max_length=64)
        quantity = serializers.IntegerField(min_value=1, max_value=1000)

    lines = CancelLine(many=True, required=False, allow_empty=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AddressChangeInput(StrictInput):
    shipping_address = AddressInput()


class ContactOutput(serializers.Serializer):
    """The contact details given with this order or reservation (where its messages go)."""

    email = serializers.EmailField()
    phone = serializers.CharField()
    name = serializers.CharField()
    locale = serializers.CharField()
    notify_by = serializers.CharField()


def contact_output(contact) -> dict:
    return {
        "email": contact.contact_email,
        "phone": contact.contact_phone,
        "name": contact.contact_name,
        "locale": contact.contact_locale,
        "notify_by": contact.notify_by,
    }


class OrderOutput(serializers.Serializer):
    class OrderLineOut(serializers.Serializer):
        sku = serializers.CharField(source="sku.code")
        quantity = serializers.IntegerField()
        unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
        quantity_cancelled = serializers.IntegerField()
        quantity_short = serializers.IntegerField()
        # Units on a return that is not cancelled (announced, on their way or received).
        quantity_returned = serializers.IntegerField()

    OrderFulfillmentOut = OrderFulfillmentOut

    class OrderEventOut(serializers.Serializer):
        type = serializers.CharField()
        at = serializers.DateTimeField()
        fulfillment = serializers.IntegerField(source="fulfillment_id", allow_null=True)
        data = serializers.DictField()

    class OrderPaymentOut(serializers.Serializer):
        provider = serializers.CharField()
        reference = serializers.CharField()
        currency = serializers.CharField()
        authorized_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        captured_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        # Let go of before any capture: the customer was never charged it (not a refund).
        released_amount = serializers.DecimalField(max_digits=12, decimal_places=2)

    number = serializers.CharField()
    external_id = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    status = serializers.CharField()
    method = serializers.CharField()
    speed = serializers.CharField()
    customer = serializers.SerializerMethodField()
    pickup_location = serializers.CharField(source="pickup_location.code", allow_null=True, default=None)
    shipping_address = serializers.DictField()
    currency = serializers.CharField()
    lines_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = OrderLineOut(many=True)
    fulfillments = OrderFulfillmentOut(many=True)
    payment = OrderPaymentOut()
    sourcing = serializers.DictField()
    events = OrderEventOut(many=True)
    tracking_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(ContactOutput)
    def get_customer(self, order) -> dict:
        return contact_output(order)

    def get_tracking_url(self, order) -> str:
        """The customer's tracking page; empty for keys that may not open customer actions."""
        return customer_link(f"/track/{order.tracking_token}/", self.context.get("request"))


class OrderSummaryOutput(serializers.Serializer):
    number = serializers.CharField()
    external_id = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    status = serializers.CharField()
    method = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    updated_at = serializers.DateTimeField()
