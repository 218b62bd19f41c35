"""Which order and reservation events become which customer messages, and the words of each message (it + en).

Subjects and SMS texts are gettext strings formatted with the message context; the email body is the
template `notifications/email/<event>.txt` / `.html`, rendered in the customer's language.
"""

from django.utils.translation import gettext_lazy as _

# order event type -> (email subject, SMS text). Placeholders come from notifications.services.message_context.
ORDER_MESSAGES = {
    "order_placed": (
        _("We received your order %(number)s"),
        _("%(brand)s: we received order %(number)s (%(total)s). Follow it: %(tracking_url)s"),
    ),
    "ready_for_pickup": (
        _("Your order %(number)s is ready for pickup"),
        _(
            "%(brand)s: order %(number)s is ready at %(store)s, %(store_address)s. Pickup code %(pickup_code)s, "
            "by %(pickup_deadline)s."
        ),
    ),
    "pickup_reminder": (
        _("Your order %(number)s is waiting for you"),
        _(
            "%(brand)s: order %(number)s is waiting for you at %(store)s until %(pickup_deadline)s. "
            "Pickup code %(pickup_code)s."
        ),
    ),
    "pickup_code_renewed": (
        _("A new pickup code for your order %(number)s"),
        _(
            "%(brand)s: your new pickup code for order %(number)s is %(pickup_code)s (the old one no longer works). "
            "Collect at %(store)s by %(pickup_deadline)s."
        ),
    ),
    "shipped": (
        _("Your order %(number)s is on its way"),
        _("%(brand)s: order %(number)s has shipped with %(carrier)s. Track it: %(tracking_url)s"),
    ),
    "in_transit": (
        _("Your order %(number)s is travelling"),
        _("%(brand)s: order %(number)s is on its way with %(carrier)s. Track it: %(tracking_url)s"),
    ),
    "out_for_delivery": (
        _("Your order %(number)s arrives today"),
        _("%(brand)s: order %(number)s is out for delivery today with %(carrier)s."),
    ),
    "delivery_exception": (
        _("A problem with the delivery of order %(number)s"),
        _("%(brand)s: %(carrier)s reports a problem delivering order %(number)s. We are on it: %(tracking_url)s"),
    ),
    "delivered": (
        _("Your order %(number)s was delivered"),
        _("%(brand)s: order %(number)s was delivered. Thank you!"),
    ),
    "not_collected": (
        _("Your order %(number)s was not collected"),
        _("%(brand)s: order %(number)s was not collected in time; you were not charged."),
    ),
    "order_cancelled": (
        _("Your order %(number)s was cancelled"),
        _("%(brand)s: order %(number)s was cancelled. Refund: %(refund)s."),
    ),
    "lines_cancelled": (
        _("Part of your order %(number)s was cancelled"),
        _("%(brand)s: part of order %(number)s was cancelled. Refund: %(refund)s."),
    ),
    "second_parcel": (
        _("Your order %(number)s arrives in one more parcel"),
        _(
            "%(brand)s: an item of order %(number)s comes from another of our stores, in a separate parcel. "
            "Follow it: %(tracking_url)s"
        ),
    ),
    "item_missing": (
        _("An item of your order %(number)s is missing"),
        _("%(brand)s: %(sku_name)s of order %(number)s is missing; we refund %(refund)s and will contact you."),
    ),
}

# "reservation_" + reservation event type -> (email subject, SMS text); placeholders from reservation_context.
RESERVATION_MESSAGES = {
    "reservation_held": (
        _("Reservation %(number)s: your items are waiting at %(store)s"),
        _(
            "%(brand)s: reservation %(number)s is held for you at %(store)s, %(store_address)s until "
            "%(reserved_until)s. Nothing to pay now. Details or cancel: %(reservation_url)s"
        ),
    ),
    "reservation_reminder": (
        _("Reservation %(number)s: see you at %(store)s"),
        _(
            "%(brand)s: your reservation %(number)s at %(store)s, %(store_address)s is held until "
            "%(reserved_until)s. Can't come? Cancel: %(reservation_url)s"
        ),
    ),
    "reservation_expired": (
        _("Reservation %(number)s has ended"),
        _("%(brand)s: reservation %(number)s at %(store)s ended on %(reserved_until)s; the items are back on sale."),
    ),
    "reservation_cancelled": (
        _("Reservation %(number)s was cancelled"),
        _("%(brand)s: reservation %(number)s at %(store)s was cancelled. Nothing was charged."),
    ),
}

MESSAGES = {**ORDER_MESSAGES, **RESERVATION_MESSAGES}
