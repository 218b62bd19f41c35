"""Input serializers that refuse what they do not know."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInput(serializers.Serializer):
    """A request body's fields, and no others: an unknown field (a typo, or a field this version does not have)
    is a 400 naming it, instead of being silently dropped. Nested inputs refuse theirs the same way."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {str(name): [_("Unknown field.")] for name in sorted(set(data) - set(self.fields), key=str)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Every problem at once: the unknown names beside the known fields' own errors.
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
