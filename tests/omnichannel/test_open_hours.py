"""A promise counted in a location's opening hours (`omnichannel.localtime.add_open_hours`)."""

import zoneinfo
from datetime import UTC, datetime

from omnichannel.localtime import add_open_hours

ROME = zoneinfo.ZoneInfo("Europe/Rome")
SHOP_WEEK = {day: [["10:00", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}  # closed on Sunday
SPLIT_DAY = {day: [["09:00", "13:00"], ["15:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


def test_hours_after_closing_carry_over_the_closed_sunday():
    # Saturday 18:00 + 4 open hours: 1.5 h on Saturday, Sunday closed, 2.5 h from Monday 10:00.
    end = add_open_hours(start=rome(2027, 3, 6, 18, 0), hours=4, opening_hours=SHOP_WEEK, tz_name="Europe/Rome")
    assert end == rome(2027, 3, 8, 12, 30)


def test_an_order_placed_at_night_starts_counting_at_opening():
    end = add_open_hours(start=rome(2027, 3, 9, 23, 0), hours=2, opening_hours=SHOP_WEEK, tz_name="Europe/Rome")
    assert end == rome(2027, 3, 10, 12, 0)


def test_the_lunch_break_is_not_counted():
    end = add_open_hours(start=rome(2027, 3, 9, 12, 0), hours=3, opening_hours=SPLIT_DAY, tz_name="Europe/Rome")
    assert end == rome(2027, 3, 9, 17, 0)


def test_a_dst_night_is_as_long_as_it_really_is():
    # Open all day every day; on 28 March 2027 the clocks jump from 02:00 to 03:00 in Rome.
    always = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    end = add_open_hours(start=rome(2027, 3, 27, 23, 0), hours=3, opening_hours=always, tz_name="Europe/Rome")
    # 59 minutes on Saturday, then 2 h 1 min of real time from Sunday 00:00: 03:01 on the new clock.
    assert end == rome(2027, 3, 28, 3, 1) and end == datetime(2027, 3, 28, 1, 1, tzinfo=UTC)


def test_a_location_without_hours_works_round_the_clock():
    start = rome(2027, 3, 7, 22, 0)
    assert add_open_hours(start=start, hours=24, opening_hours={}, tz_name="Europe/Rome") == rome(2027, 3, 8, 22, 0)
