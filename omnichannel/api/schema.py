"""The OpenAPI schema tells the whole truth: every operation's error answers, in the one error shape, and the
paginated list shapes (drf-spectacular documents an APIView's list as a bare array otherwise)."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, e.g. `insufficient_stock`"},
                "message": {"type": "string", "description": "For people"},
                "details": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
ERRORS = {
    "400": "Invalid input: `details.fields` names each field and what is wrong with it",
    "401": "No API key, or an unknown or revoked one",
    "403": "This key's kind or owner may not do this",
    "404": "Not found (or not this key's to see)",
    "409": "Conflicts with the current state (stock, or a state the transition table does not allow)",
    "413": "The request body is too large",
    "415": "The body is not JSON",
    "422": "A business rule refused it (`code` says which)",
    "429": "Rate limit: retry after `Retry-After` seconds",
}
READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = tuple(ERRORS)


def document_error_answers(result, generator, request, public):
    """drf-spectacular post-processing hook: the error shape as component `Error`, answered by every operation
    for each status it can give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in READ_ERRORS if method == "get" else WRITE_ERRORS:
                answer = {"description": ERRORS[status], "content": reference}
                if status == "429":
                    answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}}
                operation["responses"].setdefault(status, answer)
    return result


def paginated(serializer_class, name: str):
    """The cursor page around a list: `next` / `previous` links (null at the ends) and `results`."""
    return inline_serializer(
        name,
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
