"""Returns end to end through the service: each way of returning, partial and damaged receipts, two orders on one
return, stock and money checked as numbers (DESIGN.md section 9)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from inventory.models import StockHold, StockMovement
from omnichannel.errors import InvalidInput, InvalidTransition, NotFound
from orders import services
from orders.errors import AlreadyReturned, MethodNotOffered, NotReturnable
from orders.models import Return
from tests.orders.helpers import money
from tests.orders.returns_helpers import (
    available,
    collect,
    delivered,
    line,
    place,
    received,
    rnet,  # noqa: F401  (fixture)
    stock_row,
)

pytestmark = pytest.mark.django_db

IN_STORE = Return.How.IN_STORE


def events(return_request):
    return list(return_request.events.values_list("type", flat=True))


def test_web_order_returned_in_store_is_on_sale_there_at_once(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    before = available(rnet, "MI02", "TEE-M") if _has_row(rnet, "MI02", "TEE-M") else 0

    return_request = services.request_return(how=IN_STORE, location=rnet["MI02"], lines=[line(order, "TEE-M")])
    assert return_request.status == Return.Status.REQUESTED
    assert return_request.location == rnet["MI02"] and return_request.fee == 0

    services.receive_return(
        return_request=return_request, location=rnet["MI02"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CLOSED
    assert available(rnet, "MI02", "TEE-M") == before + 1
    movement = StockMovement.objects.get(location=rnet["MI02"], reason="return")
    assert (movement.delta_on_hand, movement.reference) == (1, return_request.number)
    assert return_request.refunded_amount == Decimal("29.90")
    assert money(order) == (Decimal("29.90"), Decimal("29.90"), Decimal("29.90"))
    assert events(return_request) == ["requested", "received", "refunded", "closed"]
    order_line = order.lines.get()
    assert order_line.quantity_returned == 1


def _has_row(net, location, sku):
    return net[location].stock_levels.filter(sku=net["skus"][sku]).exists()


def test_carrier_return_goes_to_the_returns_centre_and_pays_the_fee(rnet, settings):  # noqa: F811
    settings.RETURN_FEE = "4.90"
    order = delivered(rnet, [("JEANS-42", 1, "89.90")])
    on_hand_before = stock_row(rnet, "WH01", "JEANS-42")[0]

    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "JEANS-42")], label="BRT-R1")
    assert return_request.location == rnet["WH01"] and return_request.fee == Decimal("4.90")
    services.mark_return_sent(return_request=return_request)
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "JEANS-42", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    assert stock_row(rnet, "WH01", "JEANS-42")[0] == on_hand_before + 1
    assert return_request.refunded_amount == Decimal("85.00")
    assert events(return_request) == ["requested", "in_transit", "received", "refunded", "closed"]


def test_locker_return_is_dropped_in_the_locker_and_received_at_the_centre(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=Return.How.LOCKER, drop_off=rnet["LK01"], lines=[line(order, "TEE-M")])
    assert (return_request.location, return_request.drop_off) == (rnet["WH01"], rnet["LK01"])
    with pytest.raises(NotFound):  # only the receiving location receives
        services.receive_return(
            return_request=return_request, location=rnet["LK01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
        )
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, quarantine=1)]
    )
    return_request.refresh_from_db()
    assert return_request.lines.get().quarantined == 1
    assert return_request.status == Return.Status.CLOSED


def test_partial_receipt_refunds_what_came_and_lets_the_rest_come_back_later(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 2)])
    assert order.lines.get().quantity_returned == 2

    services.receive_return(
        return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    assert return_request.refunded_amount == Decimal("20.00")
    assert order.lines.get().quantity_returned == 1  # the unit that did not come may be returned again
    problem = return_request.events.get(type="received_with_problems")
    assert problem.data["missing"] == [{"order": order.number, "sku": "TEE-M", "units": 1}]
    second = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 1)])
    assert second.lines.get().quantity == 1


def test_one_damaged_unit_is_written_off_and_still_refunded(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    on_hand = stock_row(rnet, "MI01", "TEE-M")[0]
    return_request = services.request_return(
        how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", 2, reason="damaged", note="torn seam")]
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["MI01"],
        lines=[received(order, "TEE-M", 2, restock_here=1, write_off=1)],
        damaged_refund="now",  # the associate decides on the spot
    )
    return_request.refresh_from_db()
    assert stock_row(rnet, "MI01", "TEE-M")[0] == on_hand + 1  # only the good unit is back on the shelf
    returned_line = return_request.lines.get()
    assert (returned_line.restocked, returned_line.written_off) == (1, 1)
    assert return_request.refunded_amount == Decimal("40.00")
    problem = return_request.events.get(type="received_with_problems")
    assert problem.data["damaged"] == [
        {"order": order.number, "sku": "TEE-M", "units": 1, "reason": "damaged", "refund_waiting": 0}
    ]


def test_units_sent_to_the_warehouse_are_counted_in_store_but_not_for_sale(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    on_hand, committed = stock_row(rnet, "MI01", "TEE-M")
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    services.receive_return(
        return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, send_to_warehouse=1)]
    )
    assert stock_row(rnet, "MI01", "TEE-M") == (on_hand + 1, committed + 1)
    hold = return_request.lines.get().transfer_hold
    assert (hold.kind, hold.reference) == (StockHold.Kind.TRANSFER, f"return:{return_request.number}:to:WH01")


def test_one_return_covers_two_orders_and_refunds_each_payment(rnet):  # noqa: F811
    first = delivered(rnet, [("TEE-M", 1, "29.90")])
    second = delivered(rnet, [("JEANS-42", 1, "89.90")])
    return_request = services.request_return(
        how=IN_STORE, location=rnet["MI01"], lines=[line(first, "TEE-M"), line(second, "JEANS-42", reason="too_big")]
    )
    services.receive_return(
        return_request=return_request,
        location=rnet["MI01"],
        lines=[received(first, "TEE-M", 1, restock_here=1), received(second, "JEANS-42", 1, restock_here=1)],
    )
    return_request.refresh_from_db()
    assert return_request.refunded_amount == Decimal("119.80")
    assert money(first)[2] == Decimal("29.90") and money(second)[2] == Decimal("89.90")


def test_a_collected_click_and_collect_order_is_refunded_at_the_counter(rnet):  # noqa: F811
    order = collect(place(rnet, [("TEE-M", 1, "29.90")], {"method": "store_pickup", "pickup_location": "MI01"}))
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    services.receive_return(
        return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    assert money(order)[2] == Decimal("29.90")


# ------------------------------------------------------------------------------------------------- refunds


def test_refund_spreads_the_discount_pro_rata(rnet):  # noqa: F811
    # 30 + 10 = 40, a 10.00 voucher: every euro of the lines cost 0.75.
    order = delivered(rnet, [("TEE-M", 1, "30.00"), ("JEANS-42", 1, "10.00")], discount="10.00")
    assert order.total == Decimal("30.00")
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    preview = services.refund_breakdown(return_request)
    assert preview.amount == Decimal("22.50")
    assert preview.lines[0]["unit_price"] == "22.50"


def test_shipping_is_refunded_only_when_the_whole_order_comes_back(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "30.00"), ("JEANS-42", 1, "10.00")], shipping="5.00")
    first = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    assert services.refund_breakdown(first).amount == Decimal("30.00")
    services.receive_return(
        return_request=first, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    second = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "JEANS-42")])
    preview = services.refund_breakdown(second)
    assert (preview.amount, preview.shipping) == (Decimal("15.00"), Decimal("5.00"))
    services.receive_return(
        return_request=second, location=rnet["MI01"], lines=[received(order, "JEANS-42", 1, restock_here=1)]
    )
    assert money(order) == (Decimal("45.00"), Decimal("45.00"), Decimal("45.00"))


def test_the_fee_comes_off_a_courier_return(rnet, settings):  # noqa: F811
    settings.RETURN_FEE = "4.90"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M")])
    preview = services.refund_breakdown(return_request)
    assert (preview.fee, preview.amount) == (Decimal("4.90"), Decimal("25.00"))


def test_a_second_receipt_and_refund_are_refused(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    counts = [received(order, "TEE-M", 1, restock_here=1)]
    services.receive_return(return_request=return_request, location=rnet["MI01"], lines=counts)
    on_hand = stock_row(rnet, "MI01", "TEE-M")[0]
    with pytest.raises(InvalidTransition):
        services.receive_return(return_request=return_request, location=rnet["MI01"], lines=counts)
    assert stock_row(rnet, "MI01", "TEE-M")[0] == on_hand
    assert money(order)[2] == Decimal("29.90")


# ------------------------------------------------------------------------------------------------- exchange


def test_exchange_holds_the_replacement_and_cancel_releases_it(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = other = _same_product(rnet, "TEE-M", "TEE-L")
    _stock(rnet, "WH01", other, 1)
    return_request = services.request_return(
        how=Return.How.CARRIER, lines=[line(order, "TEE-M")], exchange=[{"sku": "TEE-L", "quantity": 1}]
    )
    assert stock_row(rnet, "WH01", "TEE-L") == (1, 1)  # held: it cannot sell out while the parcel travels
    assert services.refund_breakdown(return_request).amount == Decimal("0.00")
    services.cancel_return(return_request=return_request)
    assert stock_row(rnet, "WH01", "TEE-L") == (1, 0)
    assert order.lines.get().quantity_returned == 0


def test_exchange_is_ordered_when_the_return_arrives(rnet, settings):  # noqa: F811
    settings.RETURN_FEE = "0.00"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = other = _same_product(rnet, "TEE-M", "TEE-L")
    _stock(rnet, "MI01", other, 1)
    return_request = services.request_return(
        how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")], exchange=[{"sku": "TEE-L", "quantity": 1}]
    )
    assert stock_row(rnet, "MI01", "TEE-L") == (1, 1)
    services.receive_return(
        return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    replacement = return_request.exchange_order
    assert replacement.method == "store_pickup" and replacement.pickup_location == rnet["MI01"]
    assert [(x.sku.code, x.unit_price) for x in replacement.lines.all()] == [("TEE-L", Decimal("29.90"))]
    assert stock_row(rnet, "MI01", "TEE-L") == (1, 1)  # now held by the replacement order
    assert return_request.refunded_amount == Decimal("0.00")
    assert "exchange_ordered" in events(return_request)


def _same_product(net, code, new_code):
    from tests.inventory.factories import SKUFactory

    return SKUFactory(code=new_code, product=net["skus"][code].product, size="L")


def _stock(net, location, sku, quantity):
    from inventory import services as stock

    stock.receive_stock(location=net[location], sku=sku, quantity=quantity)


# ------------------------------------------------------------------------------------------------- refusals


def _nothing_written(order):
    assert Return.objects.count() == 0
    assert order.lines.get().quantity_returned == 0


def test_unknown_order_is_404_and_another_customers_email_too(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    with pytest.raises(NotFound):
        services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[{**line(order, "TEE-M"), "order": "X"}])
    with pytest.raises(NotFound):
        services.request_return(
            how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")], customer_email="other@example.com"
        )
    _nothing_written(order)


def test_a_unit_not_delivered_yet_cannot_come_back(rnet):  # noqa: F811
    order = place(rnet, [("TEE-M", 1, "29.90")])
    with pytest.raises(NotReturnable) as refused:
        services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    assert refused.value.details["why"] == "not_delivered"
    _nothing_written(order)


def test_past_the_window_cannot_come_back(rnet, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    with time_machine.travel(timezone.now() + timedelta(days=settings.RETURN_WINDOW_DAYS + 1)):
        with pytest.raises(NotReturnable) as refused:
            services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    assert refused.value.details["why"] == "window"
    _nothing_written(order)


def test_a_non_returnable_category_cannot_come_back(rnet, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    settings.RETURN_EXCLUDED_CATEGORIES = [rnet["skus"]["TEE-M"].product.category]
    with pytest.raises(NotReturnable) as refused:
        services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    assert refused.value.details["why"] == "category"
    _nothing_written(order)


def test_a_unit_is_returned_once(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    with pytest.raises(AlreadyReturned):
        services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    assert Return.objects.count() == 1


def test_a_store_that_does_not_take_returns_and_bad_counts_are_refused(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    with pytest.raises(MethodNotOffered):
        services.request_return(how=IN_STORE, location=rnet["VR01"], lines=[line(order, "TEE-M")])
    with pytest.raises(InvalidInput):
        services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M", reason="meh")])
    _nothing_written(order)
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    with pytest.raises(InvalidInput):  # a unit without a destination
        services.receive_return(
            return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1)]
        )
    with pytest.raises(InvalidInput):  # more than announced
        services.receive_return(
            return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 2, restock_here=2)]
        )
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.REQUESTED


def test_overdue_courier_returns_are_flagged_once(rnet, settings):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M")])
    assert services.flag_overdue_returns() == 0
    later = timezone.now() + timedelta(days=settings.RETURN_DUE_DAYS + 1)
    assert services.flag_overdue_returns(now=later) == 1
    assert services.flag_overdue_returns(now=later) == 0
    assert events(return_request) == ["requested", "overdue"]


# ------------------------------------------------------------------------------------------------- messages


def test_the_customer_is_told_at_each_step(rnet, settings):  # noqa: F811
    from notifications.models import Notification

    settings.RETURN_FEE = "4.90"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=Return.How.CARRIER, lines=[line(order, "TEE-M")], label="BRT-R77")
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    emails = {
        n.event: n
        for n in Notification.objects.filter(return_request=return_request, channel=Notification.Channel.EMAIL)
    }
    assert set(emails) == {"return_requested", "return_received", "return_refunded"}
    started = emails["return_requested"]
    assert started.recipient == "giulia@example.com"
    assert f"write {return_request.number} on the parcel" in started.body_text
    assert "with label BRT-R77" in started.body_text
    assert f"/return/{return_request.token}/" in started.body_text
    assert "We refunded 25.00 EUR" in emails["return_refunded"].subject
    sms = Notification.objects.filter(return_request=return_request, channel=Notification.Channel.SMS)
    assert sms.count() == 3 and all(n.recipient == "+393331234567" for n in sms)


def test_the_customer_reads_italian(rnet):  # noqa: F811
    from notifications.models import Notification

    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    order.contact_locale = "it"
    order.save(update_fields=["contact_locale"])
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    email = Notification.objects.get(return_request=return_request, channel="email")
    assert email.locale == "it"
    assert return_request.number in email.subject and "Reso" in email.subject


def test_units_sent_on_leave_the_store_and_are_booked_in_at_the_warehouse(rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    return_request = services.request_return(how=IN_STORE, location=rnet["MI01"], lines=[line(order, "TEE-M")])
    services.receive_return(
        return_request=return_request, location=rnet["MI01"], lines=[received(order, "TEE-M", 1, send_to_warehouse=1)]
    )
    store, centre = stock_row(rnet, "MI01", "TEE-M"), stock_row(rnet, "WH01", "TEE-M")
    assert services.transfer_pending(return_request)
    with pytest.raises(NotFound):  # not on its way yet
        services.receive_return_transfer(return_request=return_request, location=rnet["WH01"])
    services.ship_return_transfer(return_request=return_request, location=rnet["MI01"])
    assert stock_row(rnet, "MI01", "TEE-M") == (store[0] - 1, store[1] - 1)
    with pytest.raises(InvalidTransition):
        services.ship_return_transfer(return_request=return_request, location=rnet["MI01"])
    with pytest.raises(NotFound):  # only the returns centre books it in
        services.receive_return_transfer(return_request=return_request, location=rnet["MI02"])
    services.receive_return_transfer(return_request=return_request, location=rnet["WH01"])
    assert stock_row(rnet, "WH01", "TEE-M") == (centre[0] + 1, centre[1])
    with pytest.raises(InvalidTransition):
        services.receive_return_transfer(return_request=return_request, location=rnet["WH01"])
    reasons = list(
        StockMovement.objects.filter(reference=return_request.number)
        .order_by("id")
        .values_list("reason", "delta_on_hand")
    )
    assert reasons == [("return", 1), ("transfer_out", -1), ("transfer_in", 1)]
    assert events(return_request)[-2:] == ["transfer_shipped", "transfer_received"]


def test_a_courier_returns_exchange_is_delivered_where_the_order_went(rnet, settings):  # noqa: F811
    settings.RETURN_FEE = "0.00"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = other = _same_product(rnet, "TEE-M", "TEE-L")
    _stock(rnet, "WH01", other, 1)
    return_request = services.request_return(
        how=Return.How.CARRIER, lines=[line(order, "TEE-M")], exchange=[{"sku": "TEE-L", "quantity": 1}]
    )
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    replacement = return_request.exchange_order
    assert replacement.method == "home_delivery" and replacement.shipping_address == order.shipping_address
    assert replacement.payment.provider == "exchange" and replacement.total == Decimal("29.90")
    assert stock_row(rnet, "WH01", "TEE-L") == (1, 1)


def test_an_exchange_no_longer_available_at_receipt_is_refunded_instead(rnet, settings):  # noqa: F811
    from notifications.models import Notification

    settings.RETURN_FEE = "0.00"
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = other = _same_product(rnet, "TEE-M", "TEE-L")
    _stock(rnet, "WH01", other, 1)
    return_request = services.request_return(
        how=Return.How.CARRIER, lines=[line(order, "TEE-M")], exchange=[{"sku": "TEE-L", "quantity": 1}]
    )
    other.active = False  # withdrawn from sale while the parcel travelled
    other.save(update_fields=["active"])
    services.receive_return(
        return_request=return_request, location=rnet["WH01"], lines=[received(order, "TEE-M", 1, restock_here=1)]
    )
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CLOSED and return_request.exchange_order is None
    assert return_request.refunded_amount == Decimal("29.90")
    assert stock_row(rnet, "WH01", "TEE-L") == (1, 0)  # the hold went back
    assert "exchange_unavailable" in events(return_request)
    assert Notification.objects.filter(return_request=return_request, event="return_exchange_unavailable").exists()


def test_with_the_policy_switch_the_exchange_ships_at_once(rnet, settings):  # noqa: F811
    settings.EXCHANGE_SHIPS_BEFORE_RETURN = True
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = other = _same_product(rnet, "TEE-M", "TEE-L")
    _stock(rnet, "WH01", other, 1)
    return_request = services.request_return(
        how=Return.How.CARRIER, lines=[line(order, "TEE-M")], exchange=[{"sku": "TEE-L", "quantity": 1}]
    )
    return_request.refresh_from_db()
    assert return_request.exchange_order is not None  # ordered before the original came back
    assert return_request.exchange_order.fulfillments.get().status == "pending"


def test_receiving_costs_the_same_statements_for_one_item_or_three(rnet):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def receive(order, skus):
        return_request = services.request_return(
            how=IN_STORE, location=rnet["MI01"], lines=[line(order, sku) for sku in skus]
        )
        counts = [received(order, sku, 1, restock_here=1) for sku in skus]
        with CaptureQueriesContext(connection) as statements:
            services.receive_return(return_request=return_request, location=rnet["MI01"], lines=counts)
        return len(statements)

    one = receive(delivered(rnet, [("TEE-M", 1, "20.00")]), ["TEE-M"])
    three = receive(
        delivered(
            rnet, [("TEE-M", 1, "20.00"), ("JEANS-42", 1, "30.00"), ("SCARF", 1, "10.00")], email="x@example.com"
        ),
        ["TEE-M", "JEANS-42", "SCARF"],
    )
    assert three == one, (one, three)
