from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

EVENT_LABELS = {
    "order_placed": _("Order placed"),
    "picking": _("Picking started"),
    "packed": _("Packed"),
    "shipped": _("Shipped"),
    "in_transit": _("In transit"),
    "out_for_delivery": _("Out for delivery"),
    "delivered": _("Delivered"),
    "delivery_exception": _("Delivery problem"),
    "received_in_store": _("Received in store"),
    "ready_for_pickup": _("Ready for pickup"),
    "collected": _("Collected by the customer"),
    "pickup_reminder": _("Pickup reminder sent"),
    "not_collected": _("Not collected"),
    "cancelled": _("Fulfillment cancelled"),
    "order_cancelled": _("Order cancelled"),
    "lines_cancelled": _("Items cancelled"),
    "item_missing": _("Item missing"),
    "payment_captured": _("Payment captured"),
    "payment_refunded": _("Refund"),
    "address_changed": _("Delivery address changed"),
}


@register.filter
def event_label(event_type: str) -> str:
    """The timeline's wording for an event type (the type itself when it has none yet)."""
    return EVENT_LABELS.get(event_type, event_type)
