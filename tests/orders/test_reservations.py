"""Click & reserve through the services: every end state with stock, events and messages; the hold window and
the reminder's night rule on the store's clock, across both DST changes of Europe/Rome."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from inventory.errors import InsufficientStock
from inventory.models import StockHold, StockLevel, StockMovement
from notifications.models import Notification
from omnichannel.errors import InvalidInput, InvalidTransition, NotFound
from orders import services
from orders.errors import MethodNotOffered, ReservationLimit
from orders.models import Customer, Reservation
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)
from tests.stores.factories import LocationFactory

pytestmark = pytest.mark.django_db

# Monday 16 November 2026, 11:00 in Milan (CET, UTC+1).
MONDAY_MORNING = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def reserve(shops, lines, *, store="MI01", who=None):  # noqa: F811
    return services.reserve_items(
        channel=shops["web"],
        customer=who or customer(),
        location=store,
        lines=[{"sku": sku, "quantity": qty} for sku, qty in lines],
    )


def level(shops, store, sku):  # noqa: F811
    row = StockLevel.objects.get(location=shops[store], sku=shops["skus"][sku])
    return row.on_hand, row.committed


def messages(reservation):
    return sorted(reservation.notifications.values_list("event", "channel"))


def timeline(reservation):
    return list(reservation.events.values_list("type", flat=True))


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_a_reservation_takes_the_items_out_of_sale_and_confirms_with_address_hours_and_end(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2), ("JEANS-42", 1)])

    assert reservation.status == "held" and reservation.number.startswith("RS-")
    assert reservation.expires_at == MONDAY_MORNING + timedelta(hours=48)  # Wednesday 11:00, the store is open
    assert level(shops, "MI01", "TEE-M") == (5, 2) and level(shops, "MI01", "JEANS-42") == (1, 1)
    holds = StockHold.objects.filter(reference=f"reservation:{reservation.number}")
    assert {(h.kind, h.quantity, h.expires_at) for h in holds} == {
        ("reservation", 2, reservation.expires_at),
        ("reservation", 1, reservation.expires_at),
    }
    assert timeline(reservation) == ["held"]
    assert messages(reservation) == [("reservation_held", "email"), ("reservation_held", "sms")]
    email = reservation.notifications.get(channel="email")
    assert "Corso Buenos Aires 33, Milano" in email.body_text
    assert "Monday: 10:00–19:30" in email.body_text and "Sunday: 11:00–19:00" in email.body_text
    assert "Held for you until: Wednesday 18 November, 11:00" in email.body_text  # 10:00 UTC = 11:00 in Milan
    assert "track" not in email.body_text  # no tracking link for a reservation
    sms = reservation.notifications.get(channel="sms")
    assert reservation.number in sms.body_text and "Wednesday 18 November, 11:00" in sms.body_text


def test_bought_at_the_till_the_stock_leaves_on_a_pos_sale_with_the_receipt(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2)])

    services.mark_purchased(reservation=reservation, pos_receipt=" 0042-0815 ")

    reservation.refresh_from_db()
    assert reservation.status == "purchased" and reservation.pos_receipt == "0042-0815" and reservation.closed_at
    assert level(shops, "MI01", "TEE-M") == (3, 0)
    movement = StockMovement.objects.get(reason="pos_sale")
    assert (movement.delta_on_hand, movement.reference) == (-2, "pos:0042-0815")
    assert timeline(reservation) == ["held", "purchased"]
    assert reservation.events.get(type="purchased").data == {
        "pos_receipt": "0042-0815",
        "bought": [{"sku": "TEE-M", "quantity": 2}],
    }
    assert messages(reservation) == [("reservation_held", "email"), ("reservation_held", "sms")]  # in store already
    assert_ledger_agrees()


def test_buying_part_of_a_reservation_sells_that_and_puts_the_rest_back(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2), ("SCARF", 1)])
    tee = reservation.lines.get(sku__code="TEE-M")

    services.mark_purchased(reservation=reservation, bought={tee.pk: 1})

    assert level(shops, "MI01", "TEE-M") == (4, 0)  # one sold, one back on sale
    assert level(shops, "MI01", "SCARF") == (2, 0)
    tee.refresh_from_db()
    assert tee.quantity_purchased == 1
    movement = StockMovement.objects.get(reason="pos_sale")
    assert movement.reference == f"reservation:{reservation.number}"  # no receipt given


def test_buying_nothing_or_more_than_reserved_is_refused_and_changes_nothing(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 1)])
    line = reservation.lines.get()
    for bought in ({line.pk: 0}, {line.pk: 2}, {line.pk + 999: 1}):
        with pytest.raises(InvalidInput):
            services.mark_purchased(reservation=reservation, bought=bought)
    reservation.refresh_from_db()
    assert reservation.status == "held" and level(shops, "MI01", "TEE-M") == (5, 1)
    assert timeline(reservation) == ["held"]


def test_came_and_did_not_buy_puts_everything_back_without_a_message(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 1), ("JEANS-42", 1)])

    services.mark_declined(reservation=reservation, reason="did not fit")

    reservation.refresh_from_db()
    assert reservation.status == "declined"
    assert level(shops, "MI01", "TEE-M") == (5, 0) and level(shops, "MI01", "JEANS-42") == (1, 0)
    assert set(StockHold.objects.values_list("status", flat=True)) == {"released"}
    assert timeline(reservation) == ["held", "declined"]
    assert Notification.objects.filter(event="reservation_declined").count() == 0


def test_the_customer_cancels_stock_back_and_told(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 2)])

    services.cancel_reservation(reservation=reservation, reason="changed my mind")

    reservation.refresh_from_db()
    assert reservation.status == "cancelled" and level(shops, "MI01", "TEE-M") == (5, 0)
    assert reservation.events.get(type="cancelled").data == {"reason": "changed my mind", "by": "customer"}
    assert ("reservation_cancelled", "email") in messages(reservation)
    assert ("reservation_cancelled", "sms") in messages(reservation)


def test_no_show_expires_after_48_hours_once_and_the_customer_is_told(shops):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        reservation = reserve(shops, [("TEE-M", 1)])
    with time_machine.travel(MONDAY_MORNING + timedelta(hours=47, minutes=59), tick=False):
        assert services.expire_reservations() == 0
    with time_machine.travel(MONDAY_MORNING + timedelta(hours=48, minutes=5), tick=False):
        assert services.expire_reservations() == 1
        assert services.expire_reservations() == 0  # idempotent

    reservation.refresh_from_db()
    assert reservation.status == "expired" and level(shops, "MI01", "TEE-M") == (5, 0)
    assert timeline(reservation) == ["held", "expired"]
    expired = reservation.notifications.filter(event="reservation_expired")
    assert sorted(expired.values_list("channel", flat=True)) == ["email", "sms"]
    assert "back on sale" in expired.get(channel="sms").body_text
    with pytest.raises(InvalidTransition) as refused:
        services.mark_purchased(reservation=reservation)
    assert refused.value.details["current"] == "expired"
    assert_ledger_agrees()


def test_one_reminder_24_hours_before_the_end(shops):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        reservation = reserve(shops, [("TEE-M", 1)])
        assert services.send_reservation_reminders() == 0
    assert reservation.remind_at == reservation.expires_at - timedelta(hours=24)
    with time_machine.travel(reservation.remind_at + timedelta(minutes=3), tick=False):
        assert services.send_reservation_reminders() == 1
        assert services.send_reservation_reminders() == 0  # exactly once
    assert timeline(reservation) == ["held", "reminder"]
    reminders = reservation.notifications.filter(event="reservation_reminder")
    assert sorted(reminders.values_list("channel", flat=True)) == ["email", "sms"]
    assert "held until Wednesday 18 November, 11:00" in reminders.get(channel="sms").body_text


def test_a_closed_reservation_is_not_reminded(shops):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        reservation = reserve(shops, [("TEE-M", 1)])
        services.mark_declined(reservation=reservation)
    with time_machine.travel(reservation.remind_at + timedelta(minutes=3), tick=False):
        assert services.send_reservation_reminders() == 0


def test_every_move_from_a_closed_reservation_is_refused(shops):  # noqa: F811
    reservation = reserve(shops, [("TEE-M", 1)])
    services.mark_declined(reservation=reservation)
    for move in (services.mark_purchased, services.mark_declined, services.cancel_reservation):
        with pytest.raises(InvalidTransition):
            move(reservation=reservation)
    assert timeline(reservation) == ["held", "declined"]


# ------------------------------------------------------------------------------------------------- refusals


def nothing_written(shops):  # noqa: F811
    assert Reservation.objects.count() == 0
    assert StockHold.objects.count() == 0
    assert StockLevel.objects.filter(committed__gt=0).count() == 0
    assert Notification.objects.count() == 0


def test_not_enough_stock_is_409_per_line_and_nothing_is_held(shops):  # noqa: F811
    with pytest.raises(InsufficientStock) as refused:
        reserve(shops, [("TEE-M", 2), ("JEANS-42", 2)])
    assert refused.value.status_code == 409
    assert refused.value.lines == [{"sku": "JEANS-42", "location": "MI01", "requested": 2, "available": 1}]
    nothing_written(shops)
    assert Customer.objects.count() == 0


def test_a_store_without_click_and_reserve_unknown_store_or_sku_are_refused(shops):  # noqa: F811
    with pytest.raises(MethodNotOffered) as refused:
        reserve(shops, [("TEE-M", 1)], store="VR01")
    assert refused.value.status_code == 422
    with pytest.raises(NotFound):
        reserve(shops, [("TEE-M", 1)], store="XX99")
    with pytest.raises(NotFound) as unknown:
        reserve(shops, [("NOPE", 1)])
    assert unknown.value.details == {"skus": ["NOPE"]}
    nothing_written(shops)


def test_units_per_line_limit_names_the_limit(shops, settings):  # noqa: F811
    settings.RESERVATION_MAX_UNITS_PER_LINE = 2
    with pytest.raises(ReservationLimit) as refused:
        reserve(shops, [("TEE-M", 3)])
    assert refused.value.status_code == 422
    assert refused.value.details == {"limit": "units_per_line", "max": 2, "skus": ["TEE-M"]}
    nothing_written(shops)


def test_open_reservations_per_customer_limit_frees_up_when_one_closes(shops, settings):  # noqa: F811
    settings.RESERVATION_MAX_OPEN_PER_CUSTOMER = 2
    first = reserve(shops, [("TEE-M", 1)])
    reserve(shops, [("SCARF", 1)], store="MI01")
    with pytest.raises(ReservationLimit) as refused:
        reserve(shops, [("TEE-M", 1)], store="BG01")
    assert refused.value.details == {"limit": "open_reservations_per_customer", "max": 2}
    assert reserve(shops, [("TEE-M", 1)], who=customer("someone.else@example.com")).status == "held"
    services.mark_purchased(reservation=first)
    assert reserve(shops, [("TEE-M", 1)], store="BG01").status == "held"


# ------------------------------------------------------------------------------------------------- windows

ROME = "Europe/Rome"


def store(hours):
    return LocationFactory(code="WIN01", opening_hours=hours, timezone=ROME)


def window(location, start):
    return services.reservation_window(location=location, start=start)


def test_the_hold_ends_at_closing_time_when_48_hours_fall_after_it(shops):  # noqa: F811
    milan = shops["MI01"]
    # Monday 20:15 in Milan (after closing): 48 h is Wednesday 20:15, the store closes at 19:30.
    start = datetime(2026, 11, 16, 19, 15, tzinfo=UTC)
    expires_at, _remind = window(milan, start)
    assert expires_at == datetime(2026, 11, 18, 18, 30, tzinfo=UTC)
    # Monday 19:00: 48 h is Wednesday 19:00, before closing: the full window.
    start = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
    assert window(milan, start)[0] == start + timedelta(hours=48)


def test_a_window_ending_on_a_closed_day_ends_at_the_last_closing_before_it(shops):  # noqa: F811
    bergamo = shops["BG01"]  # closed on Sunday, lunch break 13:00-15:30
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)  # 20:00 in Bergamo
    assert window(bergamo, friday_evening)[0] == datetime(2026, 11, 21, 18, 30, tzinfo=UTC)  # Saturday 19:30
    monday_1330 = datetime(2026, 11, 16, 12, 30, tzinfo=UTC)  # 48 h later is Wednesday's lunch break
    assert window(bergamo, monday_1330)[0] == datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday 13:00


def test_48_real_hours_across_the_autumn_dst_change(shops):  # noqa: F811
    milan = shops["MI01"]  # Sunday 11:00-19:00; clocks go back on Sunday 25 October 2026
    # Friday 23 October 19:15 CEST. 48 h later is Sunday 18:15 CET: open, so the full 48 h. (Adding two days on
    # the wall clock would give 19:15, after closing, and cut the hold to 19:00.)
    start = datetime(2026, 10, 23, 17, 15, tzinfo=UTC)
    assert window(milan, start)[0] == datetime(2026, 10, 25, 17, 15, tzinfo=UTC)
    # Friday 20:30 CEST: 48 h later is Sunday 19:30 CET, after closing: the hold ends at 19:00 CET.
    start = datetime(2026, 10, 23, 18, 30, tzinfo=UTC)
    assert window(milan, start)[0] == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


def test_closing_time_across_the_spring_dst_change(shops):  # noqa: F811
    milan = shops["MI01"]  # clocks go forward on Sunday 29 March 2026
    # Friday 27 March 18:45 CET. 48 h later is Sunday 19:45 CEST, after the 19:00 closing (on the wall clock it
    # would look like 18:45, still open): the hold ends at 19:00 CEST = 17:00 UTC.
    start = datetime(2026, 3, 27, 17, 45, tzinfo=UTC)
    assert window(milan, start)[0] == datetime(2026, 3, 29, 17, 0, tzinfo=UTC)


def test_a_reminder_due_at_night_moves_to_the_morning_across_the_dst_change(shops):  # noqa: F811
    late_store = store({day: [["10:00", "23:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    # Saturday 24 October 22:30 CEST: the hold runs to Monday 21:30 CET (48 real hours; the store is open).
    start = datetime(2026, 10, 24, 20, 30, tzinfo=UTC)
    expires_at, remind_at = window(late_store, start)
    assert expires_at == datetime(2026, 10, 26, 20, 30, tzinfo=UTC)
    # 24 h before is Sunday 21:30 CET, night: the reminder waits for Monday 08:00 CET (= 07:00 UTC, not 06:00).
    assert remind_at == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def test_a_night_reminder_goes_the_evening_before_when_the_morning_is_too_late(shops, settings):  # noqa: F811
    settings.RESERVATION_REMINDER_BEFORE = timedelta(hours=1)
    early_store = store({day: [["06:00", "09:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    # Monday 08:30 CET: the hold ends Wednesday 08:30; due 07:30 (night) and 08:00 would leave 30 minutes.
    expires_at, remind_at = window(early_store, datetime(2026, 11, 16, 7, 30, tzinfo=UTC))
    assert expires_at == datetime(2026, 11, 18, 7, 30, tzinfo=UTC)
    assert remind_at == datetime(2026, 11, 17, 19, 0, tzinfo=UTC)  # Tuesday 20:00 CET


def test_no_reminder_when_the_hold_is_shorter_than_the_reminder_lead(shops):  # noqa: F811
    bergamo = shops["BG01"]
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)  # hold to Saturday 19:30: 23.5 h
    assert window(bergamo, friday_evening) == (datetime(2026, 11, 21, 18, 30, tzinfo=UTC), None)


def test_the_reminder_job_never_sends_at_night(shops):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        reservation = reserve(shops, [("TEE-M", 1)])
    # The worker was down at the due moment and comes back at 23:30 in Milan: nothing until the morning.
    Reservation.objects.filter(pk=reservation.pk).update(remind_at=datetime(2026, 11, 17, 19, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 11, 17, 22, 30, tzinfo=UTC), tick=False):
        assert services.send_reservation_reminders() == 0
    with time_machine.travel(datetime(2026, 11, 18, 7, 0, tzinfo=UTC), tick=False):  # 08:00 in Milan
        assert services.send_reservation_reminders() == 1
    sms = reservation.notifications.get(event="reservation_reminder", channel="sms")
    assert sms.send_after == datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
