"""The returns API's bodies (DESIGN.md section 13)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from omnichannel.api.serializers import StrictInput
from orders.models import Return
from orders.payments.breakdown import refund_preview
from stores.api.channels import customer_link


class ReturnLineInput(StrictInput):
    order = serializers.CharField(max_length=20)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)
    reason = serializers.CharField(max_length=40, help_text="A code of `GET return-reasons/`.")
    sub_reason = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ExchangeInput(StrictInput):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class ReturnCustomerInput(StrictInput):
    email = serializers.EmailField(max_length=254)


class ReturnCreateInput(StrictInput):
    channel = serializers.CharField(required=False, max_length=30)
    customer = ReturnCustomerInput()
    how = serializers.ChoiceField(choices=Return.How.choices)
    location = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="The store (`in_store`) or the locker (`locker`); a courier return goes to the returns centre.",
    )
    label = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    lines = ReturnLineInput(many=True, allow_empty=False, max_length=100)
    exchange = ExchangeInput(many=True, required=False, default=list, max_length=100)


class ReturnCancelInput(StrictInput):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DispositionsInput(StrictInput):
    restock_here = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    send_to_warehouse = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    quarantine = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    write_off = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)


class ReceivedLineInput(StrictInput):
    order = serializers.CharField(max_length=20)
    sku = serializers.CharField(max_length=64)
    received = serializers.IntegerField(min_value=0, max_value=1000)
    dispositions = DispositionsInput()


class ReturnReceiveInput(StrictInput):
    lines = ReceivedLineInput(many=True, allow_empty=False, max_length=100)
    # A store's returns desk decides on the spot for damaged units (required when some arrived damaged there);
    # at the warehouse customer care always decides.
    damaged_refund = serializers.ChoiceField(choices=["now", "care"], required=False)


class RefundOutput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    items = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    exchange = serializers.DecimalField(max_digits=12, decimal_places=2)
    orders = serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2))


class ReturnOutput(serializers.Serializer):
    class ReturnLineOut(serializers.Serializer):
        order = serializers.CharField(source="order_line.order.number")
        sku = serializers.CharField(source="order_line.sku.code")
        quantity = serializers.IntegerField()
        received = serializers.IntegerField(source="quantity_received")
        reason = serializers.CharField(source="reason.code")
        sub_reason = serializers.CharField()
        note = serializers.CharField()
        restock_here = serializers.IntegerField(source="restocked")
        send_to_warehouse = serializers.IntegerField(source="sent_to_warehouse")
        quarantine = serializers.IntegerField(source="quarantined")
        write_off = serializers.IntegerField(source="written_off")

    class ExchangeOut(serializers.Serializer):
        sku = serializers.CharField(source="sku.code")
        quantity = serializers.IntegerField()
        unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
        held = serializers.SerializerMethodField()

        def get_held(self, row) -> bool:
            return row.hold_id is not None

    number = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    status = serializers.CharField()
    how = serializers.CharField()
    location = serializers.CharField(source="location.code")
    drop_off = serializers.CharField(source="drop_off.code", allow_null=True, default=None)
    label = serializers.CharField()
    fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    lines = ReturnLineOut(many=True)
    exchange = ExchangeOut(many=True, source="exchange_lines")
    exchange_order = serializers.CharField(source="exchange_order.number", allow_null=True, default=None)
    refund_preview = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    return_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(RefundOutput(allow_null=True))
    def get_refund_preview(self, return_request) -> dict | None:
        """Until the refund is paid: what the announced units would give back (then `refund` says what was)."""
        preview = refund_preview(return_request)
        return preview.as_dict() if preview is not None else None

    @extend_schema_field(RefundOutput(allow_null=True))
    def get_refund(self, return_request) -> dict | None:
        if return_request.refunded_at is None:
            return None
        return {"amount": str(return_request.refunded_amount), "currency": return_request.channel.currency}

    def get_return_url(self, return_request) -> str:
        """The customer's return page; empty for keys that may not open customer actions."""
        return customer_link(f"/return/{return_request.token}/", self.context.get("request"))


class ReturnReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    name_it = serializers.CharField()
    name_en = serializers.CharField()
