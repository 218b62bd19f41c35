"""API shapes of click & reserve."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from omnichannel.links import public_url
from orders.placement.serializers import ContactOutput, CustomerInput, contact_output


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
