"""Time where the store and its customers are: quiet hours and opening hours, DST-safe through zoneinfo.

Every function takes and returns aware datetimes; a store's wall-clock times are resolved with its own
time zone on the calendar day they belong to, so a 48-hour window across a DST change stays 48 real hours
and "closes at 19:30" means 19:30 on that day's clock.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

# Nothing goes to a customer between 21:00 and 08:00 of their (the store's) clock.
QUIET_START, QUIET_END = time(21, 0), time(8, 0)
# When a reminder would fall in the night and the morning is too late, it goes out this evening instead.
EVENING = time(20, 0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_night(moment: datetime, tz_name: str) -> bool:
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name)).time()
    return not (QUIET_END <= local < QUIET_START)


def after_quiet_hours(moment: datetime, tz_name: str) -> datetime:
    """`moment` if it is daytime where the customer is, else the next 08:00 there."""
    if not is_night(moment, tz_name):
        return moment
    tz = zoneinfo.ZoneInfo(tz_name)
    local = moment.astimezone(tz)
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=tz).astimezone(UTC)


def evening_before_night(moment: datetime, tz_name: str) -> datetime:
    """For a moment in the night: EVENING of the day that night began."""
    tz = zoneinfo.ZoneInfo(tz_name)
    local = moment.astimezone(tz)
    day = local.date() if local.time() >= QUIET_START else local.date() - timedelta(days=1)
    return datetime.combine(day, EVENING, tzinfo=tz).astimezone(UTC)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def open_until(*, start: datetime, end: datetime, opening_hours: dict, tz_name: str) -> datetime:
    """The end of a window that runs from `start` for a while and should finish while the store is open:
    `end` itself when the store is open then, else the store's last closing time before `end` (the customer
    can still come that day). `end` unchanged when the store has no hours or does not close between the two."""
    if not opening_hours:
        return end
    tz = zoneinfo.ZoneInfo(tz_name)
    last_day, first_day = end.astimezone(tz).date(), start.astimezone(tz).date()
    day = last_day
    while day >= first_day:
        intervals = opening_hours.get(WEEKDAYS[day.weekday()]) or []
        for opens, closes in sorted(intervals, reverse=True):
            opens_at = datetime.combine(day, _clock(opens), tzinfo=tz)
            closes_at = datetime.combine(day, _clock(closes), tzinfo=tz)
            if opens_at > end:
                continue  # this opening is after the window
            if end <= closes_at:
                return end  # the store is open when the window ends
            return closes_at.astimezone(UTC) if closes_at > start else end
        day -= timedelta(days=1)
    return end


def closing_time_from(moment: datetime, *, opening_hours: dict, tz_name: str) -> datetime:
    """The first time the store closes at or after `moment` (the end of the opening it is in, else of its next
    one): a deadline the customer reads as "by 19:30" and that never shortens the time they were given.
    `moment` unchanged when the store has no hours."""
    if not any(opening_hours.get(day) for day in WEEKDAYS):
        return moment
    tz = zoneinfo.ZoneInfo(tz_name)
    day = moment.astimezone(tz).date()
    for _week in range(8):
        for _opens, closes in sorted(opening_hours.get(WEEKDAYS[day.weekday()]) or []):
            closes_at = datetime.combine(day, _clock(closes), tzinfo=tz)
            if closes_at >= moment:
                return closes_at.astimezone(UTC)
        day += timedelta(days=1)
    return moment


def add_open_hours(*, start: datetime, hours: float, opening_hours: dict, tz_name: str) -> datetime:
    """The moment `hours` of the location's opening time have passed since `start` (a promise counted in the hours
    the location works: 4 open hours from Saturday 18:00 at a store open 10:00–19:30 and closed on Sunday end on
    Monday at 12:30). A location with no hours works round the clock. Opening times are read on each day's own
    clock and the time counted in real hours, so a DST night is as long as it really is."""
    remaining = timedelta(hours=hours)
    if not any(opening_hours.get(day) for day in WEEKDAYS):
        return (start + remaining).astimezone(UTC)
    tz = zoneinfo.ZoneInfo(tz_name)
    moment = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _day in range(366):
        for opens, closes in sorted(opening_hours.get(WEEKDAYS[day.weekday()]) or []):
            opens_at = datetime.combine(day, _clock(opens), tzinfo=tz).astimezone(UTC)
            closes_at = datetime.combine(day, _clock(closes), tzinfo=tz).astimezone(UTC)
            begin = max(opens_at, moment)
            if begin >= closes_at:
                continue
            if begin + remaining <= closes_at:
                return begin + remaining
            remaining -= closes_at - begin
        day += timedelta(days=1)
    return moment + remaining


def long_date(moment: datetime, tz_name: str) -> str:
    """ "Tuesday 1 December, 19:30" / "martedì 1 dicembre, 19:30": a day and time on the store's clock in the
    active language; Italian writes weekday and month names in lower case (Django's catalogue capitalizes them)."""
    from django.utils import translation
    from django.utils.formats import date_format

    text = date_format(moment.astimezone(zoneinfo.ZoneInfo(tz_name)), "l j F, H:i")
    return text.lower() if (translation.get_language() or "").startswith("it") else text
