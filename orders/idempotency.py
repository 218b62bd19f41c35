"""`Idempotency-Key` for creating POSTs: a retry gets the first response (same status, same body); the same
key with another body is a 422; concurrent requests with one key create one thing.

The key is claimed with one `INSERT … ON CONFLICT DO NOTHING` in the work's own transaction, and the response
written by one UPDATE before it commits: no savepoint, no extra read. A concurrent request with the same key waits
on the unique index until the first commits, then finds the record and replays its response. A refusal (a
`DomainError`) rolls the work and the claim back; it is then recorded in a transaction of its own, so a retry
gets the same answer.
"""

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from omnichannel.api.errors import exception_handler
from omnichannel.errors import DomainError, InvalidInput, Retryable
from orders.errors import IdempotencyKeyReused
from orders.models import IdempotencyRecord


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(owner: dict, key: str, digest: str, *, status=None, body=None) -> int | None:
    """Insert the key's record unless one exists (then None). One statement; it waits for a concurrent claim of
    the same key to commit or roll back."""
    table = IdempotencyRecord._meta.db_table
    owner_column, owner_id = next(iter(owner.items()))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({owner_column}, key, request_hash, response_status, response_body, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [owner_id, key, digest, status, json.dumps(body) if body is not None else None, timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _replay(owner: dict, key: str, digest: str) -> Response:
    record = IdempotencyRecord.objects.get(**owner, key=key)
    if record.request_hash != digest:
        raise IdempotencyKeyReused(details={"idempotency_key": key})
    return Response(record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"})


def idempotent(request, *, create, channel_id: int | None = None, location_id: int | None = None) -> Response:
    """Run `create()` (returns a Response) at most once per (channel or location, Idempotency-Key)."""
    owner = {"channel_id": channel_id} if channel_id is not None else {"location_id": location_id}
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return create()
    if len(key) > 120:
        raise InvalidInput("Idempotency-Key is at most 120 characters.", details={"idempotency_key": len(key)})
    digest = _request_hash(request)
    try:
        with transaction.atomic():
            claimed = _claim(owner, key, digest)
            if claimed is None:
                return _replay(owner, key, digest)
            response = create()
            IdempotencyRecord.objects.filter(pk=claimed).update(
                response_status=response.status_code, response_body=json.loads(json.dumps(response.data, default=str))
            )
            return response
    except Retryable:
        raise  # not an answer yet: the request is run again from the top (retry_once_on_lock_conflict)
    except IdempotencyKeyReused:
        raise
    except DomainError as exc:
        # Refusals are answers too: the work rolled back with the claim; record the refusal on its own.
        response = exception_handler(exc, {})
        body = json.loads(json.dumps(response.data, default=str))
        with transaction.atomic():
            if _claim(owner, key, digest, status=response.status_code, body=body) is None:
                return _replay(owner, key, digest)  # a concurrent request with this key answered first
        return response


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retries with the same key get the first response; the same key with another body is a 422.",
)
