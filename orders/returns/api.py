"""The returns API (DESIGN.md section 13): a sales channel starts, reads and cancels its customers' returns; the
receiving location (a store's handheld, the returns centre's WMS) lists what it expects and receives it."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.api.serializers import choice_param, represent, validated
from omnichannel.db import retry_once_on_lock_conflict
from omnichannel.errors import InvalidInput, NotFound
from orders.channel_api import ChannelCancelApi, ChannelCreateApi, ChannelDetailApi, K
from orders.idempotency import IDEMPOTENCY_HEADER, idempotent
from orders.models import Return, ReturnReason
from orders.returns import receiving, transfers
from orders.returns import selectors as return_selectors
from orders.returns import services as returning
from orders.returns.serializers import (
    ReturnCancelInput,
    ReturnCreateInput,
    ReturnOutput,
    ReturnReasonOutput,
    ReturnReceiveInput,
)
from stores.api.locations import key_location, own_location
from stores.models import Location


def _output(request, return_request: Return) -> dict:
    return represent(ReturnOutput, return_request, request=request)


def _named_location(code: str) -> Location | None:
    """The store or locker a return names; None when there is no such active location (the service says why)."""
    if not code:
        return None
    return Location.objects.active().filter(code=code).first()


@extend_schema_view(
    post=extend_schema(
        operation_id="returns_create",
        request=ReturnCreateInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ReturnOutput},
        description="Start a return of units the customer got (delivered or collected within the return window), "
        "of one or several of the customer's orders on this channel: `in_store` (`location`: a store that takes "
        "returns), `carrier` (to the returns centre; `label`: the return label's reference) or `locker` "
        "(`location`: the locker). `exchange`: another size or colour of a returned item, held at once. "
        "404 unknown order (or not this customer's); 409 `already_returned`; 422 `not_returnable` "
        "(`details.why`: `not_delivered`, `window`, `category`); 422 `method_not_offered`.",
    )
)
class ReturnCreateApi(ChannelCreateApi):
    input, output = ReturnCreateInput, ReturnOutput

    def check(self, data):
        data["receiving_location"] = location = _named_location(data["location"])
        if data["location"] and location is None:
            raise InvalidInput(f"Unknown location: {data['location']}", details={"location": data["location"]})

    def create(self, request, data, channel):
        location = data["receiving_location"]
        return_request = returning.request_return(
            how=data["how"],
            lines=data["lines"],
            channel=channel,
            customer_email=data["customer"]["email"],
            location=location if data["how"] == Return.How.IN_STORE else None,
            drop_off=location if data["how"] == Return.How.LOCKER else None,
            label=data["label"],
            exchange=data["exchange"],
            actor=request.user,
        )
        return self.find(number=return_request.number, channel_id=None)

    def find(self, *, number, channel_id):
        return return_selectors.return_for_channel(number=number, channel_id=channel_id)


@extend_schema_view(get=extend_schema(operation_id="returns_retrieve", responses={200: ReturnOutput}))
class ReturnDetailApi(ChannelDetailApi):
    output = ReturnOutput
    find = ReturnCreateApi.find


@extend_schema_view(
    post=extend_schema(
        operation_id="returns_cancel",
        request=ReturnCancelInput,
        responses={200: ReturnOutput},
        description="The customer keeps the items: the units may be returned again later, a held exchange goes "
        "back on sale. 409 once the parcel is on its way or received.",
    )
)
class ReturnCancelApi(ChannelCancelApi):
    input, output = ReturnCancelInput, ReturnOutput
    find = ReturnCreateApi.find

    def cancel(self, request, record, data):
        returning.cancel_return(return_request=record, actor=request.user, reason=data["reason"])
        return self.find(number=record.number, channel_id=None)


class ReturnReceiveApi(APIView):
    """The receiving location counts what arrived and gives each unit its disposition; the refund follows."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="returns_receive",
        request=ReturnReceiveInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: ReturnOutput},
        description="Per line the units `received` and their `dispositions` (they add up to `received`): "
        "`restock_here` (on sale here at once), `send_to_warehouse` (counted here, held for the transfer), "
        "`quarantine`, `write_off`. A line not listed arrived with no unit. The refund of the units received is "
        "paid (`refund`) and an exchange ordered; the return closes. Damaged units (quarantine, write off): at a "
        "store, `damaged_refund` says `now` (refunded at once) or `care` (customer care decides); at the warehouse "
        "their refund always waits for the return's case (its default after its window: the full refund). "
        "Another location's return is a 404; a return already received is a 409.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        data = validated(ReturnReceiveInput, request.data)
        location = key_location(request)
        found = return_selectors.return_at(location=location, number=number)

        def receive():
            receiving.receive_return(
                return_request=found,
                location=location,
                lines=data["lines"],
                actor=request.user,
                damaged_refund=data.get("damaged_refund", ""),
            )
            return Response(_output(request, return_selectors.return_at(location=location, number=number)))

        return idempotent(request, location_id=location.pk, create=receive)


class LocationReturnListApi(APIView):
    """Returns a location receives (location keys, their own location only)."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="location_returns_list",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=Return.Status.values)],
        responses={200: paginated(ReturnOutput, "PaginatedReturnList")},
    )
    def get(self, request, code: str):
        location = own_location(request, code)
        status_filter = choice_param(request, "status", Return.Status.values)
        paginator = CursorPagination()
        paginator.ordering = ("updated_at", "id")
        returns = return_selectors.return_detail_queryset().filter(location=location)
        if status_filter:
            returns = returns.filter(status=status_filter)
        page = paginator.paginate_queryset(returns, request, view=self)
        return paginator.get_paginated_response(ReturnOutput(page, many=True, context={"request": request}).data)


class ReturnReasonListApi(APIView):
    """The reasons a customer chooses from (codes for `POST returns/`)."""

    api_key_kinds = {K.CHANNEL, K.LOCATION, K.HEAD_OFFICE, K.CARE}

    @extend_schema(operation_id="return_reasons_list", responses={200: ReturnReasonOutput(many=True)})
    def get(self, request):
        return Response(ReturnReasonOutput(ReturnReason.objects.filter(active=True), many=True).data)


class ReturnTransferShippedApi(APIView):
    """The receiving store hands the units it sends on to the returns centre to the carrier."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="returns_transfer_shipped",
        request=None,
        responses={200: ReturnOutput},
        description="The units received with `send_to_warehouse` leave this store (`transfer_out`). 409 when "
        "nothing waits to be sent; another location's return is a 404.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        location = key_location(request)
        found = return_selectors.return_at(location=location, number=number)
        transfers.ship_return_transfer(return_request=found, location=location, actor=request.user)
        return Response(_output(request, return_selectors.return_at(location=location, number=number)))


class ReturnTransferReceivedApi(APIView):
    """The returns centre books in units a store sent on."""

    api_key_kinds = {K.LOCATION}

    @extend_schema(
        operation_id="returns_transfer_received",
        request=None,
        responses={200: ReturnOutput},
        description="The returns centre's key: the units a store sent on are booked in here (`transfer_in`, on sale "
        "at once). 404 for any other location or when no transfer of this return is on its way; 409 when already "
        "received.",
    )
    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        location = key_location(request)
        found = Return.objects.filter(number=number).first()
        if found is None:
            # The very answer another location's return gets: a number is not confirmed to exist.
            raise NotFound(transfers.no_transfer_here(number))
        transfers.receive_return_transfer(return_request=found, location=location, actor=request.user)
        return Response(_output(request, return_selectors.return_for_channel(number=number, channel_id=None)))
