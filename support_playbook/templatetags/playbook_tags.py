import json

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from support_playbook.models import Case

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
    "fix_contact": _("Contact corrected and message sent again"),
    "resend": _("Message sent again"),
    "accept_count": _("Count accepted"),
    "recount_again": _("Store asked to count again"),
    "task_done": _("Store task done"),
    "task_cannot_do": _("Store task could not be done"),
    "default_applied": _("Default resolution applied (nobody decided in time)"),
    "default_failed": _("Default resolution failed"),
}


@register.filter
def case_event_label(event_type: str) -> str:
    return CASE_EVENT_LABELS.get(event_type, event_type)


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
