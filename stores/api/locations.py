"""Which location an API request works for (location keys: a WMS, a store's handhelds and tills)."""

from omnichannel.errors import NotFound
from stores.models import Location


def key_location(request) -> Location:
    """The location a location key works for."""
    return Location.objects.get(pk=request.user.location_id)


def own_location(request, code: str) -> Location:
    """The key's own location: any other code is a 404 (a WMS does not learn which other locations exist)."""
    if code != request.user.location_code:
        raise NotFound(f"Unknown location: {code}", details={"location": code})
    return key_location(request)
