from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from omnichannel.links import public_url
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

    class OrderFulfillmentOut(serializers.Serializer):
        class FulfillmentLineOut(serializers.Serializer):
            sku = serializers.CharField(source="order_line.sku.code")
            quantity = serializers.IntegerField()
            quantity_cancelled = serializers.IntegerField()
            quantity_short = serializers.IntegerField()

        id = serializers.IntegerField()
        source_location = serializers.CharField(source="source_location.code")
        pickup_location = serializers.CharField(source="pickup_location.code", allow_null=True, default=None)
        method = serializers.CharField()
        flow = serializers.CharField()
        status = serializers.CharField()
        carrier = serializers.CharField()
        tracking_number = serializers.CharField()
        pickup_deadline = serializers.DateTimeField(allow_null=True)
        lines = FulfillmentLineOut(many=True)

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


class TrackingEventInput(StrictInput):
    # The carrier key's own carrier; when given it must be that one.
    carrier = serializers.CharField(max_length=40, required=False)
    tracking_number = serializers.CharField(max_length=80)
    event_id = serializers.CharField(max_length=80)
    status = serializers.ChoiceField(choices=["in_transit", "out_for_delivery", "delivered", "delivery_exception"])
    location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField()


class TrackingEventOutput(serializers.Serializer):
    carrier = serializers.CharField()
    event_id = serializers.CharField()
    status = serializers.CharField()
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    # No order number: a carrier knows its parcels, not the brand's orders.
    tracking_number = serializers.CharField(source="fulfillment.tracking_number")
    fulfillment_status = serializers.CharField(source="fulfillment.status")


class ReservationCreateInput(StrictInput):
    class ReservationLineInput(StrictInput):
        sku = serializers.CharField(max_length=64)
        quantity = serializers.IntegerField(min_value=1, max_value=1000)

    channel = serializers.CharField(required=False, max_length=30)
    customer = CustomerInput()
    location = serializers.CharField(max_length=20)
    lines = ReservationLineInput(many=True, allow_empty=False, max_length=50)


class ReservationCancelInput(StrictInput):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReservationOutput(serializers.Serializer):
    class ReservationLineOut(serializers.Serializer):
        sku = serializers.CharField(source="sku.code")
        name = serializers.CharField(source="sku.product.name")
        colour = serializers.CharField(source="sku.colour")
        size = serializers.CharField(source="sku.size")
        quantity = serializers.IntegerField()
        quantity_purchased = serializers.IntegerField()

    class ReservationEventOut(serializers.Serializer):
        type = serializers.CharField()
        at = serializers.DateTimeField()
        data = serializers.DictField()

    class ReservationStoreOut(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        address = serializers.CharField()
        city = serializers.CharField()
        postcode = serializers.CharField()
        phone = serializers.CharField()
        opening_hours = serializers.DictField()

    number = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    status = serializers.CharField()
    location = serializers.CharField(source="location.code")
    store = ReservationStoreOut(source="location")
    customer = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField()
    lines = ReservationLineOut(many=True)
    events = ReservationEventOut(many=True)
    reservation_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_reservation_url(self, reservation) -> str:
        """The customer's page (details, cancel), for the channel to link from its own account pages."""
        return public_url(f"/reservation/{reservation.token}/", self.context.get("request"))

    @extend_schema_field(ContactOutput)
    def get_customer(self, reservation) -> dict:
        return contact_output(reservation)


class FulfillmentActionInput(StrictInput):
    """One step of a fulfillment's work, from the location that does it (WMS, 3PL, store handheld)."""

    class ShortLine(StrictInput):
        sku = serializers.CharField(max_length=64)
        quantity = serializers.IntegerField(min_value=1, max_value=1000)

    action = serializers.ChoiceField(
        choices=[
            "start_picking",
            "report_short",
            "cannot_fulfil",
            "mark_packed",
            "mark_shipped",
            "mark_ready",
            "hand_over",
            "received_in_store",
            "not_received",
            "back_in_stock",
        ]
    )
    lines = ShortLine(many=True, required=False, allow_empty=False, max_length=200)
    carrier = serializers.CharField(max_length=40, required=False)
    tracking_number = serializers.CharField(max_length=80, required=False)
    pickup_code = serializers.CharField(max_length=6, required=False)

    def validate(self, data):
        needs = {
            "report_short": ["lines"],
            "mark_shipped": ["carrier", "tracking_number"],
            "hand_over": ["pickup_code"],
        }
        missing = {name: ["This action needs it."] for name in needs.get(data["action"], []) if not data.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return data


class LocationFulfillmentOutput(OrderOutput.OrderFulfillmentOut):
    """A fulfillment as the location working on it sees it: what to pick, pack, ship, receive or hand over (the
    order's fulfillment shape, plus the order number, open quantities and the actions possible now)."""

    class LocationFulfillmentLineOut(OrderOutput.OrderFulfillmentOut.FulfillmentLineOut):
        quantity_open = serializers.IntegerField()

    order = serializers.CharField(source="order.number")
    actions = serializers.SerializerMethodField(help_text="The actions this location may take now")
    lines = LocationFulfillmentLineOut(many=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, fulfillment) -> list[str]:
        from orders.api.fulfillment_actions import api_actions

        return api_actions(fulfillment, self.context["location"])
