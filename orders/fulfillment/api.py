"""Location API of fulfillment: a location's parcels, their actions, and the carrier's tracking events."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.pagination import CursorPagination
from omnichannel.api.schema import paginated
from omnichannel.api.serializers import choice_param, validated
from omnichannel.db import retry_once_on_lock_conflict
from orders.fulfillment import selectors, tracking
from orders.fulfillment.actions import run_action
from orders.fulfillment.serializers import (
    FulfillmentActionInput,
    LocationFulfillmentOutput,
    TrackingEventInput,
    TrackingEventOutput,
)
from orders.idempotency import IDEMPOTENCY_HEADER, idempotent
from orders.models import Fulfillment
from stores.api.channels import ChannelForbidden
from stores.api.locations import key_location, own_location
from stores.models import ApiKey

K = ApiKey.Kind


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
        event, created = tracking.record_tracking_event(**{**data, "carrier": carrier}, actor=request.user)
        event.fulfillment.refresh_from_db()
        return Response(
            TrackingEventOutput(event).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


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
        status_filter = choice_param(request, "status", Fulfillment.Status.values)
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
