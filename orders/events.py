"""The order timeline's event types: one enumeration whose values are the strings stored in `OrderEvent.type`
(and in `Notification.event`, head office's message templates, the channel feed), with the words staff read.
Services write `OrderEventType.X`; the subscribers (notifications, the playbook's receivers, the channel
webhooks) are connected in each app's `AppConfig.ready` to `orders.signals.order_event`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderEventType(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    PICKING = "picking", _("Picking started")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    DELIVERY_EXCEPTION = "delivery_exception", _("Delivery problem")
    RECEIVED_IN_STORE = "received_in_store", _("Received in store")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    COLLECTED = "collected", _("Collected by the customer")
    PICKUP_REMINDER = "pickup_reminder", _("Pickup reminder sent")
    NOT_COLLECTED = "not_collected", _("Not collected")
    CANCELLED = "cancelled", _("Fulfillment cancelled")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    LINES_CANCELLED = "lines_cancelled", _("Items cancelled")
    ITEM_MISSING = "item_missing", _("Item missing")
    PAYMENT_CAPTURED = "payment_captured", _("Payment captured")
    PAYMENT_REFUNDED = "payment_refunded", _("Refund")
    PAYMENT_RELEASED = "payment_released", _("Payment hold released (never charged)")
    ADDRESS_CHANGED = "address_changed", _("Delivery address changed")
    PICKUP_CODE_LOCKED = "pickup_code_locked", _("Pickup code locked after wrong attempts")
    PICKUP_CODE_UNLOCKED = "pickup_code_unlocked", _("Pickup code unlocked")
    PICKUP_CODE_RENEWED = "pickup_code_renewed", _("New pickup code sent")
    ITEM_SHORT_RECOVERED = "item_short_recovered", _("Item missing here: sent from another location")
    LINE_RESOURCED = "line_resourced", _("Item sourced from another location")
    SECOND_PARCEL = "second_parcel", _("Customer told: one more parcel")
    ITEM_REFUNDED = "item_refunded", _("Missing item refunded")
    COMPLETED_FROM_ELSEWHERE = (
        "completed_from_elsewhere",
        _("Customer told: the missing item comes from another location"),
    )
    PICKUP_DELAYED = "pickup_delayed", _("Customer told: an item arrives in store later")
    SUBSTITUTE_PROPOSED = "substitute_proposed", _("Substitute proposed to the customer")
    SUBSTITUTE_SENT = "substitute_sent", _("Substitute sent")
    PARCEL_LOST = "parcel_lost", _("Parcel declared lost")
    PARCEL_BACK_IN_STOCK = "parcel_back_in_stock", _("Lost parcel back at its source: items back in stock")
    PARCEL_NOT_RECEIVED = "parcel_not_received", _("Store: parcel not received")
    PARCEL_OVERDUE = "parcel_overdue", _("Parcel overdue at the store")
    LOST = "lost", _("Parcel lost")
    CONTACT_CHANGED = "contact_changed", _("Contact details corrected")
    REFUND_REQUESTED = "refund_requested", _("Refund asked for approval")
    REFUND_REJECTED = "refund_rejected", _("Refund request rejected")
    REFUND_ISSUED = "refund_issued", _("Refund approved")
    GOODWILL_CREDIT = "goodwill_credit", _("Goodwill credit approved")
    PICKUP_EXTENDED = "pickup_extended", _("Pickup deadline extended")
    CONFIRMATION_RESENT = "confirmation_resent", _("Order confirmation sent again")
    PICKUP_CODE_RESENT = "pickup_code_resent", _("Pickup code sent again")
    TRACKING_LINK_SENT = "tracking_link_sent", _("Tracking link sent")
    TRACKING_UPDATE = "tracking_update", _("Carrier update")


class ReservationEventType(models.TextChoices):
    """A click & reserve reservation's timeline (`ReservationEvent.type`)."""

    HELD = "held", _("Reserved: items put aside")
    REMINDER = "reminder", _("Reminder sent")
    PURCHASED = "purchased", _("Bought in store")
    DECLINED = "declined", _("Came, did not buy")
    EXPIRED = "expired", _("No show: reservation ended")
    CANCELLED = "cancelled", _("Reservation cancelled")
    COURTESY = "courtesy", _("Courtesy message sent")
    CONTACT_CHANGED = "contact_changed", _("Contact details corrected")
    EXTENDED = "extended", _("Reservation extended")


class ReturnEventType(models.TextChoices):
    """A return's timeline (`ReturnEvent.type`)."""

    REQUESTED = "requested", _("Return started")
    IN_TRANSIT = "in_transit", _("Parcel on its way")
    RECEIVED = "received", _("Received and counted")
    RECEIVED_WITH_PROBLEMS = "received_with_problems", _("Received with units missing or damaged")
    REFUNDED = "refunded", _("Refunded")
    DAMAGE_NOT_REFUNDED = "damage_not_refunded", _("Damaged units: refund refused")
    EXCHANGE_ORDERED = "exchange_ordered", _("Exchange ordered")
    EXCHANGE_UNAVAILABLE = "exchange_unavailable", _("Exchange no longer available: refunded instead")
    TRANSFER_SHIPPED = "transfer_shipped", _("Units sent to the warehouse")
    TRANSFER_RECEIVED = "transfer_received", _("Units booked in at the warehouse")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Return cancelled")
    OVERDUE = "overdue", _("Not received in time")
    REMINDER = "reminder", _("Customer reminded")
