"""Channel webhooks (writes): events queued as deliveries in the transaction of their cause, and sent by the worker,
signed per the Standard Webhooks specification (`standardwebhooks`: `webhook-id`, `webhook-timestamp`,
`webhook-signature` "v1,<base64 HMAC-SHA256>", both secrets' signatures during a rotation).

A delivery is claimed by a conditional UPDATE (so two workers never send it at once, and a claim older than
WEBHOOK_CLAIM_TIMEOUT, a worker that died mid-send, is taken again with the same `webhook-id`); 2xx delivers it;
timeouts, connection errors, 429 and 5xx are retried with exponential backoff and jitter (a longer `Retry-After`
is honoured) up to WEBHOOK_MAX_ATTEMPTS; any other 4xx fails it at once; 410 also disables the endpoint.
Availability changes are pushed by a job that follows each endpoint's position in the availability feed: every
change within its run is coalesced per SKU (the last number wins) and flagged `sold_out` / `back_in_stock`.
"""

import ipaddress
import json
import random
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook

from inventory import feed
from notifications.webhook_models import EventType, WebhookDelivery, WebhookEndpoint
from omnichannel.jobs import enqueue
from stores.selectors import network_snapshot

D = WebhookDelivery.Status
# Names that never resolve to a real receiver (RFC 2606, RFC 6761): refused without a lookup (the offline demo).
RESERVED_TLDS = {"example", "test", "invalid"}


def queue_event(*, channel_id: int, event_type: str, data: dict) -> list[WebhookDelivery]:
    """A delivery per active endpoint of the channel subscribed to `event_type`, in the caller's transaction; the
    worker is asked to send them once it commits (the sweep sends them anyway if it is not)."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(channel_id=channel_id, active=True) if e.wants(event_type)]
    if not endpoints:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event_type=event_type, payload=_payload(event_type, data)) for e in endpoints]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _payload(event_type: str, data: dict) -> dict:
    return {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}


def _enqueue(ids: list[int]) -> None:
    for delivery_id in ids:
        enqueue("notifications.tasks.deliver_webhook", delivery_id)


def push_availability_changes() -> int:
    """Scheduled job: for each endpoint subscribed to `availability.changed`, the changes since its position in the
    feed, one delivery per SKU with its number now (changes within one run are coalesced), `sold_out` when it
    reaches 0 and `back_in_stock` when it leaves 0. The position moves in the same transaction as the deliveries,
    row locked, so two runs at once never push a change twice."""
    pushed = 0
    for endpoint_id in WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True):
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.select_for_update(skip_locked=True).filter(pk=endpoint_id).first()
            if endpoint is None or not endpoint.wants(EventType.AVAILABILITY_CHANGED):
                continue
            channel = network_snapshot().channels_by_id.get(endpoint.channel_id)
            if channel is None:
                continue
            position = feed.Position(endpoint.feed_txid, endpoint.feed_change_id)
            if position == feed.Position(0, 0):
                # A new subscription starts now: it is told of changes from here on, not the whole history.
                position = feed.horizon()
            results, position, _read = feed.changes_after(channel=channel, position=position)
            last = _last_numbers(endpoint, [entry["sku"] for entry in results])
            deliveries = []
            for entry in results:
                before = last.get(entry["sku"])
                data = {"channel": channel.code, **entry}
                if entry["channel_available"] == 0 and before != 0:
                    data["sold_out"] = True
                elif entry["channel_available"] > 0 and before == 0:
                    data["back_in_stock"] = True
                deliveries.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event_type=EventType.AVAILABILITY_CHANGED,
                        payload=_payload(EventType.AVAILABILITY_CHANGED, data),
                    )
                )
            created = WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
            endpoint.feed_txid, endpoint.feed_change_id = position.txid, position.change_id
            endpoint.save(update_fields=["feed_txid", "feed_change_id", "updated_at"])
            ids = [delivery.pk for delivery in created]
            transaction.on_commit(lambda ids=ids: _enqueue(ids))
            pushed += len(created)
    return pushed


def _last_numbers(endpoint: WebhookEndpoint, codes: list[str]) -> dict[str, int]:
    """The number last pushed to this endpoint for each of these SKUs (none: never pushed)."""
    if not codes:
        return {}
    found = {}
    rows = (
        WebhookDelivery.objects.filter(endpoint=endpoint, event_type=EventType.AVAILABILITY_CHANGED)
        .filter(payload__data__sku__in=codes)
        .order_by("payload__data__sku", "-id")
        .distinct("payload__data__sku")
        .values_list("payload", flat=True)
        if _postgresql()
        else WebhookDelivery.objects.filter(endpoint=endpoint, event_type=EventType.AVAILABILITY_CHANGED)
        .order_by("id")
        .values_list("payload", flat=True)
    )
    for payload in rows:
        sku = payload["data"]["sku"]
        if sku in codes:
            found[sku] = payload["data"]["channel_available"]
    return found


def _postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """The delivery, claimed for this worker, when it is due and nobody (alive) is sending it."""
    now = timezone.now()
    stale = now - settings.WEBHOOK_CLAIM_TIMEOUT
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=D.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def target_refused(url: str) -> str:
    """Why the URL may not be called ('' when it may): only http(s), and never a loopback, private, link-local or
    reserved address unless WEBHOOK_ALLOW_PRIVATE_TARGETS (a channel's URL must not reach our own network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    if parts.hostname.rsplit(".", 1)[-1] in RESERVED_TLDS:
        return f"{parts.hostname} is a reserved name (RFC 2606): nothing answers there"
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        return ""  # unresolvable now: the request fails and is retried
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return f"{address} is not a public address"
    return ""


def _signature(endpoint: WebhookEndpoint, webhook_id: str, moment, body: bytes) -> str:
    secrets = [endpoint.secret] + ([endpoint.previous_secret] if endpoint.previous_secret else [])
    return " ".join(Webhook(secret).sign(msg_id=webhook_id, timestamp=moment, data=body) for secret in secrets)


def deliver(delivery_id: int) -> str | None:
    """Send one due delivery (claimed first); its new status, or None when it was not ours to send."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    delivery.attempts += 1
    refused = target_refused(endpoint.url)
    if refused:
        return _finish(delivery, status=D.FAILED, error=f"target refused: {refused}")
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    moment = timezone.now()
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": _signature(endpoint, delivery.webhook_id, moment, body),
        "user-agent": "omnichannel-oms-webhooks/1",
    }
    try:
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as exc:
        return _retry_or_fail(delivery, status_code=None, error=f"{type(exc).__name__}: {exc}"[:300])
    code = response.status_code
    if 200 <= code < 300:
        return _finish(delivery, status=D.DELIVERED, status_code=code)
    if code == 410:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False, disabled_reason="410 Gone: the endpoint asked to stop", updated_at=timezone.now()
        )
        return _finish(delivery, status=D.FAILED, status_code=code, error="410 Gone: endpoint disabled")
    if code == 429 or code >= 500:
        return _retry_or_fail(delivery, status_code=code, error=f"HTTP {code}", retry_after=_retry_after(response))
    return _finish(delivery, status=D.FAILED, status_code=code, error=f"HTTP {code}: not retried")


def _retry_after(response) -> int | None:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None


def _retry_or_fail(delivery: WebhookDelivery, *, status_code, error: str, retry_after: int | None = None) -> str:
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return _finish(delivery, status=D.FAILED, status_code=status_code, error=f"{error} (gave up)")
    # Exponential backoff with jitter, so endpoints coming back are not hit by every retry at once.
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    wait = min(base, 3600) * random.uniform(1.0, 1.25)
    if retry_after is not None:
        wait = max(wait, min(retry_after, 6 * 3600))
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
    return _finish(delivery, status=D.PENDING, status_code=status_code, error=error)


def _finish(delivery: WebhookDelivery, *, status: str, status_code=None, error: str = "") -> str:
    now = timezone.now()
    delivery.status, delivery.last_status_code, delivery.last_error = status, status_code, error[:300]
    delivery.claimed_at = None
    if status == D.DELIVERED:
        delivery.delivered_at = now
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "last_status_code",
            "last_error",
            "delivered_at",
        ]
    )
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if status == D.DELIVERED:
        endpoint.exclude(failing_since=None).update(failing_since=None)
    else:
        endpoint.filter(failing_since=None).update(failing_since=now)
    return status


def sweep_webhooks(*, limit: int = 500) -> int:
    """Scheduled job: send what is due (retries, deliveries a dead worker left claimed, ones whose task was lost)."""
    now = timezone.now()
    stale = now - settings.WEBHOOK_CLAIM_TIMEOUT
    due = list(
        WebhookDelivery.objects.filter(status=D.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for delivery_id in due if deliver(delivery_id) is not None)


def send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Head office's "send again" from the delivery log: the same message (same `webhook-id`), due now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=D.PENDING, next_attempt_at=timezone.now(), claimed_at=None
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def failing_for_a_day():
    """Endpoints failing for a day or more: what head office is shown."""
    return WebhookEndpoint.objects.filter(failing_since__lte=timezone.now() - timedelta(days=1))
