"""Which order and reservation events become which customer messages, and the words of each message (it + en).

Subjects and SMS texts are gettext strings formatted with the message context; the email body is the
template `notifications/email/<event>.txt` / `.html`, rendered in the customer's language.
"""

from django.utils.translation import gettext_lazy as _

from orders.events import OrderEventType as E

# How money comes back, said as it is: a refund of what was charged, or a hold on the card let go (never charged).
MONEY_BACK = {
    "refunded": _("Refund: %(refunded)s; it reaches you in a few days."),
    "released": _("You were never charged for it: the hold of %(released)s on your card is released."),
    "both": _("Refund: %(refunded)s; %(released)s was never charged and its hold on your card is released."),
}

# order event type -> (email subject, SMS text). Placeholders come from notifications.rendering.message_context.
ORDER_MESSAGES = {
    E.ORDER_PLACED: (
        _("We received your order %(number)s"),
        _("%(brand)s: we received order %(number)s (%(total)s). Follow it: %(tracking_url)s"),
    ),
    E.READY_FOR_PICKUP: (
        _("Your order %(number)s is ready for pickup"),
        _(
            "%(brand)s: order %(number)s is ready at %(store)s, %(store_address)s. Pickup code %(pickup_code)s, "
            "by %(pickup_deadline)s."
        ),
    ),
    E.PICKUP_REMINDER: (
        _("Your order %(number)s is waiting for you"),
        _(
            "%(brand)s: order %(number)s is waiting for you at %(store)s until %(pickup_deadline)s. "
            "Pickup code %(pickup_code)s."
        ),
    ),
    E.PICKUP_CODE_RENEWED: (
        _("A new pickup code for your order %(number)s"),
        _(
            "%(brand)s: your new pickup code for order %(number)s is %(pickup_code)s (the old one no longer works). "
            "Collect at %(store)s by %(pickup_deadline)s."
        ),
    ),
    E.SHIPPED: (
        _("Your order %(number)s is on its way"),
        _("%(brand)s: order %(number)s has shipped with %(carrier)s. Track it: %(tracking_url)s"),
    ),
    E.IN_TRANSIT: (
        _("Your order %(number)s is travelling"),
        _("%(brand)s: order %(number)s is on its way with %(carrier)s. Track it: %(tracking_url)s"),
    ),
    E.OUT_FOR_DELIVERY: (
        _("Your order %(number)s arrives today"),
        _("%(brand)s: order %(number)s is out for delivery today with %(carrier)s."),
    ),
    E.DELIVERY_EXCEPTION: (
        _("A problem with the delivery of order %(number)s"),
        _("%(brand)s: %(carrier)s reports a problem delivering order %(number)s. We are on it: %(tracking_url)s"),
    ),
    E.DELIVERED: (
        _("Your order %(number)s was delivered"),
        _("%(brand)s: order %(number)s was delivered. Thank you!"),
    ),
    E.NOT_COLLECTED: (
        _("Your order %(number)s was not collected"),
        _("%(brand)s: order %(number)s was not collected in time; you were not charged."),
    ),
    E.ORDER_CANCELLED: (
        _("Your order %(number)s was cancelled"),
        _("%(brand)s: order %(number)s was cancelled. %(money_back)s"),
    ),
    E.LINES_CANCELLED: (
        _("Part of your order %(number)s was cancelled"),
        _("%(brand)s: part of order %(number)s was cancelled. %(money_back)s"),
    ),
    E.SECOND_PARCEL: (
        _("Your order %(number)s arrives in one more parcel"),
        _(
            "%(brand)s: an item of order %(number)s comes from another of our stores, in a separate parcel. "
            "Follow it: %(tracking_url)s"
        ),
    ),
    E.ITEM_MISSING: (
        _("An item of your order %(number)s is missing"),
        _(
            "%(brand)s: we could not find %(sku_name)s of order %(number)s %(where_missing)s. We are finding a "
            "solution and will contact you; %(pay_when)s"
        ),
    ),
    E.ITEM_REFUNDED: (
        _("The missing item of your order %(number)s"),
        _("%(brand)s: %(sku_name)s of order %(number)s will not reach you. %(money_back)s"),
    ),
    E.COMPLETED_FROM_ELSEWHERE: (
        _("Good news about your order %(number)s"),
        _(
            "%(brand)s: %(sku_name)s of order %(number)s comes from our store %(from_store)s after all. "
            "Follow it: %(tracking_url)s"
        ),
    ),
    E.PICKUP_DELAYED: (
        _("An item of your order %(number)s arrives in store later"),
        _(
            "%(brand)s: %(sku_name)s of order %(number)s comes to %(store)s from another of our stores; "
            "we will tell you when everything is ready."
        ),
    ),
    E.SUBSTITUTE_PROPOSED: (
        _("A proposal for your order %(number)s"),
        _(
            "%(brand)s: %(sku_name)s of order %(number)s is not available. We can send %(substitute_name)s at the "
            "same price: call or answer us. If you prefer, we refund it."
        ),
    ),
    E.SUBSTITUTE_SENT: (
        _("Your order %(number)s: we are sending %(sku_name)s"),
        _(
            "%(brand)s: as agreed, we are sending %(sku_name)s instead of the missing item of order %(number)s, "
            "at the same price. Follow it: %(tracking_url)s"
        ),
    ),
    E.REFUND_ISSUED: (
        _("We refunded %(refund)s for your order %(number)s"),
        _("%(brand)s: we refunded %(refund)s for order %(number)s; it reaches you in a few days."),
    ),
    E.GOODWILL_CREDIT: (
        _("A credit of %(refund)s for your order %(number)s"),
        _("%(brand)s: we are sorry for the trouble with order %(number)s: we credited %(refund)s back to you."),
    ),
    E.PICKUP_EXTENDED: (
        _("Your order %(number)s waits for you longer"),
        _(
            "%(brand)s: order %(number)s now waits for you at %(store)s until %(pickup_deadline)s. "
            "Pickup code %(pickup_code)s."
        ),
    ),
    E.CONFIRMATION_RESENT: (
        _("Your order %(number)s (sent again)"),
        _("%(brand)s: your order %(number)s (%(total)s). Follow it: %(tracking_url)s"),
    ),
    E.PICKUP_CODE_RESENT: (
        _("Your pickup code for order %(number)s"),
        _(
            "%(brand)s: order %(number)s is waiting at %(store)s, %(store_address)s. Pickup code %(pickup_code)s, "
            "by %(pickup_deadline)s."
        ),
    ),
    E.TRACKING_LINK_SENT: (
        _("Follow your order %(number)s"),
        _("%(brand)s: follow your order %(number)s here: %(tracking_url)s"),
    ),
    E.PARCEL_LOST: (
        _("A problem with your parcel of order %(number)s"),
        _(
            "%(brand)s: the carrier lost the parcel of order %(number)s. We will send it again or refund you, "
            "and contact you."
        ),
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
    "reservation_courtesy": (
        _("Reservation %(number)s: we missed you at %(store)s"),
        _(
            "%(brand)s: we missed you at %(store)s for reservation %(number)s. No problem: the items are back on the "
            "shelves, and you can reserve again whenever you like."
        ),
    ),
    "reservation_extended": (
        _("Reservation %(number)s: held for you longer"),
        _(
            "%(brand)s: reservation %(number)s at %(store)s is now held for you until %(reserved_until)s. "
            "Details or cancel: %(reservation_url)s"
        ),
    ),
    "reservation_cancelled": (
        _("Reservation %(number)s was cancelled"),
        _("%(brand)s: reservation %(number)s at %(store)s was cancelled. Nothing was charged."),
    ),
}

# "return_" + return event type -> (email subject, SMS text); placeholders from return_context.
RETURN_MESSAGES = {
    "return_requested": (
        _("Return %(number)s: how to send your items back"),
        _("%(brand)s: return %(number)s is open. %(instructions)s Details: %(return_url)s"),
    ),
    "return_received": (
        _("Return %(number)s has arrived"),
        _("%(brand)s: we received return %(number)s: %(units)s item(s). We are checking them now."),
    ),
    "return_refunded": (
        _("We refunded %(refund)s for return %(number)s"),
        _("%(brand)s: we refunded %(refund)s for return %(number)s; it reaches you in a few days."),
    ),
    "return_damage_not_refunded": (
        _("The damaged items of return %(number)s"),
        _(
            "%(brand)s: the items of return %(number)s that arrived damaged cannot be refunded. Write or call us and "
            "we explain why: %(return_url)s"
        ),
    ),
    "return_exchange_ordered": (
        _("Your exchange for return %(number)s is on its way"),
        _(
            "%(brand)s: your replacement for return %(number)s is order %(exchange_number)s, at no cost. "
            "Follow it: %(exchange_url)s"
        ),
    ),
    "return_exchange_unavailable": (
        _("Return %(number)s: the replacement is no longer available"),
        _(
            "%(brand)s: the replacement you chose for return %(number)s is no longer available, sorry: we refund "
            "you instead."
        ),
    ),
    "return_reminder": (
        _("Return %(number)s: we have not received your items yet"),
        _("%(brand)s: we have not received return %(number)s yet. %(instructions)s Details: %(return_url)s"),
    ),
    "return_cancelled": (
        _("Return %(number)s was cancelled"),
        _(
            "%(brand)s: return %(number)s was cancelled; keep your items. You can start a new return while the "
            "return window is open."
        ),
    ),
}

# How to bring a return back, by way of returning (the "instructions" placeholder).
RETURN_INSTRUCTIONS = {
    "in_store": _(
        "Bring the items to %(store)s, %(store_address)s, and say return %(number)s at the till: "
        "we refund you on the spot."
    ),
    "carrier": _("Pack the items, write %(number)s on the parcel and hand it to the courier%(label_text)s."),
    "locker": _("Pack the items, write %(number)s on the parcel and leave it in the locker %(locker)s."),
}

MESSAGES = {**ORDER_MESSAGES, **RESERVATION_MESSAGES, **RETURN_MESSAGES}
