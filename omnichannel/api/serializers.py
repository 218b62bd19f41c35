"""Input serializers that refuse what they do not know; validating and representing with serializers whose fields
are built once per thread."""

import threading
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from omnichannel.errors import InvalidInput


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


_built = threading.local()


def _built_once(serializer_class) -> serializers.Serializer:
    """This thread's instance of `serializer_class`, its fields (and its nested serializers' fields) built on first
    use. DRF builds every field of a serializer anew for each instance (a deep copy of the declarations), which
    cost more CPU than validating an order or writing its answer. Validating and representing only read the
    fields, and a thread runs one at a time, so one instance per thread serves every request."""
    instances = _built.__dict__.setdefault("instances", {})
    serializer = instances.get(serializer_class)
    if serializer is None:
        serializer = instances[serializer_class] = serializer_class()
    return serializer


def validated(serializer_class, data) -> dict:
    """The request body `data` as `serializer_class` validates it; a 400 with every problem when it does not."""
    try:
        return _built_once(serializer_class).run_validation(data)
    except serializers.ValidationError:
        pass
    # Refused: validated again the ordinary way, so the 400 is worded exactly as DRF words it.
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def represent(serializer_class, instance, **context) -> dict:
    """`serializer_class(instance, context=context).data`, from this thread's instance of the serializer."""
    serializer = _built_once(serializer_class)
    serializer._context = context
    try:
        return serializer.to_representation(instance)
    finally:
        serializer._context = {}  # the request is not kept past its answer


def choice_param(request, name: str, allowed: list) -> str:
    """A query parameter that must be one of `allowed` ("" when absent): anything else is a 400 naming the choices."""
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise InvalidInput(f"Unknown {name}: {value}", details={name: value, "allowed": allowed})
    return value
