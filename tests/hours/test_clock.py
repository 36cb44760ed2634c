"""Business-time arithmetic (touchpoint.hours), framework-free: examples a shop would check by hand,
then properties over any week, any start and any duration, including the nights clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint.hours import (
    HoursInvalid,
    OpeningHours,
    business_add,
    business_between,
    business_subtract,
    is_open,
    next_open,
)

LONDON = ZoneInfo("Europe/London")
OFFICE = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London")


def local(text: str, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_a_four_hour_limit_opened_on_friday_evening_falls_due_on_monday_within_the_hours() -> None:
    # Friday 4 December 2026, 17:30: closed until Monday 09:00, then four hours
    assert business_add(local("2026-12-04T17:30"), timedelta(hours=4), OFFICE) == local("2026-12-07T13:00")
    # opened at 15:30, an hour and a half on Friday and two and a half on Monday
    assert business_add(local("2026-12-04T15:30"), timedelta(hours=4), OFFICE) == local("2026-12-07T11:30")


def test_the_last_minute_of_a_day_falls_due_at_the_close_not_the_next_morning() -> None:
    assert business_add(local("2026-12-07T13:00"), timedelta(hours=4), OFFICE) == local("2026-12-07T17:00")
    assert business_add(local("2026-12-07T17:00"), timedelta(minutes=1), OFFICE) == local("2026-12-08T09:01")


def test_closed_dates_and_split_days() -> None:
    christmas = OpeningHours.parse(
        "Mon-Fri 09:00-12:30, 13:30-17:00; Sat 10:00-13:00",
        zone="Europe/London",
        closed={date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28)},
    )
    # Thursday 24th 16:00 + 3 h: one on the 24th, the 25th, 26th (Sat), 27th (Sun) and 28th closed,
    # then two on Tuesday 29th from 09:00 (the lunch hour doesn't count)
    assert business_add(local("2026-12-24T16:00"), timedelta(hours=3), christmas) == local("2026-12-29T11:00")
    assert business_add(local("2026-12-29T12:00"), timedelta(hours=1), christmas) == local("2026-12-29T14:00")
    assert not is_open(local("2026-12-29T13:00"), christmas)
    assert next_open(local("2026-12-29T13:00"), christmas) == local("2026-12-29T13:30")
    assert business_between(local("2026-12-24T16:00"), local("2026-12-29T11:00"), christmas) == timedelta(hours=3)


def test_hours_count_the_time_that_really_passes_when_clocks_change() -> None:
    night = OpeningHours.parse("Mon-Sun 00:00-24:00", zone="Europe/London")
    # Sunday 29 March 2026 has 23 hours in London, Sunday 25 October 25
    spring, autumn = local("2026-03-29T00:00"), local("2026-10-25T00:00")
    assert business_between(spring, spring + timedelta(days=1), night) == timedelta(hours=23)
    assert business_between(autumn, local("2026-10-26T00:00"), night) == timedelta(hours=25)
    assert business_add(spring, timedelta(hours=2), night) == local("2026-03-29T03:00")


def test_answers_are_the_same_moment_whatever_zone_the_question_came_in() -> None:
    tokyo = local("2026-12-05T01:30", ZoneInfo("Asia/Tokyo"))  # Friday 16:30 in London
    assert business_add(tokyo, timedelta(hours=1), OFFICE) == local("2026-12-07T09:30")
    assert business_add(tokyo, timedelta(hours=1), OFFICE).tzinfo == UTC


@pytest.mark.parametrize(
    ("spec", "zone", "says"),
    [
        ("", "Europe/London", "no opening hours given"),
        ("Mon-Fri", "Europe/London", "say the times after the days"),
        ("Mon-Fri 17:00-09:00", "Europe/London", "closes before it opens"),
        ("Funday 09:00-17:00", "Europe/London", "is not a day or a range of days"),
        ("Fri-Mon 09:00-17:00", "Europe/London", "is not a day or a range of days"),
        ("Mon 9-5", "Europe/London", "is not a time of day"),
        ("Mon 09:00-25:00", "Europe/London", "is not a time of day"),
        ("Mon 09:00-13:00, 12:00-17:00", "Europe/London", "the times overlap"),
        ("Mon-Fri 09:00-17:00; Fri 18:00-20:00", "Europe/London", "Friday is given twice"),
        ("Mon-Fri 09:00-17:00", "Mars/Olympus", "is not a time zone"),
    ],
)
def test_hours_that_cant_be_used_say_what_to_write(spec: str, zone: str, says: str) -> None:
    with pytest.raises(HoursInvalid, match=says):
        OpeningHours.parse(spec, zone=zone)


def test_hours_read_back_as_a_person_writes_them() -> None:
    spec = "mon-fri 09:00–12:30, 13:30-17:00; Sat 10:00-13:00; sun 10:00-13:00"
    hours = OpeningHours.parse(spec, zone="Europe/Paris")
    assert hours.describe() == "Mon–Fri 09:00–12:30, 13:30–17:00; Sat–Sun 10:00–13:00 (Europe/Paris)"


def test_a_naive_moment_or_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        business_add(datetime(2026, 12, 7, 9), timedelta(hours=1), OFFICE)
    with pytest.raises(ValueError, match="can't be negative"):
        business_add(local("2026-12-07T09:00"), timedelta(hours=-1), OFFICE)


def test_hours_closed_for_longer_than_a_year_are_refused_not_looped_on() -> None:
    closed = {date(2027, 1, 1) + timedelta(days=n) for n in range(500)}
    hours = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London", closed=closed)
    with pytest.raises(HoursInvalid, match="closed for more than 400 days"):
        business_add(local("2026-12-31T17:00"), timedelta(hours=1), hours)


# -- properties ----------------------------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
CLOCK = st.integers(min_value=0, max_value=24 * 4).map(lambda q: q * 15)  # quarter hours, 00:00 … 24:00


@st.composite
def weeks(draw: st.DrawFn) -> OpeningHours:
    days = []
    for _ in range(7):
        if draw(st.booleans()):
            days.append("")
            continue
        a, b = sorted(draw(st.lists(CLOCK, min_size=2, max_size=2, unique=True)))
        days.append(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}")
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    spec = "; ".join(f"{name} {times}" for name, times in zip(names, days, strict=True) if times)
    if not spec:
        spec = "Wed 10:00-11:00"
    closed = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20))
    return OpeningHours.parse(spec, zone=draw(st.sampled_from(ZONES)), closed=closed)


MOMENTS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))
DURATIONS = st.integers(min_value=1, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(hours=weeks(), start=MOMENTS, duration=DURATIONS)
def test_adding_then_subtracting_returns_the_start(hours: OpeningHours, start: datetime, duration: timedelta) -> None:
    due = business_add(start, duration, hours)
    assert due > start
    assert business_subtract(due, duration, hours) == next_open(start, hours)
    assert business_between(start, due, hours) == duration


@settings(max_examples=200, deadline=None)
@given(hours=weeks(), start=MOMENTS, first=DURATIONS, second=DURATIONS)
def test_adding_twice_is_adding_the_sum(
    hours: OpeningHours, start: datetime, first: timedelta, second: timedelta
) -> None:
    once = business_add(start, first + second, hours)
    assert business_add(business_add(start, first, hours), second, hours) == once


@settings(max_examples=200, deadline=None)
@given(hours=weeks(), start=MOMENTS)
def test_the_next_opening_is_open_and_nothing_before_it_is(hours: OpeningHours, start: datetime) -> None:
    opening = next_open(start, hours)
    assert opening >= start and is_open(opening, hours)
    assert business_between(start, opening, hours) == timedelta(0)
