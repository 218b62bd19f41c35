"""The shop floor's feeds (DESIGN.md section 13): a store's tills send their receipts with the location's key."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.db import retry_once_on_lock_conflict
from omnichannel.errors import InvalidInput
from orders.shop_floor import services as till
from stores.api.locations import own_location
from stores.models import ApiKey

K = ApiKey.Kind


TillLineDoc = inline_serializer(
    "TillReceiptLine",
    {
        "line": serializers.IntegerField(min_value=1, help_text="The line's number on the receipt"),
        "sku": serializers.CharField(max_length=64, help_text="The SKU (or, for `non_stock` lines, the article)"),
        "quantity": serializers.IntegerField(help_text="Units sold; negative: brought back at the till; never 0"),
        "unit_price": serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0),
        "non_stock": serializers.BooleanField(
            required=False, help_text="Bags, gift cards, services: recorded, never booked on stock"
        ),
    },
    many=True,
)


TillSalesInput = inline_serializer(
    "TillSalesInput",
    {
        "receipts": inline_serializer(
            "TillReceipt",
            {
                "register": serializers.CharField(max_length=20),
                "receipt": serializers.CharField(max_length=40),
                "at": serializers.DateTimeField(help_text="When the till rang it up (an offline till's own time)"),
                "reservation": serializers.CharField(
                    required=False, max_length=20, help_text="The click & reserve bought with this receipt"
                ),
                "lines": TillLineDoc,
            },
            many=True,
        )
    },
)


TillLineOutcome = inline_serializer(
    "TillLineOutcome",
    {
        "register": serializers.CharField(),
        "receipt": serializers.CharField(),
        "line": serializers.IntegerField(allow_null=True),
        "code": serializers.CharField(required=False),
        "message": serializers.CharField(required=False),
        "sku": serializers.CharField(required=False),
        "units": serializers.IntegerField(required=False),
    },
    many=True,
)


TillSalesOutput = inline_serializer(
    "TillSalesOutput",
    {
        "applied": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "rejected": TillLineOutcome,
        "not_in_stock": TillLineOutcome,
        "taken_from_orders": inline_serializer(
            "TillTakenFromOrder",
            {"order": serializers.CharField(), "sku": serializers.CharField(), "quantity": serializers.IntegerField()},
            many=True,
        ),
        "reservations": serializers.ListField(child=serializers.CharField()),
    },
)


class LocationSalesApi(APIView):
    """A store's till receipts, each line applied once per (register, receipt, line)."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="location_sales_create",
        request=TillSalesInput,
        parameters=[
            OpenApiParameter(
                "partial", OpenApiTypes.BOOL, description="Apply the good lines and return the bad ones in `rejected`"
            )
        ],
        responses={200: TillSalesOutput},
        description="Up to 5000 lines per request. A line already recorded is a duplicate (nothing changes); the "
        "same (register, receipt, line) with other content is a `receipt_line_conflict`. Without `partial` a batch "
        "with any bad line is refused whole: 400 `invalid_receipt_lines` (409 `receipt_line_conflict` when every "
        "bad line is a conflict), each in `details.lines` with its `code`: `unknown_sku`, `invalid_quantity`, "
        "`invalid_price`, `invalid_line`, `invalid_at`, `unknown_reservation`, `use_returns_desk` (a till return "
        "naming an online order). A sale with too few units free takes units of orders nobody started picking "
        "(`taken_from_orders`: sourced again elsewhere); what still does not fit is `not_in_stock` (a recount "
        "task). Another location's code is a 404.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, code: str):
        location = own_location(request, code)
        partial = request.query_params.get("partial", "false").lower()
        if partial not in ("true", "false", "1", "0"):
            raise InvalidInput("partial is true or false", details={"partial": partial})
        body = request.data
        if not isinstance(body, dict) or set(body) - {"receipts"}:
            raise InvalidInput(
                'The body is {"receipts": [...]}.',
                details={"fields": sorted(set(body) - {"receipts"}) if isinstance(body, dict) else "body"},
            )
        result = till.record_till_sales(
            location=location, receipts=body.get("receipts"), partial=partial in ("true", "1"), actor=request.user
        )
        return Response(
            {
                "applied": result.applied,
                "duplicates": result.duplicates,
                "rejected": result.rejected,
                "not_in_stock": result.not_in_stock,
                "taken_from_orders": result.taken_from_orders,
                "reservations": result.reservations,
            }
        )
