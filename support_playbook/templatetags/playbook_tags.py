import json

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.templatetags.orders_tags import EVENT_LABELS, RESERVATION_EVENT_LABELS, RETURN_EVENT_LABELS
from support_playbook.models import Case
from support_playbook.scenarios import SCENARIOS

register = template.Library()

CASE_EVENT_LABELS = {
    "opened": _("Case opened"),
    "repeated": _("The incident was reported again"),
    "open": _("Back to customer care"),
    "waiting_store": _("Waiting for the store"),
    "waiting_customer": _("Waiting for the customer"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "note": _("Note"),
    "assigned": _("Taken"),
    "resource_line": _("Sent from another location"),
    "refund_line": _("Missing items refunded"),
    "propose_substitute": _("Substitute proposed"),
    "accept_substitute": _("Substitute sent"),
    "declare_lost": _("Parcel declared lost"),
    "ask_store_check": _("Store asked to look for the parcel"),
    "ask_put_back": _("Store asked to put the items back"),
    "send_courtesy_message": _("Courtesy message sent"),
    "skip_courtesy_message": _("No courtesy message"),
    "fix_contact": _("Contact corrected and message sent again"),
    "resend": _("Message sent again"),
    "accept_count": _("Count accepted"),
    "recount_again": _("Store asked to count again"),
    "task_done": _("Store task done"),
    "task_cannot_do": _("Store task could not be done"),
    "default_applied": _("Default resolution applied (nobody decided in time)"),
    "default_failed": _("Default resolution failed"),
    "settled": _("Over by itself: the order is whole again"),
}


@register.filter
def case_event_label(event_type: str) -> str:
    return CASE_EVENT_LABELS.get(event_type, event_type)


@register.filter
def message_kind(event: str) -> str:
    """What a customer message was about, in the staff's language (a message's kind is the event it tells)."""
    for prefix, labels in (("reservation_", RESERVATION_EVENT_LABELS), ("return_", RETURN_EVENT_LABELS)):
        if event.startswith(prefix) and event.removeprefix(prefix) in labels:
            return labels[event.removeprefix(prefix)]
    return EVENT_LABELS.get(event, event)


@register.filter
def case_resolution(case: Case) -> str:
    """How a case ended, in words: the title of its scenario's resolution, else what closed it."""
    scenario = SCENARIOS.get(case.scenario)
    titles = {r.action: r.title for r in scenario.resolutions} if scenario else {}
    titles |= {m.action: m.label for m in scenario.manual_actions} if scenario else {}
    return titles.get(case.resolution) or CASE_EVENT_LABELS.get(case.resolution, case.resolution)


@register.filter
def reference_link(reference: str):
    """A ledger reference as care opens it: "order:BR-…" links to the order's console page; others as written."""
    kind, _sep, number = (reference or "").partition(":")
    if kind == "order" and number:
        try:
            return format_html('<a href="{}">{}</a>', reverse("care:order", kwargs={"number": number}), number)
        except NoReverseMatch:
            pass  # not an order number: shown as written
    return reference


@register.filter
def consent_source(source: str) -> str:
    """Where a marketing consent was given: "channel:web" reads as the channel's name."""
    from stores.models import SalesChannel

    code = source.removeprefix("channel:")
    name = SalesChannel.objects.filter(code=code).values_list("name", flat=True).first()
    return gettext("through %(channel)s") % {"channel": name} if name else source


@register.filter
def scenario_title(code: str) -> str:
    return SCENARIOS[code].title if code in SCENARIOS else code


@register.filter
def json_params(params: dict) -> str:
    return json.dumps(params, sort_keys=True)


@register.filter
def sla_hours(sla) -> str:
    hours = int(sla.total_seconds() // 3600)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


@register.filter
def case_priority(value: int) -> str:
    return Case.Priority(value).label


@register.filter
def kpi(figure, currency: str = "") -> str:
    """A KPI's value as people read it: a count, money with its currency, a rate with one decimal ("33,3 %" on an
    Italian page); "–" when there was nothing to count."""
    from django.utils.formats import number_format

    from omnichannel.formats import money

    if figure.value is None:
        return "–"
    if figure.kind == "money":
        return money(figure.value, currency)
    if figure.kind == "rate":
        return f"{number_format(figure.value * 100, 1)} %"
    if figure.kind == "duration":
        from orders.templatetags.orders_tags import duration_short

        return duration_short(figure.value)
    return number_format(figure.value, 0, force_grouping=True)


@register.filter
def share(value) -> str:
    """A share (0.95) as people read a percentage ("95,0 %" on an Italian page)."""
    from django.utils.formats import number_format

    return f"{number_format(value * 100, 1)} %"
