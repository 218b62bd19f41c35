"""API shapes of fulfillment: a location's parcels and actions, carrier tracking events."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from orders.fulfillment.actions import API_ACTIONS, api_actions


# Named as when it was nested in OrderOutput: the schema's component keeps its name.
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


class FulfillmentActionInput(StrictInput):
    """One step of a fulfillment's work, from the location that does it (WMS, 3PL, store handheld)."""

    class ShortLine(StrictInput):
        sku = serializers.CharField(max_length=64)
        quantity = serializers.IntegerField(min_value=1, max_value=1000)

    action = serializers.ChoiceField(choices=list(API_ACTIONS))
    lines = ShortLine(many=True, required=False, allow_empty=False, max_length=200)
    carrier = serializers.CharField(max_length=40, required=False)
    tracking_number = serializers.CharField(max_length=80, required=False)
    pickup_code = serializers.CharField(max_length=6, required=False)

    def validate(self, data):
        needs = API_ACTIONS[data["action"]].needs
        missing = {name: ["This action needs it."] for name in needs if not data.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return data


class LocationFulfillmentOutput(OrderFulfillmentOut):
    """A fulfillment as the location working on it sees it: what to pick, pack, ship, receive or hand over (the
    order's fulfillment shape, plus the order number, open quantities and the actions possible now)."""

    class LocationFulfillmentLineOut(OrderFulfillmentOut.FulfillmentLineOut):
        quantity_open = serializers.IntegerField()

    order = serializers.CharField(source="order.number")
    actions = serializers.SerializerMethodField(help_text="The actions this location may take now")
    lines = LocationFulfillmentLineOut(many=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, fulfillment) -> list[str]:
        return api_actions(fulfillment, self.context["location"])
