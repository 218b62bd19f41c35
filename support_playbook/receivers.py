"""Reactions to other apps' domain events (connected in SupportPlaybookConfig.ready). They run inside the
transaction that wrote the event, so a case or a task commits or rolls back with it."""

from django.utils.translation import ngettext_lazy

from orders.events import OrderEventType as E
from orders.events import ReservationEventType as RE
from orders.events import ReturnEventType as RT
from orders.models import Fulfillment
from support_playbook.services import cases, tasks

IN_STORE_FLOWS = {Fulfillment.Flow.PICKUP, Fulfillment.Flow.SHIP_TO_STORE}


def on_order_event(sender, event, **kwargs):
    handler = ORDER_EVENT_HANDLERS.get(event.type)
    if handler is not None:
        handler(event)


def _recount(event):
    """Units not found while picking: the location counts that item again (its books may be wrong for more than
    the units this order missed)."""
    from inventory.models import SKU

    if event.data.get("cause") == "till_sale":
        return  # the till sold the units: the books were right, nothing to count
    fulfillment = event.fulfillment
    sku = SKU.objects.filter(code=event.data.get("sku")).first()
    if fulfillment is None or sku is None:
        return
    tasks.open_recount(
        location=fulfillment.source_location,
        sku=sku,
        order=event.order,
        reason=tasks.staff_words(
            ngettext_lazy(
                "%(quantity)s unit not found picking order %(number)s",
                "%(quantity)s units not found picking order %(number)s",
                "quantity",
            ),
            quantity=int(event.data.get("quantity") or 0),
            number=event.order.number,
        ),
    )


def _item_missing(event):
    """Nothing could cover the missing units automatically: the incomplete-order case of this order."""
    _recount(event)
    order = event.order
    in_store = event.data.get("flow") in IN_STORE_FLOWS
    cases.open_case(
        scenario="incomplete_order_pickup" if in_store else "incomplete_order_home",
        incident_key=f"incomplete:{order.number}",
        facts={"sku": event.data.get("sku"), "quantity": event.data.get("quantity"), "at": event.data.get("location")},
        order=order,
        customer=order.customer,
        location=order.pickup_location if in_store else None,
        fulfillment=event.fulfillment,
    )


def _line_resourced(event):
    """Recovered from the pickup store's own shelf: its staff take the unit and confirm (a store task)."""
    if event.data.get("from_shelf"):
        case = event.order.cases.filter(incident_key=f"incomplete:{event.order.number}").first()
        task = tasks.open_shelf_completion(fulfillment=event.fulfillment, case=case)
        if case is not None and case.is_open:
            cases.transition_case(case=case, to=case.Status.WAITING_STORE, data={"task": task.pk})


def _parcel_overdue(event):
    case = _parcel_case(event, "parcel_not_received")
    tasks.open_parcel_check(fulfillment=event.fulfillment, case=case)
    cases.transition_case(case=case, to=case.Status.WAITING_STORE)


def _parcel_case(event, scenario):
    fulfillment = event.fulfillment
    return cases.open_case(
        scenario=scenario,
        incident_key=f"parcel:{fulfillment.pk}",
        facts={"event": event.type, "tracking_number": fulfillment.tracking_number, "carrier": fulfillment.carrier},
        order=event.order,
        customer=event.order.customer,
        fulfillment=fulfillment,
        location=fulfillment.pickup_location,
    )


def _not_collected(event):
    fulfillment = event.fulfillment
    case = cases.open_case(
        scenario="pickup_not_collected",
        incident_key=f"not_collected:{fulfillment.pk}",
        order=event.order,
        customer=event.order.customer,
        fulfillment=fulfillment,
        location=fulfillment.pickup_location or fulfillment.source_location,
    )
    tasks.open_put_back(case=case)
    cases.transition_case(case=case, to=case.Status.WAITING_STORE)


def _parcel_moved_on(event):
    """A parcel with a case arrived after all (delivered, received in store): the case resolves itself."""
    for case in event.fulfillment.cases.all() if event.fulfillment_id else []:
        cases.settle_if_over(case=case)


# The order events the playbook subscribes to, and what each does (one place: this table).
ORDER_EVENT_HANDLERS = {
    E.ITEM_MISSING: _item_missing,
    E.ITEM_SHORT_RECOVERED: _recount,
    E.LINE_RESOURCED: _line_resourced,
    E.PARCEL_OVERDUE: _parcel_overdue,
    E.PARCEL_NOT_RECEIVED: lambda event: _parcel_case(event, "parcel_not_received"),
    E.DELIVERY_EXCEPTION: lambda event: _parcel_case(event, "delivery_exception") if event.fulfillment_id else None,
    E.NOT_COLLECTED: _not_collected,
    E.DELIVERED: _parcel_moved_on,
    E.RECEIVED_IN_STORE: _parcel_moved_on,
}


def on_reservation_event(sender, event, **kwargs):
    """A no-show: the store puts the items back on the floor; customer care may send a courtesy message."""
    if event.type != RE.EXPIRED:
        return
    reservation = event.reservation
    case = cases.open_case(
        scenario="reservation_no_show",
        incident_key=f"no_show:{reservation.number}",
        reservation=reservation,
        customer=reservation.customer,
        location=reservation.location,
    )
    tasks.open_put_back(case=case)
    cases.transition_case(case=case, to=case.Status.WAITING_STORE)


def on_notification_failed(sender, notification, **kwargs):
    """A message failed for good: fix the contact and resend. One case per order (or reservation) and channel."""
    about = f"order:{notification.order_id}" if notification.order_id else f"reservation:{notification.reservation_id}"
    order = notification.order
    reservation = notification.reservation
    cases.open_case(
        scenario="message_undelivered",
        incident_key=f"undelivered:{about}:{notification.channel}",
        facts={
            "notification": notification.pk,
            "channel": notification.channel,
            "recipient": notification.recipient,
            "event": notification.event,
            "error": notification.last_error,
            "resent": None,
        },
        order=order,
        reservation=reservation,
        customer=notification.customer,
        location=reservation.location if reservation else None,
    )


def on_return_event(sender, event, **kwargs):
    """A return received with missing or damaged units, or overdue: its case. Received after all: the overdue
    case settles itself."""
    return_request = event.return_request
    if event.type == RT.RECEIVED_WITH_PROBLEMS:
        cases.open_case(
            scenario="return_problem",
            incident_key=f"return:{return_request.number}",
            facts=event.data,
            return_request=return_request,
            customer=return_request.customer,
            location=return_request.location,
        )
    elif event.type == RT.OVERDUE:
        cases.open_case(
            scenario="return_overdue",
            incident_key=f"return_overdue:{return_request.number}",
            facts=event.data,
            return_request=return_request,
            customer=return_request.customer,
        )
    elif event.type in (RT.RECEIVED, RT.CANCELLED):
        for case in return_request.cases.filter(scenario="return_overdue"):
            cases.settle_if_over(case=case)


# Words of a task's reason: translated when the task is written, in the stores' language (tasks.staff_words).
DISCREPANCY_REASONS = {
    "till_oversold": ngettext_lazy(
        "The till sold %(units)s unit more than the books had (%(receipts)s)",
        "The till sold %(units)s units more than the books had (%(receipts)s)",
        "units",
    ),
    "count": ngettext_lazy(
        "The count found %(units)s unit more or less than the books",
        "The count found %(units)s units more or less than the books",
        "units",
    ),
}


def on_stock_discrepancy(sender, *, location, sku, units, reason, facts, open_case, incident_key, **kwargs):
    """The books and the shelf disagree: the store counts the item again; a large difference is a case too."""
    wording = DISCREPANCY_REASONS.get(reason, DISCREPANCY_REASONS["count"])
    text = tasks.staff_words(wording, units=abs(units), receipts=", ".join(facts.get("receipts", [])))
    task = tasks.open_recount(location=location, sku=sku, reason=text) if reason != "count" else None
    if open_case:
        case = cases.open_case(
            scenario="stock_discrepancy",
            # One case per item and store while it is open: a second count of the same item adds to it.
            incident_key=incident_key or f"discrepancy:{location.code}:{sku.code}",
            facts={**facts, "difference": units, "reason": reason},
            location=location,
            sku=sku,
        )
        if task is not None and task.case_id is None:
            task.case = case
            task.save(update_fields=["case", "updated_at"])
