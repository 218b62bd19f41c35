"""The API's JSON body parser: bounded in size and depth, so no body can reach a 500."""

import orjson
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def json_depth(value) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """orjson (which also refuses integers past 64 bits, NaN and nesting past 1 024), then a depth limit
    (`API_MAX_JSON_DEPTH`) and a size limit (`DATA_UPLOAD_MAX_MEMORY_SIZE`): every bad body is a 4xx."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(details_limit(limit))
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        if json_depth(data) > settings.API_MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("The body nests deeper than %(depth)s levels.") % {"depth": settings.API_MAX_JSON_DEPTH}
            )
        return data


def details_limit(limit: int) -> str:
    return _("The request body is larger than %(kb)s KB.") % {"kb": limit // 1024}
