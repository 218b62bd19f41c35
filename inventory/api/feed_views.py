"""The channel availability feed (DESIGN.md section 13): a channel keeps its numbers in sync by following a cursor."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import feed
from omnichannel.errors import InvalidInput
from omnichannel.replica import read_on_replica
from stores.api.channels import request_channel
from stores.models import ApiKey

FeedOutput = inline_serializer(
    "AvailabilityFeed",
    {
        "results": inline_serializer(
            "FeedEntry",
            {"sku": serializers.CharField(), "channel_available": serializers.IntegerField()},
            many=True,
        ),
        "next_cursor": serializers.CharField(allow_null=True),
        "next_page": serializers.CharField(required=False, allow_null=True),
    },
)


class AvailabilityFeedApi(APIView):
    """What the channel publishes, kept in sync: a snapshot, then the changes since a cursor."""

    api_key_kinds = {ApiKey.Kind.CHANNEL, ApiKey.Kind.HEAD_OFFICE}

    @extend_schema(
        operation_id="availability_feed",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From the last answer's `next_cursor`"),
            OpenApiParameter("page", OpenApiTypes.STR, description="A snapshot's next page (`next_page`)"),
        ],
        responses={200: FeedOutput},
        description="Without `cursor`: a snapshot of every SKU of the channel's listings with the number it "
        "publishes, 500 a page (`next_page`); the last page's `next_cursor` continues from the snapshot's start, "
        "so no change made while paging is missed. With `cursor`: each SKU whose number may have changed since, "
        "once, with its number now, and the `next_cursor` to follow (empty `results`: up to date). Changes are "
        "returned only once every older transaction has committed, so a change committed out of order is never "
        "skipped. 400 a cursor not of this feed; 410 `cursor_expired` past the retention: read a snapshot again.",
    )
    def get(self, request, code: str):
        channel = request_channel(request, required=True, code=code)
        cursor, page = request.query_params.get("cursor"), request.query_params.get("page")
        if cursor and page:
            raise InvalidInput("Give a cursor or a snapshot page, not both.", details={"cursor": cursor})
        if cursor:
            answer = feed.changes_since(channel=channel, cursor=cursor)
            return Response({"results": answer["results"], "next_cursor": answer["next_cursor"]})
        # The snapshot may come from the replica; the cursor's changes always from the primary (their order is
        # decided by what has committed there).
        return Response(
            read_on_replica(request, lambda using: feed.snapshot_page(channel=channel, page=page, using=using))
        )
