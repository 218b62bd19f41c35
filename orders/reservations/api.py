"""Channel API of click & reserve: reserve, read, cancel."""

from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.serializers import represent, validated
from omnichannel.db import retry_once_on_lock_conflict
from orders.idempotency import IDEMPOTENCY_HEADER, idempotent
from orders.placement.api import selling_channel
from orders.reservations import selectors
from orders.reservations import services as reserving
from orders.reservations.serializers import ReservationCancelInput, ReservationCreateInput, ReservationOutput
from stores.api.channels import key_channel_id
from stores.models import ApiKey

K = ApiKey.Kind


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
            reservation = reserving.reserve_items(
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
        reserving.cancel_reservation(reservation=reservation, actor=request.user, reason=data["reason"], by="customer")
        return Response(_reservation(request, selectors.reservation_for_channel(number=number, channel_id=None)))
