from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from stores.selectors import api_client_for_key
from stores.services import hash_api_key

API_KEY_KEYWORD = "Api-Key"


def api_key_in(authorization: str) -> str | None:
    """The key of an `Authorization: Api-Key <key>` header ("" when it is empty); None for any other header."""
    keyword, _sep, raw_key = authorization.partition(" ")
    return raw_key.strip() if keyword.lower() == API_KEY_KEYWORD.lower() else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`, the API's only way in (no session cookies: a dashboard login is not an
    API credential). The request acts as the key: `request.user` is an `ApiClient` with its kind and owner.

    Wrong keys are counted per client address; past `API_RATE_BAD_KEYS` the address gets 429 before any lookup,
    so keys cannot be guessed at speed."""

    keyword = API_KEY_KEYWORD

    def authenticate(self, request):
        from omnichannel.api.throttling import count_bad_key, refuse_if_guessing_keys

        raw_key = api_key_in(authentication.get_authorization_header(request).decode("latin-1"))
        if raw_key is None:
            return None
        refuse_if_guessing_keys(request)
        if not raw_key or len(raw_key) > 200:
            count_bad_key(request)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        client = api_client_for_key(hash_api_key(raw_key))
        if client is None:
            count_bad_key(request)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return client, client

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no credentials are given.
        return self.keyword
