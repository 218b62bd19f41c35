"""Writes for the outbox: create messages in the caller's transaction, send them once, retry with backoff.

Sending claims a row with one conditional UPDATE (pending and due → sending), so two workers, or a worker
and the sweep, never send the same row twice. A worker that dies leaves the row in `sending`; the sweep
takes it back after OUTBOX_SENDING_TIMEOUT_SECONDS.
"""

import logging
import re
import time as time_module
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU
from notifications.backends import PermanentDeliveryError, TemporaryDeliveryError, email_backend, sms_backend
from notifications.messages import (
    MESSAGES,
    MONEY_BACK,
    ORDER_MESSAGES,
    RESERVATION_MESSAGES,
    RETURN_INSTRUCTIONS,
    RETURN_MESSAGES,
)
from notifications.models import MessageTemplate, Notification
from notifications.selectors import marketing_for, opening_hours
from notifications.signals import notification_failed
from omnichannel.formats import money
from omnichannel.links import public_url
from omnichannel.localtime import after_quiet_hours, long_date
from orders.models import (
    Fulfillment,
    FulfillmentMethod,
    NotifyBy,
    Order,
    OrderEvent,
    OrderLine,
    Reservation,
    ReservationEvent,
    ReservationLine,
    Return,
    ReturnEvent,
    ReturnLine,
)
from orders.services import fulfillment_store
from stores.models import Location
from stores.selectors import network_snapshot

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SHIPPING_EVENTS = {"shipped", "in_transit", "out_for_delivery"}
# Messages about a pickup waiting in store: they carry the store's opening hours.
PICKUP_EVENTS = {"ready_for_pickup", "pickup_reminder", "pickup_code_renewed", "pickup_code_resent", "pickup_extended"}


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def message_context(*, order: Order, data: dict, fulfillment: Fulfillment | None) -> dict:
    """Placeholders of the order messages, formatted in the active language (the caller activates the
    customer's) and, for dates, on the clock of the store where the customer collects."""
    collects = fulfillment is not None and fulfillment.method != FulfillmentMethod.HOME_DELIVERY
    # The store only where the customer goes (a home delivery's source is not theirs to visit).
    store = fulfillment_store(fulfillment) if collects else None
    deadline = fulfillment.pickup_deadline if fulfillment is not None else None
    if deadline is not None:
        deadline = deadline.astimezone(zoneinfo.ZoneInfo(store.tz_name))
    context = {
        "brand": settings.BRAND_NAME,
        "number": order.number,
        "total": money(order.total, order.currency),
        "tracking_url": public_url(f"/track/{order.tracking_token}/"),
        "refund": money(data.get("refund", "0.00"), order.currency),
        "money_back": money_back_words(data, order.currency),
        "carrier": (fulfillment.carrier if fulfillment else "") or "",
        "store": store.name if store else "",
        "store_address": f"{store.address}, {store.city}" if store else "",
        "pickup_code": (fulfillment.pickup_code if fulfillment else "") or "",
        "pickup_deadline": date_format(deadline, "SHORT_DATETIME_FORMAT") if deadline else "",
        "sku_name": _item_name(order, data.get("sku", "")),
        "substitute_name": _sku_name(data["substitute"]) if data.get("substitute") else "",
        "from_store": _store_name(data.get("from", "")),
        "where_missing": _where_missing(data.get("location", "")),
        "pay_when": _("you do not pay for it until you collect it.")
        if order.method != FulfillmentMethod.HOME_DELIVERY
        else _("you do not pay for it until it is sent."),
    }
    return context


def _where_missing(code: str) -> str:
    """Where an item was not found, as the customer may hear it: our warehouse, or our store in a city."""
    location = Location.objects.filter(code=code).only("kind", "city").first() if code else None
    if location is None:
        return str(_("where we were preparing it"))
    if location.kind == Location.Kind.WAREHOUSE:
        return str(_("in our warehouse"))
    return str(_("at our store in %(city)s")) % {"city": location.city}


def money_back_words(data: dict, currency: str) -> str:
    """ "Refund: 79.90 EUR" only for money that was charged; a release of the never-captured hold says so."""
    total = Decimal(data.get("refund") or "0")
    released = min(Decimal(data.get("released") or "0"), total)
    refunded = total - released
    if not total:
        return ""
    kind = "both" if released and refunded else "released" if released else "refunded"
    return str(MONEY_BACK[kind]) % {"refunded": money(refunded, currency), "released": money(released, currency)}


def _sku_name(code: str) -> str:
    """An item that is not (yet) on the order, named as the customer knows it (a proposed substitute)."""
    sku = SKU.objects.select_related("product").filter(code=code).first()
    return sku.customer_name if sku else code


def _store_name(code: str) -> str:
    if not code:
        return ""
    location = Location.objects.filter(code=code).only("name").first()
    return location.name if location else code


def _item_name(order: Order, sku_code: str) -> str:
    """The item as the customer knows it ("T-shirt girocollo (Nero, M)"), not its SKU code."""
    for line in order.lines.all():  # prefetched with their SKU and product
        if line.sku.code == sku_code:
            return line.sku.customer_name
    return sku_code


def _items(lines, *, sku=lambda line: line.sku, quantity=lambda line: line.quantity) -> list[dict]:
    """The email's item list; `sku`: where a line's SKU is (a return line's is on its order line); `quantity`: how
    many of the line to list (a line with none is left out)."""
    return [
        {"quantity": quantity(line), "name": sku(line).product.name, "colour": sku(line).colour, "size": sku(line).size}
        for line in lines
        if quantity(line) > 0
    ]


# Messages about one parcel of the order (sent again, from elsewhere, a substitute): the email lists that parcel.
PARCEL_MESSAGES = {"second_parcel", "completed_from_elsewhere", "pickup_delayed", "substitute_sent"}
# Messages about one missing item: the email lists it (for a proposal, the item proposed instead).
ITEM_MESSAGES = {"item_missing", "item_refunded", "substitute_proposed"}


def _event_items(order: Order, event: OrderEvent, fulfillment: Fulfillment | None) -> list[dict]:
    """What the email lists: the parcel or the item the message is about, else what the customer still gets."""
    if event.type in PARCEL_MESSAGES and fulfillment is not None:
        lines = fulfillment.lines.select_related("order_line__sku__product")
        return _items(lines, sku=lambda line: line.order_line.sku)
    if event.type in ITEM_MESSAGES:
        code = event.data.get("substitute") if event.type == "substitute_proposed" else event.data.get("sku")
        sku = next((line.sku for line in order.lines.all() if line.sku.code == code), None)
        sku = sku or SKU.objects.select_related("product").filter(code=code).first()
        quantity = int(event.data.get("quantity") or 0)
        return _items([sku], sku=lambda found: found, quantity=lambda _found: quantity) if sku else []
    return _items(order.lines.all(), quantity=_units_left)


def _units_left(line) -> int:
    """What the customer still gets of an order line: cancelled, refunded or replaced units are gone."""
    return line.quantity - line.quantity_cancelled - line.quantity_short_refunded - line.quantity_short_substituted


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
ONCE_PER_ORDER = {"order_cancelled"}
ONCE_PER_PARCEL = {"shipped", "delivered", "ready_for_pickup", "collected", "not_collected"}


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
    if event.type == "refunded" and not Decimal(event.data.get("amount") or "0"):
        return []
    return_request = event.return_request
    return _queue(
        event_type=event_type,
        contact=return_request,
        tz_name=_tz_name(return_request.location_id),
        links={"return_request": return_request, "return_event": event},
    )


def return_context(*, return_request: Return, data: dict) -> dict:
    """Placeholders of the return messages, in the active language."""
    store, locker = return_request.location, return_request.drop_off
    in_store = return_request.how == Return.How.IN_STORE
    context = {
        "brand": settings.BRAND_NAME,
        "number": return_request.number,
        # The store only when the customer goes there (a courier return's warehouse is not for visitors).
        "store": store.name if in_store else "",
        "store_address": f"{store.address}, {store.city}" if in_store else "",
        "locker": f"{locker.name}, {locker.address}, {locker.city}" if locker else "",
        "label_text": (" " + str(_("with label %(label)s")) % {"label": return_request.label})
        if return_request.label
        else "",
        "return_url": public_url(f"/return/{return_request.token}/"),
        "refund": money(data.get("amount", "0.00"), return_request.channel.currency),
        "units": sum(line.get("received", 0) for line in data.get("lines", [])),
        "exchange_number": data.get("order", ""),
        "exchange_url": "",
    }
    if return_request.exchange_order_id:
        context["exchange_url"] = public_url(f"/track/{return_request.exchange_order.tracking_token}/")
    context["instructions"] = str(RETURN_INSTRUCTIONS[return_request.how]) % context
    return context


def reservation_context(*, reservation: Reservation) -> dict:
    """Placeholders of the reservation messages; dates on the store's clock, in the active language."""
    store = reservation.location
    return {
        "brand": settings.BRAND_NAME,
        "number": reservation.number,
        "store": store.name,
        "store_address": f"{store.address}, {store.city}",
        "reserved_until": long_date(reservation.expires_at, store.tz_name),
        "reservation_url": public_url(f"/reservation/{reservation.token}/"),
    }


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


def render_notification(notification: Notification, *, store: bool = True) -> Notification:
    """The message's words from the event that caused it, in the customer's language, stored when the worker sends
    it (`store=False`: on the object only, for someone reading a queued message). Rows without an event (written
    before) keep their words."""
    if notification.rendered_at is not None:
        return notification
    if notification.order_event_id:
        subject, text, html = _order_texts(notification)
    elif notification.reservation_event_id:
        subject, text, html = _reservation_texts(notification)
    elif notification.return_event_id:
        subject, text, html = _return_texts(notification)
    else:
        return notification
    notification.subject_text, notification.text, notification.html = subject[:200], text, html
    if not store:
        return notification
    notification.rendered_at = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        subject_text=notification.subject_text, text=text, html=html, rendered_at=notification.rendered_at
    )
    return notification


def _order_texts(notification: Notification) -> tuple[str, str, str]:
    event = OrderEvent.objects.get(pk=notification.order_event_id)
    # The email lists the lines: fetched with their SKU and product in one query, whatever their number.
    order = (
        Order.objects.select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product")))
        .get(pk=event.order_id)
    )
    fulfillment = (
        Fulfillment.objects.select_related("source_location", "pickup_location").get(pk=event.fulfillment_id)
        if event.fulfillment_id
        else None
    )
    locale = notification.locale
    # In the customer's language whatever the request's (a staff member's English page writes Italian SMS).
    with translation.override(locale):
        context = message_context(order=order, data=event.data, fulfillment=fulfillment)
    email_extra = {"order": order, "items": _event_items(order, event, fulfillment), "reference_label": _("Order")}
    if fulfillment is not None and event.type in PICKUP_EVENTS:
        email_extra["store_hours"] = lambda: opening_hours(fulfillment_store(fulfillment))
    if event.type in SHIPPING_EVENTS:
        # The same rule as the tracking page: marketing only for customers who accepted it.
        email_extra["marketing"] = marketing_for(order=order, locale=locale)
    return _texts(notification, contact=order, context=context, email_extra=email_extra)


def _reservation_texts(notification: Notification) -> tuple[str, str, str]:
    event = ReservationEvent.objects.get(pk=notification.reservation_event_id)
    reservation = (
        Reservation.objects.select_related("customer", "location")
        .prefetch_related(Prefetch("lines", queryset=ReservationLine.objects.select_related("sku__product")))
        .get(pk=event.reservation_id)
    )
    store = reservation.location
    with translation.override(notification.locale):
        context = reservation_context(reservation=reservation)
    email_extra = {
        "items": _items(reservation.lines.all()),
        "reference_label": _("Reservation"),
        "reservation": reservation,
    }
    if event.type in ("held", "reminder", "extended"):
        email_extra["store_hours"] = lambda: opening_hours(store)
    return _texts(notification, contact=reservation, context=context, email_extra=email_extra)


def _return_texts(notification: Notification) -> tuple[str, str, str]:
    event = ReturnEvent.objects.get(pk=notification.return_event_id)
    return_request = (
        Return.objects.select_related("channel", "location", "drop_off", "exchange_order")
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line__sku__product")))
        .get(pk=event.return_request_id)
    )
    with translation.override(notification.locale):
        context = return_context(return_request=return_request, data=event.data)
    email_extra = {
        "items": _items(return_request.lines.all(), sku=lambda line: line.order_line.sku),
        "reference_label": _("Return"),
        "return_request": return_request,
    }
    if return_request.how == Return.How.IN_STORE and event.type == "requested":
        email_extra["store_hours"] = lambda: opening_hours(return_request.location)
    return _texts(notification, contact=return_request, context=context, email_extra=email_extra)


def _texts(notification: Notification, *, contact, context: dict, email_extra: dict) -> tuple[str, str, str]:
    """(subject, text, html) of one message: head office's wording where a template is active, the built-in
    text otherwise."""
    event_type, locale = notification.event, notification.locale
    subject_text, sms_text = MESSAGES[event_type]
    override = MessageTemplate.objects.filter(
        event=event_type, locale=locale, channel=notification.channel, active=True
    ).first()
    with translation.override(locale):
        subject = str(subject_text) % context
        sms = str(sms_text) % context
        if notification.channel == Notification.Channel.SMS:
            return "", override.render(context)[1] if override else sms, ""
        headline = email_headline(sms_text, context)
        if override is not None:
            override_subject, headline = override.render(context)
            subject = override_subject or subject
        # Callables (opening hours) are resolved here, so day names come out in the customer's language.
        extra = {key: value() if callable(value) else value for key, value in email_extra.items()}
        greeting = {"name": contact.contact_name, "email": contact.contact_email}
        email_context = {**context, **extra, "subject": subject, "headline": headline, "customer": greeting}
        return (
            subject,
            render_to_string("notifications/email/message.txt", email_context),
            render_to_string("notifications/email/message.html", email_context),
        )


LINK = "\u2063link\u2063"
LINK_AT_END = re.compile(r"(?:^|(?<=[.!?]) )([^.!?]*?):?\s*" + LINK + r"\s*$")


def email_headline(sms_text, context: dict) -> str:
    """The SMS's words as the email's headline, without what an email shows otherwise: the brand (its header)
    and the link with its call to action ("Follow it: https://…", its button). A longer sentence ending at the
    link keeps its words ("Write or call us and we explain why.")."""
    links = {key: LINK for key in context if key.endswith("_url")}
    text = str(sms_text) % {**context, **links}
    text = text.removeprefix(f"{context['brand']}: ")
    match = LINK_AT_END.search(text)
    if match:
        sentence = match.group(1).strip()
        rest = text[: match.start()].strip()
        text = f"{rest} {sentence}." if len(sentence.split()) > 4 or not rest else rest
    text = text.replace(LINK, "").strip()
    return text[:1].upper() + text[1:]


def _enqueue(ids: list[int]) -> None:
    """One task for the messages of one change (an order's email and SMS), not one per message."""
    from django_q.tasks import async_task

    async_task("notifications.tasks.send_notifications", ids)


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
    "ready_for_pickup",
    "pickup_reminder",
    "pickup_code_renewed",
    "pickup_extended",
    "pickup_code_resent",
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
    if cache.add(f"tracking-visit:{order.pk}:{hour:%Y%m%d%H}", True, timeout=3600):
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
