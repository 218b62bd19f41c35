"""A message that could not be delivered (an invalid phone number, a bouncing email): fix the contact, resend."""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import services as orders
from support_playbook.scenarios.base import InputField, ManualAction, Resolution, Scenario, Step, Suggestion


class MessageUndelivered(Scenario):
    code = "message_undelivered"
    title = _("Message not delivered")
    summary = _("An email or SMS to the customer failed for good (invalid number or address, refused by the provider).")
    opened_by = _("The outbox giving up on a message, or the SMS provider reporting it undelivered.")
    who_acts = _("Customer care.")
    sla = timedelta(hours=24)
    priority = 2
    steps = (
        Step("system", _("The message fails for good; this case opens with the provider's error.")),
        Step("care", _("Find the right contact (the order's other channel, a call) and correct it here.")),
        Step("system", _("The same message is sent again to the corrected contact.")),
    )
    resolutions = (
        Resolution("fix_contact", _("Fix the contact and resend"), _("The order's email or phone is corrected.")),
        Resolution("resend", _("Send it again"), _("For a temporary failure: the same message, same contact.")),
    )
    manual_actions = (
        ManualAction(
            "fix_contact",
            _("Correct the contact and send the message again"),
            (
                InputField("email", _("Email"), kind="email", required=False),
                InputField("phone", _("Phone (international form, +39…)"), kind="tel", required=False),
            ),
        ),
    )

    def suggestions(self, case) -> list[Suggestion]:
        if case.facts.get("resent"):
            return []
        return [
            Suggestion(
                "resend",
                {},
                gettext("Send the %(channel)s again to %(recipient)s")
                % {"channel": case.facts.get("channel", ""), "recipient": case.facts.get("recipient", "")},
            )
        ]

    def run(self, case, action, params, actor) -> dict:
        from notifications import services as notifications

        recipient = case.facts.get("recipient", "")
        if action == "fix_contact":
            email, phone = params.get("email", ""), params.get("phone", "")
            target = {"order": case.order} if case.order_id else {"reservation": case.reservation}
            record = orders.change_contact_details(**target, email=email, phone=phone, actor=actor)
            recipient = record.contact_phone if case.facts.get("channel") == "sms" else record.contact_email
        elif action != "resend":
            raise NotImplementedError(action)
        copy = notifications.resend_notification(notification=case.facts["notification"], recipient=recipient)
        case.facts = {**case.facts, "resent": copy.pk}
        case.save(update_fields=["facts", "updated_at"])
        return {"notification": copy.pk, "recipient": recipient}

    def settled(self, case) -> bool:
        return bool(case.facts.get("resent"))
