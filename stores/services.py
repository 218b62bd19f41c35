"""Writes for the store network: API keys and store memberships."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from stores.models import ApiKey, Location, SalesChannel, StoreMembership

API_KEY_PREFIX = "oms"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def create_api_key(*, channel: SalesChannel, name: str = "") -> tuple[ApiKey, str]:
    """Create a key for `channel`; returns the row and the raw key, which is never stored nor shown again."""
    public = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}_{public}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        channel=channel, name=name, prefix=f"{API_KEY_PREFIX}_{public}", hashed_key=hash_api_key(raw_key)
    )
    return api_key, raw_key


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    from stores.selectors import forget_cached_api_keys

    # Now for this process, and again after commit so no request re-caches the key in between.
    forget_cached_api_keys()
    transaction.on_commit(forget_cached_api_keys)
    return api_key


@transaction.atomic
def add_store_member(*, user, location: Location, role: str = StoreMembership.Role.ASSOCIATE) -> StoreMembership:
    membership, _ = StoreMembership.objects.update_or_create(user=user, location=location, defaults={"role": role})
    return membership
