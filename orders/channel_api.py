"""The one shape of a sales channel's create / read / cancel API views, for orders, reservations and returns.

Each aggregate says only what is its own (the input serializer, how it finds one by number for a channel, the
service, the output): the checks around them are here once. A channel's key creates for its own channel (the
body's `channel` must be its own), with an `Idempotency-Key` replaying the first answer; reads see the key's own
channel's records (head office's every channel's); a deadlock or serialization failure runs the request again once,
then answers 503. Each subclass documents its operation with `extend_schema_view`."""

from django.utils.decorators import method_decorator
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from omnichannel.api.serializers import represent, validated
from omnichannel.db import retry_once_on_lock_conflict
from orders.idempotency import idempotent
from stores.api.channels import key_channel_id, request_channel
from stores.models import ApiKey, SalesChannel

K = ApiKey.Kind


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


# What the three views share: how one record is found for a channel and how it is shown. (No docstrings on these
# classes: drf-spectacular would publish them as every subclass's description.)
class ChannelRecordApi(APIView):
    output = None  # the response serializer

    def find(self, *, number: str, channel_id: int | None):
        """The record with this number if the channel may see it (None: any channel), else NotFound."""
        raise NotImplementedError

    def shown(self, request, record) -> dict:
        return represent(self.output, record, request=request)


class ChannelCreateApi(ChannelRecordApi):
    api_key_kinds = {K.CHANNEL}
    input = None  # the request serializer

    def create(self, request, data: dict, channel: SalesChannel):
        """Run the service; returns what `shown` renders."""
        raise NotImplementedError

    def check(self, data: dict) -> None:
        """Refuse bad input the serializer cannot see (before the idempotency record is claimed)."""

    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request):
        data = validated(self.input, request.data)
        channel = selling_channel(request, data)
        self.check(data)

        def create():
            created = self.create(request, data, channel)
            return Response(self.shown(request, created), status=status.HTTP_201_CREATED)

        return idempotent(request, channel_id=channel.id, create=create)


class ChannelDetailApi(ChannelRecordApi):
    api_key_kinds = {K.CHANNEL, K.HEAD_OFFICE}

    def get(self, request, number: str):
        return Response(self.shown(request, self.find(number=number, channel_id=key_channel_id(request))))


class ChannelCancelApi(ChannelRecordApi):
    api_key_kinds = {K.CHANNEL}
    input = None  # the request serializer
    replayed = False  # True: an `Idempotency-Key` replays the first answer

    def cancel(self, request, record, data: dict):
        """Run the service; returns what `shown` renders."""
        raise NotImplementedError

    @method_decorator(retry_once_on_lock_conflict)
    def post(self, request, number: str):
        data = validated(self.input, request.data)
        channel_id = key_channel_id(request)
        record = self.find(number=number, channel_id=channel_id)

        def cancel():
            return Response(self.shown(request, self.cancel(request, record, data)))

        return idempotent(request, channel_id=channel_id, create=cancel) if self.replayed else cancel()
