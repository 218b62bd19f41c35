"""The words of a customer message, in the customer's language on the store's clock: the placeholders of each
kind of message (order, reservation, return), the email's headline and item list, and `render_notification`, which
the worker calls when it sends (reading a queued message renders it on the object only)."""

import re
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU
from notifications.messages import (
    MESSAGES,
    MONEY_BACK,
    RETURN_INSTRUCTIONS,
)
from notifications.models import MessageTemplate, Notification
from notifications.selectors import marketing_for, opening_hours
from omnichannel.formats import money
from omnichannel.links import public_url
from omnichannel.localtime import long_date
from orders.events import OrderEventType as E
from orders.events import ReservationEventType as RE
from orders.events import ReturnEventType as RT
from orders.models import (
    Fulfillment,
    FulfillmentMethod,
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

SHIPPING_EVENTS = {E.SHIPPED, E.IN_TRANSIT, E.OUT_FOR_DELIVERY}


# Messages about a pickup waiting in store: they carry the store's opening hours.
PICKUP_EVENTS = {E.READY_FOR_PICKUP, E.PICKUP_REMINDER, E.PICKUP_CODE_RENEWED, E.PICKUP_CODE_RESENT, E.PICKUP_EXTENDED}


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
PARCEL_MESSAGES = {E.SECOND_PARCEL, E.COMPLETED_FROM_ELSEWHERE, E.PICKUP_DELAYED, E.SUBSTITUTE_SENT}


# Messages about one missing item: the email lists it (for a proposal, the item proposed instead).
ITEM_MESSAGES = {E.ITEM_MISSING, E.ITEM_REFUNDED, E.SUBSTITUTE_PROPOSED}


def _event_items(order: Order, event: OrderEvent, fulfillment: Fulfillment | None) -> list[dict]:
    """What the email lists: the parcel or the item the message is about, else what the customer still gets."""
    if event.type in PARCEL_MESSAGES and fulfillment is not None:
        lines = fulfillment.lines.select_related("order_line__sku__product")
        return _items(lines, sku=lambda line: line.order_line.sku)
    if event.type in ITEM_MESSAGES:
        code = event.data.get("substitute") if event.type == E.SUBSTITUTE_PROPOSED else event.data.get("sku")
        sku = next((line.sku for line in order.lines.all() if line.sku.code == code), None)
        sku = sku or SKU.objects.select_related("product").filter(code=code).first()
        quantity = int(event.data.get("quantity") or 0)
        return _items([sku], sku=lambda found: found, quantity=lambda _found: quantity) if sku else []
    return _items(order.lines.all(), quantity=_units_left)


def _units_left(line) -> int:
    """What the customer still gets of an order line: cancelled, refunded or replaced units are gone."""
    return line.quantity - line.quantity_cancelled - line.quantity_short_refunded - line.quantity_short_substituted


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
    if event.type in (RE.HELD, RE.REMINDER, RE.EXTENDED):
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
    if return_request.how == Return.How.IN_STORE and event.type == RT.REQUESTED:
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
