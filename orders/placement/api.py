"""Channel API of orders: place, list, read, change the address, cancel."""

from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.api.serializers import choice_param, validated
from omnichannel.db import retry_once_on_lock_conflict
from omnichannel.errors import InvalidInput
from orders.channel_api import ChannelCancelApi, ChannelCreateApi, ChannelDetailApi, K
from orders.idempotency import IDEMPOTENCY_HEADER
from orders.models import Order
from orders.placement import changes, selectors
from orders.placement import services as placing
from orders.placement.serializers import (
    AddressChangeInput,
    CancelInput,
    OrderCreateInput,
    OrderOutput,
    OrderSummaryOutput,
)
from stores.api.channels import key_channel_id, request_channel


def _utc_datetime(value: str):
    """An ISO 8601 date-time in UTC (naive ones in the brand's time zone), or None when it is not one or is
    impossible: month 13, or an offset PostgreSQL refuses (over 15:59) is normalized or refused here."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@extend_schema_view(
    post=extend_schema(
        operation_id="orders_create",
        request=OrderCreateInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: OrderOutput},
        description="Place an order: sourced, every unit held, all or nothing. 409 `insufficient_stock` with "
        "per-line requested/available when stock is short. A `unit_price` below the channel's listing price (less "
        "ORDER_PRICE_TOLERANCE_PERCENT) is a 422 `price_mismatch` naming the listing price: reductions go in "
        "`discount`. A channel marked as pricing authority is never refused: its order is flagged for head office.",
    )
)
class OrderListCreateApi(ChannelCreateApi):
    api_key_kinds = {K.CHANNEL, K.HEAD_OFFICE}  # a channel its own orders; head office lists every channel's
    input, output = OrderCreateInput, OrderOutput

    def create(self, request, data, channel):
        order = placing.place_order(
            channel=channel,
            customer=data["customer"],
            lines=data["lines"],
            fulfillment=data["fulfillment"],
            payment=data["payment"],
            external_id=data["external_id"],
            shipping_price=data["shipping_price"],
            discount=data["discount"],
            actor=request.user,
        )
        return selectors.placed_order_detail(order)  # built from the objects just written: nothing is read back

    @extend_schema(
        operation_id="orders_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Order.Status.values),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
            OpenApiParameter("channel", OpenApiTypes.STR),
        ],
        responses={200: paginated(OrderSummaryOutput, "PaginatedOrderSummaryList")},
    )
    def get(self, request):
        params = request.query_params
        status_filter = choice_param(request, "status", Order.Status.values)
        since = None
        if params.get("updated_since"):
            since = _utc_datetime(params["updated_since"])
            if since is None:
                raise InvalidInput(
                    "updated_since must be an ISO 8601 date-time.", details={"updated_since": params["updated_since"]}
                )
        channel_id = key_channel_id(request)
        if params.get("channel"):
            # A channel's key naming another channel is a 403 (docs/api.md), never its own list in disguise.
            channel_id = request_channel(request, required=True).id
        orders = selectors.orders_for_channel(channel_id=channel_id, status=status_filter, updated_since=since)
        paginator = CursorPagination()
        paginator.ordering = ("updated_at", "id")
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSummaryOutput(page, many=True).data)


@extend_schema_view(get=extend_schema(operation_id="orders_retrieve", responses={200: OrderOutput}))
class OrderDetailApi(ChannelDetailApi):
    output = OrderOutput

    def find(self, *, number, channel_id):
        return selectors.order_for_channel(number=number, channel_id=channel_id)

    @extend_schema(operation_id="orders_change_address", request=AddressChangeInput, responses={200: OrderOutput})
    @method_decorator(retry_once_on_lock_conflict)
    def patch(self, request, number: str):
        data = validated(AddressChangeInput, request.data)
        order = self.find(number=number, channel_id=key_channel_id(request))
        order = changes.change_shipping_address(order=order, address=data["shipping_address"], actor=request.user)
        return Response(self.shown(request, selectors.with_details(order)))


@extend_schema_view(
    post=extend_schema(
        operation_id="orders_cancel",
        request=CancelInput,
        responses={200: OrderOutput},
        description="Cancel the whole order (no `lines`) or some units, while they have not shipped. A retry with "
        "the same `Idempotency-Key` replays the first answer; cancelling an order already cancelled is a 409 "
        "`invalid_transition` (the customer is told once).",
    )
)
class OrderCancelApi(ChannelCancelApi):
    input, output, replayed = CancelInput, OrderOutput, True

    def find(self, *, number, channel_id):
        return selectors.order_for_channel(number=number, channel_id=channel_id)

    def cancel(self, request, record, data):
        lines = None
        if data.get("lines"):
            lines = {}
            for line in data["lines"]:
                lines[line["sku"]] = lines.get(line["sku"], 0) + line["quantity"]
        cancelled = changes.cancel_order(order=record, lines=lines, actor=request.user, reason=data["reason"])
        return selectors.with_details(cancelled)
