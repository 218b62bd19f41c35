from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.api.serializers import represent, validated
from omnichannel.db import retry_once_on_lock_conflict
from omnichannel.errors import InvalidInput
from orders import selectors, services
from orders.api.fulfillment_actions import run_action
from orders.api.idempotency import idempotent
from orders.api.serializers import (
    AddressChangeInput,
    CancelInput,
    FulfillmentActionInput,
    LocationFulfillmentOutput,
    OrderCreateInput,
    OrderOutput,
    OrderSummaryOutput,
    ReservationCancelInput,
    ReservationCreateInput,
    ReservationOutput,
    TrackingEventInput,
    TrackingEventOutput,
)
from orders.models import Fulfillment, Order
from stores.api.channels import ChannelForbidden, key_channel_id, request_channel
from stores.api.locations import key_location, own_location
from stores.models import ApiKey, SalesChannel

K = ApiKey.Kind

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retries with the same key get the first response; the same key with another body is a 422.",
)


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


def _detail(request, order) -> dict:
    return represent(OrderOutput, selectors.with_details(order), request=request)


def selling_channel(request, data) -> SalesChannel:
    """The channel a creating POST sells for: the body's `channel` or the API key's (a key speaks only for its own),
    from the per-process network snapshot (not read again)."""
    info = request_channel(request, required=True, code=data.get("channel"))
    return SalesChannel(
        id=info.id,
        code=info.code,
        currency=info.currency,
        safety_buffer=info.safety_buffer,
        pricing_authority=info.pricing_authority,
    )


class OrderListCreateApi(APIView):
    api_key_kinds = {K.CHANNEL, K.HEAD_OFFICE}  # a channel its own orders; head office lists every channel's

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: OrderOutput},
        description="Place an order: sourced, every unit held, all or nothing. 409 `insufficient_stock` with "
        "per-line requested/available when stock is short. A `unit_price` below the channel's listing price (less "
        "ORDER_PRICE_TOLERANCE_PERCENT) is a 422 `price_mismatch` naming the listing price: reductions go in "
        "`discount`. A channel marked as pricing authority is never refused: its order is flagged for head office.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request):
        data = validated(OrderCreateInput, request.data)
        channel = selling_channel(request, data)

        def create():
            order = services.place_order(
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
            # Built from the objects just written: nothing is read back.
            detail = represent(OrderOutput, selectors.placed_order_detail(order), request=request)
            return Response(detail, status=status.HTTP_201_CREATED)

        return idempotent(request, channel_id=channel.id, create=create)

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
        status_filter = params.get("status", "")
        if status_filter and status_filter not in Order.Status.values:
            raise InvalidInput(
                f"Unknown status: {status_filter}", details={"status": status_filter, "allowed": Order.Status.values}
            )
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


class OrderDetailApi(APIView):
    api_key_kinds = {K.CHANNEL, K.HEAD_OFFICE}

    @extend_schema(operation_id="orders_retrieve", responses={200: OrderOutput})
    def get(self, request, number: str):
        order = selectors.order_for_channel(number=number, channel_id=key_channel_id(request))
        return Response(represent(OrderOutput, order, request=request))

    @extend_schema(operation_id="orders_change_address", request=AddressChangeInput, responses={200: OrderOutput})
    @method_decorator(retry_once_on_lock_conflict)
    def patch(self, request, number: str):
        data = validated(AddressChangeInput, request.data)
        order = selectors.order_for_channel(number=number, channel_id=key_channel_id(request))
        order = services.change_shipping_address(order=order, address=data["shipping_address"], actor=request.user)
        return Response(_detail(request, order))


class OrderCancelApi(APIView):
    api_key_kinds = {K.CHANNEL}

    @extend_schema(
        operation_id="orders_cancel",
        request=CancelInput,
        responses={200: OrderOutput},
        description="Cancel the whole order (no `lines`) or some units, while they have not shipped. A retry with "
        "the same `Idempotency-Key` replays the first answer; cancelling an order already cancelled is a 409 "
        "`invalid_transition` (the customer is told once).",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        data = validated(CancelInput, request.data)
        channel_id = key_channel_id(request)
        order = selectors.order_for_channel(number=number, channel_id=channel_id)
        lines = None
        if data.get("lines"):
            lines = {}
            for line in data["lines"]:
                lines[line["sku"]] = lines.get(line["sku"], 0) + line["quantity"]

        def cancel():
            cancelled = services.cancel_order(order=order, lines=lines, actor=request.user, reason=data["reason"])
            return Response(_detail(request, cancelled))

        return idempotent(request, channel_id=channel_id, create=cancel)


class TrackingEventCreateApi(APIView):
    """A carrier reports scans of the parcels it carries, and only those: another carrier's tracking number is
    a 404, and the answer names the parcel, not the brand's order."""

    api_key_kinds = {K.CARRIER}

    @extend_schema(
        operation_id="tracking_events_create",
        request=TrackingEventInput,
        responses={201: TrackingEventOutput, 200: TrackingEventOutput},
        description="A carrier's scan of a parcel (carrier keys). Idempotent on carrier + event_id (a repeat "
        "answers 200 and changes nothing); a tracking number this carrier does not carry is a 404.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request):
        data = validated(TrackingEventInput, request.data)
        carrier = request.user.carrier
        if data.get("carrier") and data["carrier"].upper() != carrier.upper():
            raise ChannelForbidden("This API key reports for another carrier.", details={"carrier": data["carrier"]})
        event, created = services.record_tracking_event(**{**data, "carrier": carrier}, actor=request.user)
        event.fulfillment.refresh_from_db()
        return Response(
            TrackingEventOutput(event).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _reservation(request, reservation) -> dict:
    return represent(ReservationOutput, reservation, request=request)


class ReservationCreateApi(APIView):
    api_key_kinds = {K.CHANNEL}

    @extend_schema(
        operation_id="reservations_create",
        request=ReservationCreateInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ReservationOutput},
        description="Click & reserve: hold the items in one store for the customer (no payment) until "
        "`expires_at` (the hold window, ending at the store's closing time when the window would end after it). "
        "409 `insufficient_stock` with per-line requested/available; 422 `method_not_offered` for a store "
        "without click & reserve; 422 `reservation_limit` with `details.limit` = `open_reservations_per_customer` "
        "or `units_per_line`.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request):
        data = validated(ReservationCreateInput, request.data)
        channel = selling_channel(request, data)

        def create():
            reservation = services.reserve_items(
                channel=channel,
                customer=data["customer"],
                location=data["location"],
                lines=data["lines"],
                actor=request.user,
            )
            return Response(
                _reservation(request, selectors.reservation_with_details(reservation)), status=status.HTTP_201_CREATED
            )

        return idempotent(request, channel_id=channel.id, create=create)


class ReservationDetailApi(APIView):
    api_key_kinds = {K.CHANNEL, K.HEAD_OFFICE}

    @extend_schema(operation_id="reservations_retrieve", responses={200: ReservationOutput})
    def get(self, request, number: str):
        reservation = selectors.reservation_for_channel(number=number, channel_id=key_channel_id(request))
        return Response(_reservation(request, reservation))


class ReservationCancelApi(APIView):
    api_key_kinds = {K.CHANNEL}

    @extend_schema(
        operation_id="reservations_cancel",
        request=ReservationCancelInput,
        responses={200: ReservationOutput},
        description="The customer cancels: the items go back on sale and the customer is told. 409 once the "
        "reservation is closed (bought, not bought, expired or already cancelled).",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        data = validated(ReservationCancelInput, request.data)
        reservation = selectors.reservation_for_channel(number=number, channel_id=key_channel_id(request))
        services.cancel_reservation(reservation=reservation, actor=request.user, reason=data["reason"], by="customer")
        return Response(_reservation(request, selectors.reservation_for_channel(number=number, channel_id=None)))


# ------------------------------------------------------------------------------------------------- a location's work


class LocationFulfillmentListApi(APIView):
    """The work at a location (location keys, their own location only): fulfillments it sources or where the
    customer collects, with the actions it may take on each now."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="location_fulfillments_list",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=Fulfillment.Status.values)],
        responses={200: paginated(LocationFulfillmentOutput, "PaginatedLocationFulfillmentList")},
    )
    def get(self, request, code: str):
        location = own_location(request, code)
        status_filter = request.query_params.get("status", "")
        if status_filter and status_filter not in Fulfillment.Status.values:
            raise InvalidInput(
                f"Unknown status: {status_filter}",
                details={"status": status_filter, "allowed": Fulfillment.Status.values},
            )
        paginator = CursorPagination()
        paginator.ordering = ("updated_at", "id")
        page = paginator.paginate_queryset(
            selectors.fulfillments_at(location=location, status=status_filter), request, view=self
        )
        data = LocationFulfillmentOutput(page, many=True, context={"location": location}).data
        return paginator.get_paginated_response(data)


class FulfillmentActionApi(APIView):
    """One step of a fulfillment's work, by the location doing it: the same services (and the same rule of who may
    do what) as the store dashboard's buttons. Another location's fulfillment is a 404."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="fulfillments_action",
        request=FulfillmentActionInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: LocationFulfillmentOutput},
        description="`start_picking`, `report_short` (`lines`: the units not found: they leave the location's "
        "stock; another source is tried, else a case opens), `cannot_fulfil` (every open line, the same way), "
        "`mark_packed`, `mark_shipped` (`carrier`, `tracking_number`), `mark_ready`, `hand_over` (`pickup_code`; "
        "locked after 5 wrong codes), `received_in_store`, `not_received` (the collecting store: a parcel on its "
        "way never arrived; a case opens). 409 `action_not_allowed` names the actions possible now.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, fulfillment_id: int):
        data = validated(FulfillmentActionInput, request.data)
        location = key_location(request)
        fulfillment = selectors.location_fulfillment(location=location, fulfillment_id=fulfillment_id)

        def act():
            run_action(fulfillment=fulfillment, location=location, data=data, actor=request.user)
            fresh = selectors.location_fulfillment(location=location, fulfillment_id=fulfillment_id)
            return Response(LocationFulfillmentOutput(fresh, context={"location": location}).data)

        return idempotent(request, location_id=location.pk, create=act)
