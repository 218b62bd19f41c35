"""Input serializers that refuse what they do not know."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInput(serializers.Serializer):
    """A request body's fields, and no others: an unknown field (a typo, or a field this version does not have)
    is a 400 naming it, instead of being silently dropped. Nested inputs refuse theirs the same way."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
