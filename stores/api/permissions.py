"""Which API keys an endpoint serves. Every API view names the key kinds it accepts (`api_key_kinds`); a view
that names none serves no key at all, so a new endpoint is closed until someone decides who may call it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from stores.models import ApiKey
from stores.selectors import ApiClient

K = ApiKey.Kind
# Head office reads across channels and changes nothing.
READ_ONLY_KINDS = frozenset({K.HEAD_OFFICE})


class ApiKeyScope(permissions.BasePermission):
    def has_permission(self, request, view):
        client = request.user
        if not isinstance(client, ApiClient):
            return False  # no key: DRF answers 401 with the WWW-Authenticate challenge
        kinds = getattr(view, "api_key_kinds", frozenset())
        if client.kind not in kinds:
            raise exceptions.PermissionDenied(_("A %(kind)s API key cannot use this endpoint.") % {"kind": client.kind})
        if client.kind in READ_ONLY_KINDS and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied(_("A %(kind)s API key only reads.") % {"kind": client.kind})
        return True
