"""Channel API of click & reserve: reserve, read, cancel (the shape: orders/channel_api.py)."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from orders.channel_api import ChannelCancelApi, ChannelCreateApi, ChannelDetailApi
from orders.idempotency import IDEMPOTENCY_HEADER
from orders.reservations import selectors
from orders.reservations import services as reserving
from orders.reservations.serializers import ReservationCancelInput, ReservationCreateInput, ReservationOutput


@extend_schema_view(
    post=extend_schema(
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
)
class ReservationCreateApi(ChannelCreateApi):
    input, output = ReservationCreateInput, ReservationOutput

    def create(self, request, data, channel):
        reservation = reserving.reserve_items(
            channel=channel,
            customer=data["customer"],
            location=data["location"],
            lines=data["lines"],
            actor=request.user,
        )
        return selectors.reservation_with_details(reservation)


class _Found:
    def find(self, *, number, channel_id):
        return selectors.reservation_for_channel(number=number, channel_id=channel_id)


@extend_schema_view(get=extend_schema(operation_id="reservations_retrieve", responses={200: ReservationOutput}))
class ReservationDetailApi(_Found, ChannelDetailApi):
    output = ReservationOutput


@extend_schema_view(
    post=extend_schema(
        operation_id="reservations_cancel",
        request=ReservationCancelInput,
        responses={200: ReservationOutput},
        description="The customer cancels: the items go back on sale and the customer is told. 409 once the "
        "reservation is closed (bought, not bought, expired or already cancelled).",
    )
)
class ReservationCancelApi(_Found, ChannelCancelApi):
    input, output = ReservationCancelInput, ReservationOutput

    def cancel(self, request, record, data):
        reserving.cancel_reservation(reservation=record, actor=request.user, reason=data["reason"], by="customer")
        return self.find(number=record.number, channel_id=None)
