from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from stores.selectors import channel_client_for_key
from stores.services import hash_api_key

API_KEY_KEYWORD = "Api-Key"


def api_key_in(authorization: str) -> str | None:
    """The key of an `Authorization: Api-Key <key>` header ("" when it is empty); None for any other header.
    Shared by DRF authentication and the availability fast path (omnichannel/api/fastpath.py)."""
    keyword, _sep, raw_key = authorization.partition(" ")
    return raw_key.strip() if keyword.lower() == API_KEY_KEYWORD.lower() else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: the request acts for the key's sales channel."""

    keyword = API_KEY_KEYWORD

    def authenticate(self, request):
        raw_key = api_key_in(authentication.get_authorization_header(request).decode("latin-1"))
        if raw_key is None:
            return None
        if not raw_key:
            raise exceptions.AuthenticationFailed(_("Empty API key."))
        client = channel_client_for_key(hash_api_key(raw_key))
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return client, client

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no credentials are given.
        return self.keyword
