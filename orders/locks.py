"""The one order in which a write locks an order's rows, followed by every service (cancel, short picks and their
recovery, transitions, till sales, returns, care actions), so that two writes of one order wait for each other
instead of deadlocking:

1. the order (`Order`): every write that changes an order's parcels, lines or money takes it first, which also
   makes those writes of one order take turns;
2. its parcels (`Fulfillment`), by id;
3. stock rows, in (location, sku) order (`inventory.services.lock_stock_rows`, `in_lock_order`);
4. the order's lines (`OrderLine`, `FulfillmentLine`), by id;
5. its payment (`Payment`), last (`orders.payments.money.locked_payment`; several payments by order id).

A reservation (the till buying it) or a return (its receipt) is locked before the orders it touches.
Before this order, `cancel_order` locked order → stock → parcel while `report_missing` locked parcel → stock →
order: each could hold what the other waited for (tests/concurrency/test_order_lock_order.py)."""

from orders.models import Fulfillment, Order


def lock_orders(order_ids) -> None:
    """Step 1 for several orders (a till sale giving way): by id."""
    list(Order.objects.select_for_update(no_key=True).filter(pk__in=set(order_ids)).order_by("pk").values_list("pk"))


def lock_fulfillments(fulfillment_ids) -> None:
    """Step 2: parcels of orders already locked, by id."""
    ids = set(fulfillment_ids)
    list(Fulfillment.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))


def locked_fulfillment(fulfillment: Fulfillment | int) -> Fulfillment:
    """One parcel, locked after its order (steps 1 and 2), read with its order."""
    pk = getattr(fulfillment, "pk", fulfillment)
    list(Order.objects.select_for_update(no_key=True, of=("self",)).filter(fulfillments=pk).values_list("pk"))
    return Fulfillment.objects.select_for_update(no_key=True).select_related("order").get(pk=pk)
