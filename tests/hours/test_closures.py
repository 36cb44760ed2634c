"""Closed days from where shops keep them: a country's public holidays and the shop's own calendar
file. The calendar here is written as Google Calendar and Outlook export theirs (RFC 5545)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.hours.test_clock import local
from touchpoint.hours import HoursInvalid, OpeningHours, business_add
from touchpoint.hours.closures import calendar_closed_days, public_holidays

SHOP_CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VEVENT\r
UID:stocktake@shop.example\r
DTSTART;VALUE=DATE:20261230\r
DTEND;VALUE=DATE:20270101\r
SUMMARY:Stocktake\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:birthday@shop.example\r
DTSTART;VALUE=DATE:20260612\r
RRULE:FREQ=YEARLY\r
SUMMARY:Shop's birthday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:meeting@shop.example\r
DTSTART:20261207T090000Z\r
DTEND:20261207T100000Z\r
SUMMARY:Team meeting\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_public_holidays_by_country_and_region() -> None:
    england = public_holidays("gb", [2026], region="eng")
    assert england[date(2026, 12, 25)] == "Christmas Day"
    assert date(2026, 8, 31) in england  # the summer bank holiday in England …
    assert date(2026, 8, 3) in public_holidays("GB", [2026], region="SCT")  # … and Scotland's, earlier
    assert date(2026, 8, 3) not in england


@pytest.mark.parametrize(
    ("country", "region", "says"),
    [("XX", "", "no public holidays are known for “XX”"), ("GB", "ZZ", "and a region it has")],
)
def test_an_unknown_country_or_region_says_what_to_write(country: str, region: str, says: str) -> None:
    with pytest.raises(HoursInvalid, match=says):
        public_holidays(country, [2026], region=region)


def test_a_shops_calendar_closes_its_all_day_events_and_says_what_it_skipped() -> None:
    found = calendar_closed_days(SHOP_CALENDAR, years=[2026, 2027])
    assert found.closed == {
        date(2026, 6, 12): "Shop's birthday",
        date(2026, 12, 30): "Stocktake",
        date(2026, 12, 31): "Stocktake",
        date(2027, 6, 12): "Shop's birthday",
    }
    assert found.skipped == ["“Team meeting”: has a time of day, so it closes no whole day (set the hours for that)"]


def test_closed_days_from_both_move_a_limit_past_them() -> None:
    closed = set(public_holidays("GB", [2026, 2027], region="ENG")) | set(
        calendar_closed_days(SHOP_CALENDAR, years=[2026, 2027]).closed
    )
    hours = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London", closed=closed)
    # Tuesday 29 December 16:00 + 2 h: one hour that day; 30th, 31st stocktake, 1 Jan a holiday,
    # then the weekend: Monday 4 January 10:00
    assert business_add(local("2026-12-29T16:00"), timedelta(hours=2), hours) == local("2027-01-04T10:00")


@pytest.mark.parametrize("data", [b"", b"not a calendar", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", bytes(range(256))])
def test_a_file_that_is_not_a_calendar_is_refused_saying_so(data: bytes) -> None:
    with pytest.raises(HoursInvalid, match="this is not an iCalendar file"):
        calendar_closed_days(data, years=[2026])
