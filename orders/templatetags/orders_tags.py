from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orders.events import OrderEventType, ReservationEventType, ReturnEventType
from orders.fulfillment import sourcing
from orders.fulfillment.missing import LOST_REASONS

register = template.Library()

# The words of each order event type (staff pages, the console): the enumeration's labels.
EVENT_LABELS = dict(OrderEventType.choices)

# The reasons the system itself writes on a timeline (people's typed reasons are shown as they wrote them).
SYSTEM_REASONS = {
    **LOST_REASONS,
    "every item missing": _("every item missing"),
    "nothing left to fulfil": _("nothing left to fulfil"),
    "not collected": _("not collected"),
    "marked by the store": _("marked by the store"),
    "pickup window passed": _("the pickup window passed"),
    "no show": _("no show"),
    "phone order": _("phone order"),
    "phone reservation": _("phone reservation"),
    "customer asked": _("the customer asked"),
    "overdue, kept by customer": _("overdue: the customer kept the items"),
    "till_oversold": _("the till sold more than the books had"),
}


@register.filter
def event_reason(reason: str) -> str:
    """An event's reason in the page's language when the system wrote it; a person's words as they are."""
    return SYSTEM_REASONS.get(reason, reason)


@register.filter
def sourcing_reason(entry: dict) -> str:
    return sourcing.reason_words(entry)


@register.filter
def event_label(event_type: str) -> str:
    """The timeline's wording for an event type (the type itself when it has none yet)."""
    return EVENT_LABELS.get(event_type, event_type)


RESERVATION_EVENT_LABELS = dict(ReservationEventType.choices)


@register.filter
def reservation_event_label(event_type: str) -> str:
    return RESERVATION_EVENT_LABELS.get(event_type, event_type)


@register.filter
def percent(rate) -> str:
    """0.625 → "63%"; None (nothing closed yet) → "–"."""
    return "–" if rate is None else f"{round(rate * 100)}%"


@register.filter
def duration_short(value) -> str:
    """A timedelta as staff read it: "1 d 4 h", "5 h 20 min", "12 min"; None → "–"."""
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


RETURN_EVENT_LABELS = dict(ReturnEventType.choices)


@register.filter
def return_event_label(event_type: str) -> str:
    return RETURN_EVENT_LABELS.get(event_type, event_type)


@register.filter
def return_reason_label(reason) -> str:
    """A return reason in the page's language."""
    return reason.name_for(get_language()) if reason is not None else ""
