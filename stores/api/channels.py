"""Which sales channel an API request speaks for."""

from omnichannel.errors import DomainError, InvalidInput, NotFound
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


def may_open_customer_links(request) -> bool:
    """Whether this API key is given the customer's own links (tracking page, return page), which open customer
    actions (send items back, cancel): the customer's sales channel and customer care only, never a location
    (WMS, store handheld), a carrier or head office's read-only key."""
    from stores.models import ApiKey

    return getattr(getattr(request, "user", None), "kind", None) in (ApiKey.Kind.CHANNEL, ApiKey.Kind.CARE)
