"""Which sales channel an API request speaks for."""

from omnichannel.errors import DomainError, InvalidInput, NotFound
from omnichannel.links import public_url
from stores.models import ApiKey
from stores.selectors import ChannelInfo, network_snapshot


class ChannelForbidden(DomainError):
    code = "permission_denied"
    status_code = 403


def key_channel_id(request) -> int | None:
    """The channel of the API key that made the request; None for the key kinds that read across channels
    (head office, care): which kinds reach a view is the view's `api_key_kinds`."""
    return getattr(request.user, "channel_id", None)


def request_channel(request, *, required: bool, code: str | None = None) -> ChannelInfo | None:
    """`code` (e.g. from a request body), the `?channel=` code, or the API key's channel.
    A key may only speak for its own channel."""
    code = code or request.query_params.get("channel")
    own_channel_id = key_channel_id(request)
    snapshot = network_snapshot()
    if not code:
        if own_channel_id is not None:
            channel = snapshot.channels_by_id.get(own_channel_id)
            if channel is None:
                raise ChannelForbidden("This API key's sales channel is not active.")
            return channel
        if required:
            raise InvalidInput("Give ?channel=<code> (or call with a channel's API key).", details={"channel": None})
        return None
    channel = snapshot.channels_by_code.get(code)
    if channel is None:
        raise NotFound(f"Unknown sales channel: {code}", details={"channel": code})
    if own_channel_id is not None and channel.id != own_channel_id:
        raise ChannelForbidden("This API key belongs to another sales channel.", details={"channel": code})
    return channel


def customer_link(path: str, request) -> str:
    """The customer's own page at `path` (tracking page, return page) as an API answer gives it. Those pages open
    customer actions (send items back, cancel), so only the customer's sales channel and customer care get them:
    "" for a location's key (WMS, store handheld), a carrier's or head office's read-only key."""
    key = getattr(request, "user", None)
    if request is not None and getattr(key, "kind", None) not in (ApiKey.Kind.CHANNEL, ApiKey.Kind.CARE):
        return ""
    return public_url(path, request)
