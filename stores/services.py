"""Writes for the store network: API keys and store memberships."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from omnichannel.errors import InvalidInput
from stores.actors import actor_fields
from stores.models import ApiKey, AuditEntry, Location, SalesChannel, StoreMembership

API_KEY_PREFIX = "oms"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def create_api_key(
    *,
    kind: str = ApiKey.Kind.CHANNEL,
    channel: SalesChannel | None = None,
    location: Location | None = None,
    carrier: str = "",
    name: str = "",
) -> tuple[ApiKey, str]:
    """A new key of `kind` for its one owner (a channel, a location or a carrier; none for care and head office).
    Returns the row and the raw key, which is never stored nor shown again."""
    owners = {ApiKey.Kind.CHANNEL: channel, ApiKey.Kind.LOCATION: location, ApiKey.Kind.CARRIER: carrier or None}
    if kind not in ApiKey.Kind.values:
        raise InvalidInput(f"Unknown API key kind: {kind}", details={"kind": kind, "allowed": ApiKey.Kind.values})
    given = {k for k, owner in owners.items() if owner is not None}
    if given != ({kind} if kind in owners else set()):
        raise InvalidInput(
            f"A {kind} key needs {'its ' + kind if kind in owners else 'no owner'}.", details={"kind": kind}
        )
    public = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}_{public}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        kind=kind,
        channel=channel,
        location=location,
        carrier=carrier.strip().upper(),
        name=name,
        prefix=f"{API_KEY_PREFIX}_{public}",
        hashed_key=hash_api_key(raw_key),
    )
    return api_key, raw_key


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    """Revoked for every web process at once: the shared cache's key version moves on after commit, and each
    process re-reads a key it holds when the version it saw is not the current one."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    from stores.selectors import bump_api_key_version

    bump_api_key_version()
    transaction.on_commit(bump_api_key_version)
    return api_key


@transaction.atomic
def add_store_member(*, user, location: Location, role: str = StoreMembership.Role.ASSOCIATE) -> StoreMembership:
    membership, _ = StoreMembership.objects.update_or_create(user=user, location=location, defaults={"role": role})
    return membership


def audit(*, actor, action: str, target: str, before=None, after=None, reason: str = ""):
    """One row of the read-only audit log (stores.models.AuditEntry), in the caller's transaction."""
    return AuditEntry.objects.create(
        action=action, target=target[:80], before=before or {}, after=after or {}, reason=reason, **actor_fields(actor)
    )
