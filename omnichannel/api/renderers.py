import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON renderer with orjson doing the encoding (several times faster on large availability answers).

    Types orjson does not know (Decimal, lazy translations, ...) go through DRF's own encoder, so the output
    is the same JSON DRF would give (decimals as strings).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        # Non-string keys occur in DRF's own errors (list items by index); json.dumps accepts them too.
        return orjson.dumps(data, default=_fallback.default, option=orjson.OPT_NON_STR_KEYS)
