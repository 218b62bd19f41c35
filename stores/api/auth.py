from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from stores.selectors import channel_client_for_key
from stores.services import hash_api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: the request acts for the key's sales channel."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, raw_key = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        raw_key = raw_key.strip()
        if not raw_key:
            raise exceptions.AuthenticationFailed(_("Empty API key."))
        client = channel_client_for_key(hash_api_key(raw_key))
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return client, client

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no credentials are given.
        return self.keyword
