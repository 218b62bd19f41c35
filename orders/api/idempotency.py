"""`Idempotency-Key` for creating POSTs: a retry gets the first response (same status, same body); the same
key with another body is a 422; concurrent requests with one key create one thing.

The key's record is inserted before the work, in the same transaction: a concurrent request with the same key
blocks on the unique index until the first commits, then finds the record and replays its response.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from omnichannel.api.errors import exception_handler
from omnichannel.errors import DomainError, InvalidInput
from orders.errors import IdempotencyKeyReused
from orders.models import IdempotencyRecord


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request, *, create, channel_id: int | None = None, location_id: int | None = None) -> Response:
    """Run `create()` (returns a Response) at most once per (channel or location, Idempotency-Key)."""
    owner = {"channel_id": channel_id} if channel_id is not None else {"location_id": location_id}
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return create()
    if len(key) > 120:
        raise InvalidInput("Idempotency-Key is at most 120 characters.", details={"idempotency_key": len(key)})
    digest = _request_hash(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(**owner, key=key, request_hash=digest)
        except IntegrityError:
            record = IdempotencyRecord.objects.select_for_update(no_key=True).get(**owner, key=key)
            if record.request_hash != digest:
                raise IdempotencyKeyReused(details={"idempotency_key": key}) from None
            return Response(
                record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"}
            )
        try:
            with transaction.atomic():
                response = create()
        except DomainError as exc:
            # Refusals are answers too: a retry gets the same one (the record commits, the work does not).
            response = exception_handler(exc, {})
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, default=str))
        record.save(update_fields=["response_status", "response_body"])
        return response
