"""Writes for the outbox: create messages in the caller's transaction, send them once, retry with backoff (the
words of each message: notifications/rendering.py).

Sending claims a row with one conditional UPDATE (pending and due → sending), so two workers, or a worker
and the sweep, never send the same row twice. A worker that dies leaves the row in `sending`; the sweep
takes it back after OUTBOX_SENDING_TIMEOUT_SECONDS.
"""

import logging
import time as time_module
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.backends import PermanentDeliveryError, TemporaryDeliveryError, email_backend, sms_backend
from notifications.messages import (
    ORDER_MESSAGES,
    RESERVATION_MESSAGES,
    RETURN_MESSAGES,
)
from notifications.models import Notification
from notifications.rendering import render_notification
from notifications.signals import notification_failed
from omnichannel.jobs import enqueue
from omnichannel.localtime import after_quiet_hours
from omnichannel.shared_cache import CACHE_UNREACHABLE, cache_unreachable
from orders.events import OrderEventType as E
from orders.events import ReturnEventType as RT
from orders.models import (
    Fulfillment,
    NotifyBy,
    Order,
    OrderEvent,
    Reservation,
)
from stores.selectors import network_snapshot

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def queue_for_order_event(*, event) -> list[Notification]:
    """Queue the customer's messages for an order event (email always, SMS when there is a phone), to the contact
    details given with the order. Runs inside the transaction that wrote the event (no event, no message; no
    message lost) and reads nothing: the words are rendered when the message is sent (`render_notification`),
    never while the change that caused it holds its locks."""
    if event.type not in ORDER_MESSAGES:
        return []
    order = event.order  # the order the event was written with
    tz_name = _tz_name(event.fulfillment.source_location_id) if event.fulfillment_id else settings.TIME_ZONE
    return _queue(
        event_type=event.type,
        contact=order,
        tz_name=tz_name,
        links={"order": order, "order_event": event},
        fact=order_fact(event),
    )


# Facts that happen once per order, or once per parcel: their messages are written once whatever the concurrency.
# (The order's placement needs no rule: its order row is new.)
ONCE_PER_ORDER = {E.ORDER_CANCELLED}
ONCE_PER_PARCEL = {E.SHIPPED, E.DELIVERED, E.READY_FOR_PICKUP, E.COLLECTED, E.NOT_COLLECTED}


def order_fact(event) -> str:
    """The fact an order event's messages tell ("" for facts that may rightly happen again, each its own event)."""
    if event.type in ONCE_PER_ORDER:
        return f"order:{event.order_id}:{event.type}"
    if event.type in ONCE_PER_PARCEL and event.fulfillment_id:
        return f"fulfillment:{event.fulfillment_id}:{event.type}"
    return ""


def queue_for_reservation_event(*, event) -> list[Notification]:
    """The customer's messages for a reservation event (confirmed, reminder, expired, cancelled, …), queued in the
    event's transaction like the order messages and rendered when sent."""
    event_type = f"reservation_{event.type}"
    if event_type not in RESERVATION_MESSAGES:
        return []
    reservation = event.reservation
    return _queue(
        event_type=event_type,
        contact=reservation,
        tz_name=_tz_name(reservation.location_id),
        links={"reservation": reservation, "reservation_event": event},
    )


def queue_for_return_event(*, event) -> list[Notification]:
    """The customer's messages for a return event (started with instructions, received, refunded with the amount,
    exchange ordered, cancelled), queued in the event's transaction and rendered when sent. A refund of nothing
    (the value went to an exchange) says nothing: the exchange's message does."""
    event_type = f"return_{event.type}"
    if event_type not in RETURN_MESSAGES:
        return []
    if event.type == RT.REFUNDED and not Decimal(event.data.get("amount") or "0"):
        return []
    return_request = event.return_request
    return _queue(
        event_type=event_type,
        contact=return_request,
        tz_name=_tz_name(return_request.location_id),
        links={"return_request": return_request, "return_event": event},
    )


def _tz_name(location_id: int) -> str:
    point = network_snapshot().locations.get(location_id)
    return point.tz_name if point is not None else settings.TIME_ZONE


def _queue(*, event_type: str, contact, tz_name: str, links: dict, fact: str = "") -> list[Notification]:
    """Email and/or SMS rows for one event, to the contact details given with the order or reservation
    (`contact`, never the shared customer record, which another channel may not change), as the customer wants
    them. SMS never leaves at night (`tz_name`); email goes at once. One INSERT; one task after commit."""
    now = timezone.now()
    locale = contact.contact_locale or settings.LANGUAGE_CODE
    common = {"event": event_type, "customer_id": contact.customer_id, "locale": locale, "fact": fact, **links}
    # SMS needs a phone number; a customer who asked for SMS only but has none still gets the email.
    wants_sms = bool(contact.contact_phone) and contact.notify_by != NotifyBy.EMAIL
    rows = []
    if contact.notify_by != NotifyBy.SMS or not wants_sms:
        rows.append(
            Notification(**common, channel=Notification.Channel.EMAIL, recipient=contact.contact_email, send_after=now)
        )
    if wants_sms:
        rows.append(
            Notification(
                **common,
                channel=Notification.Channel.SMS,
                recipient=contact.contact_phone,
                send_after=after_quiet_hours(now, tz_name),
            )
        )
    if fact:
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
        except IntegrityError as error:
            if "notification_once_per_fact" not in str(error):
                raise
            return []  # this fact's messages are already written (a concurrent request told it first)
    else:
        created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.send_after <= now]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    """One task for the messages of one change (an order's email and SMS), not one per message."""
    enqueue("notifications.tasks.send_notifications", ids)


def claim(pk: int, *, now=None) -> Notification | None:
    """pending and due → sending, in one conditional UPDATE: the caller that wins sends; others get None."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=pk, status=Notification.Status.PENDING, send_after__lte=now).update(
        status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    return Notification.objects.get(pk=pk) if claimed else None


def claim_batch(*, limit: int, now=None) -> list[Notification]:
    """Up to `limit` due rows → sending, skipping rows another sweep is claiming (SKIP LOCKED): two sweeps at
    once take disjoint batches instead of racing for the same rows."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(status=Notification.Status.PENDING, send_after__lte=now)
            .order_by("send_after", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(
            status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    return list(Notification.objects.filter(pk__in=ids).order_by("send_after", "id"))


def send_notification(pk: int) -> str:
    """Send one message if it is due and nobody else is sending it. Returns what happened."""
    notification = claim(pk)
    if notification is None:
        return "skipped"
    return deliver(notification)


# Messages about something waiting for the customer: once the wait is over they would mislead (a pickup code
# at 08:00 for an order collected last night), so a queued one is dropped instead of sent.
WHILE_PICKUP_WAITS = {
    E.READY_FOR_PICKUP,
    E.PICKUP_REMINDER,
    E.PICKUP_CODE_RENEWED,
    E.PICKUP_EXTENDED,
    E.PICKUP_CODE_RESENT,
}
WHILE_RESERVATION_HELD = {"reservation_held", "reservation_reminder", "reservation_extended"}


def no_longer_true(notification: Notification) -> str:
    """Why the message's fact is over ("" while it still holds): one read, only for the messages above."""
    if notification.event in WHILE_PICKUP_WAITS and notification.order_event_id:
        status = (
            OrderEvent.objects.filter(pk=notification.order_event_id)
            .values_list("fulfillment__status", flat=True)
            .first()
        )
        if status is not None and status != Fulfillment.Status.READY_FOR_PICKUP:
            return f"the pickup is {status}"
    if notification.event in WHILE_RESERVATION_HELD and notification.reservation_id:
        status = Reservation.objects.filter(pk=notification.reservation_id).values_list("status", flat=True).first()
        if status is not None and status != Reservation.Status.HELD:
            return f"the reservation is {status}"
    return ""


def deliver(notification: Notification) -> str:
    """Render a claimed (`sending`) row's words, hand it to its provider and record the outcome; a message whose
    fact is over is dropped, not sent."""
    over = no_longer_true(notification)
    if over:
        Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
            status=Notification.Status.DROPPED, last_error=f"not sent: {over}"[:500], updated_at=timezone.now()
        )
        return "dropped"
    try:
        render_notification(notification)
    except Exception as exc:  # a rendering bug must not lose the message: it waits for the next attempt
        logger.exception("notification %s could not be rendered", notification.pk)
        _retry_later(notification, f"rendering failed: {exc}")
        return "retry"
    try:
        if notification.channel == Notification.Channel.EMAIL:
            provider_id = email_backend().send(notification)
        else:
            provider_id = sms_backend().send(notification)
    except PermanentDeliveryError as exc:
        _mark_failed(notification, str(exc))
        return "failed"
    except TemporaryDeliveryError as exc:
        _retry_later(notification, str(exc))
        return "retry"
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id or "",
        last_error="",
        updated_at=timezone.now(),
    )
    return "sent"


def _retry_later(notification: Notification, error: str) -> None:
    if notification.attempts >= MAX_ATTEMPTS:
        _mark_failed(notification, f"gave up after {notification.attempts} attempts: {error}")
        return
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.PENDING,
        send_after=timezone.now() + backoff(notification.attempts),
        last_error=error[:500],
        updated_at=timezone.now(),
    )


@transaction.atomic
def _mark_failed(notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED, last_error=error[:500], updated_at=timezone.now()
    )
    notification.refresh_from_db()
    logger.warning("notification %s failed for good: %s", notification.pk, error)
    notification_failed.send(sender=Notification, notification=notification)


def sweep(*, now=None, batch: int = 200, budget: timedelta = timedelta(seconds=45)) -> dict:
    """Scheduled job: give back rows a crashed worker left in `sending`, then send what is due, batch after
    batch, until nothing is due or the time budget (below the schedule period) is spent. Safe to run twice
    at once: batches are claimed with SKIP LOCKED, so concurrent sweeps share the work."""
    now = now or timezone.now()
    sending_timeout = timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    stale = Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=now - sending_timeout)
    taken_back = stale.update(status=Notification.Status.PENDING, updated_at=timezone.now())
    results = {"taken_back": taken_back, "sent": 0, "retry": 0, "failed": 0, "skipped": 0, "dropped": 0}
    deadline = time_module.monotonic() + budget.total_seconds()
    while time_module.monotonic() < deadline:
        claimed = claim_batch(limit=batch, now=now)
        if not claimed:
            break
        for notification in claimed:
            results[deliver(notification)] += 1
    return results


def mark_delivery_status(*, provider_message_id: str, status: str, error_code: str = "") -> int:
    """A provider's delivery report (Twilio status callback): delivered, or failed for good."""
    rows = Notification.objects.filter(provider_message_id=provider_message_id).filter(
        Q(status=Notification.Status.SENT) | Q(status=Notification.Status.DELIVERED)
    )
    if status == "delivered":
        return rows.update(status=Notification.Status.DELIVERED, delivered_at=timezone.now(), updated_at=timezone.now())
    if status in ("failed", "undelivered"):
        updated = 0
        for notification in rows:
            _mark_failed(notification, f"provider reported {status} {error_code}".strip())
            updated += 1
        return updated
    return 0


def record_tracking_page_view(*, order: Order, now=None) -> None:
    """Count the hour in which the customer opened the tracking page: the shared cache lets only the first view
    of each hour through, and that one inserts (or finds) the hour's row. Reloads write nothing."""
    from django.core.cache import cache

    from notifications.models import TrackingPageView

    hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    try:
        first_this_hour = cache.add(f"tracking-visit:{order.pk}:{hour:%Y%m%d%H}", True, timeout=3600)
    except CACHE_UNREACHABLE as error:  # the insert ignores an hour already counted: only costlier, still right
        cache_unreachable("tracking page views", error)
        first_this_hour = True
    if first_this_hour:
        TrackingPageView.objects.bulk_create([TrackingPageView(order=order, at=hour)], ignore_conflicts=True)


@transaction.atomic
def resend_notification(*, notification: Notification | int, recipient: str = "") -> Notification:
    """Send a failed message again (to a corrected address or number): a new outbox row with the same words,
    so the failed one stays as it happened."""
    failed = render_notification(Notification.objects.get(pk=getattr(notification, "pk", notification)))
    now = timezone.now()
    copy = Notification.objects.create(
        event=failed.event,
        channel=failed.channel,
        order=failed.order,
        reservation=failed.reservation,
        customer=failed.customer,
        recipient=recipient or failed.recipient,
        locale=failed.locale,
        subject_text=failed.subject_text,
        text=failed.text,
        html=failed.html,
        rendered_at=timezone.now(),
        # An SMS sent again still never leaves at night (the brand's clock).
        send_after=after_quiet_hours(now, settings.TIME_ZONE) if failed.channel == "sms" else now,
    )
    if copy.send_after <= now:
        transaction.on_commit(lambda: _enqueue([copy.pk]))
    return copy
