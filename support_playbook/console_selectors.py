"""Reads of the customer-care console: find a customer however the agent has them (email, a phone number typed
any way, an order or reservation number, a name), the customer's whole story across channels, and one order with
everything an agent acts on. A constant number of queries per page, whatever the number of rows."""

import re

from django.db.models import Prefetch, Q

from notifications.models import Notification
from omnichannel.errors import NotFound
from omnichannel.phones import phone_in_query
from orders.models import Customer, Fulfillment, Order, OrderEvent, OrderLine, RefundRequest, Reservation, Return
from support_playbook.models import Case

NUMBER = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{4,12}$")


def find_customers(query: str, *, limit: int = 25) -> list[Customer]:
    """Customers matching `query`: an email (the customer's or one given with an order), a phone number in any
    form (matched as E.164 on the customer and on orders and reservations), an order, reservation or return number,
    or a name (3 letters or more)."""
    text = (query or "").strip()
    if not text:
        return []
    match = Q(pk__in=[])
    if "@" in text:
        email = text.lower()
        match |= Q(email__iexact=email) | Q(orders__contact_email__iexact=email)
        match |= Q(reservations__contact_email__iexact=email)
    elif NUMBER.match(text.upper()):
        match |= Q(orders__number=text.upper()) | Q(reservations__number=text.upper())
        match |= Q(returns__number=text.upper())
    else:
        phone = phone_in_query(text)
        if phone:
            match |= Q(phone=phone) | Q(orders__contact_phone=phone) | Q(reservations__contact_phone=phone)
        elif len(text) >= 3:
            match |= Q(name__icontains=text) | Q(orders__contact_name__icontains=text)
    ids = Customer.objects.filter(match).values_list("pk", flat=True).distinct()[:limit]
    return list(Customer.objects.filter(pk__in=list(ids)).select_related("owner_channel").order_by("-updated_at"))


def customer_story(*, customer_id: int) -> dict:
    """Everything about one customer, newest first: orders, reservations and returns on every channel, cases, the
    messages sent with their delivery status, consent and contact preferences."""
    customer = Customer.objects.select_related("owner_channel").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("No such customer.")
    return {
        "customer": customer,
        "orders": list(
            Order.objects.filter(customer=customer)
            .select_related("channel", "pickup_location")
            .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("sku")))
            .order_by("-created_at")[:100]
        ),
        "reservations": list(
            Reservation.objects.filter(customer=customer)
            .select_related("location", "channel")
            .order_by("-created_at")[:100]
        ),
        "returns": list(
            Return.objects.filter(customer=customer)
            .select_related("location", "drop_off", "channel")
            .prefetch_related("lines__order_line__sku", "lines__order_line__order")
            .order_by("-created_at")[:100]
        ),
        "cases": list(Case.objects.filter(customer=customer).order_by("-created_at")[:100]),
        "sent_messages": list(
            Notification.objects.filter(customer=customer)
            .select_related("order", "reservation")
            .order_by("-created_at")[:100]
        ),
    }


def console_order(*, number: str) -> Order:
    """One order as the console shows it: lines, parcels, payment, timeline, messages, cases, refund requests."""
    order = (
        Order.objects.select_related("customer", "channel", "pickup_location", "payment")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product")),
            Prefetch(
                "fulfillments",
                queryset=Fulfillment.objects.select_related("source_location", "pickup_location").order_by("id"),
            ),
            Prefetch(
                "events", queryset=OrderEvent.objects.select_related(*OrderEvent.ACTOR_RELATIONS).order_by("at", "id")
            ),
            Prefetch("notifications", queryset=Notification.objects.order_by("-created_at")),
            Prefetch("cases", queryset=Case.objects.order_by("-created_at")),
            Prefetch("refund_requests", queryset=RefundRequest.objects.select_related("requested_by", "decided_by")),
        )
        .filter(number=(number or "").upper())
        .first()
    )
    if order is None:
        raise NotFound("No such order.")
    return order


def order_actions(order: Order, *, refundable) -> set[str]:
    """What an agent can do to this order now (each action's service checks again when it runs); `refundable`:
    what was paid and not yet refunded (`orders.services.paid_and_not_refunded`)."""
    statuses = {f.status for f in order.fulfillments.all()}
    shipped = any(f.shipped_at for f in order.fulfillments.all())
    actions = {"resend_confirmation", "resend_tracking_link", "fix_contact"}
    if order.method == "home_delivery" and not shipped:
        actions.add("change_address")
    if statuses & {"pending", "picking", "packed", "ready_for_pickup"}:
        actions.add("cancel")
    if refundable > 0:
        actions.update({"refund", "goodwill"})
    if "ready_for_pickup" in statuses:
        actions.update({"extend_pickup", "resend_pickup_code"})
    return actions


def pending_refunds() -> list[RefundRequest]:
    return list(
        RefundRequest.objects.filter(status=RefundRequest.Status.PENDING)
        .select_related("order", "requested_by")
        .order_by("created_at")
    )


def customer_point(customer: Customer):
    """Where the customer is, for "nearby stores": the coordinates of their latest home delivery, if any."""
    address = (
        Order.objects.filter(customer=customer, method="home_delivery")
        .order_by("-created_at")
        .values_list("shipping_address", flat=True)
        .first()
    ) or {}
    if address.get("lat") is None or address.get("lon") is None:
        return None
    return float(address["lat"]), float(address["lon"])
