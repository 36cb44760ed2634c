"""Quiet hours (hours/quiet.py): the moment a text held through the night may go, around midnight
and the clocks changing, in the recipient's zone; and the zones a number belongs to."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpoint.hours.quiet import in_quiet_hours, quiet_until
from touchpoint.text.phones import phone_zones

LONDON, NEW_YORK, SYDNEY = ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")
NIGHT = {"start": time(21, 0), "end": time(8, 0)}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "until"),
    [
        (LONDON, "2026-12-07 20:59:59", None),
        (LONDON, "2026-12-07 21:00:00", "2026-12-08 08:00:00"),
        (LONDON, "2026-12-07 23:59:59", "2026-12-08 08:00:00"),
        (LONDON, "2026-12-08 00:00:00", "2026-12-08 08:00:00"),
        (LONDON, "2026-12-08 07:59:59", "2026-12-08 08:00:00"),
        (LONDON, "2026-12-08 08:00:00", None),
        # British Summer Time: 21:00 in London is 20:00 UTC, and 08:00 is 07:00 UTC
        (LONDON, "2026-07-01 20:00:00", "2026-07-02 07:00:00"),
        (LONDON, "2026-07-01 19:59:00", None),
        # The clocks go forward in the night of 28–29 March 2026: the morning comes an hour sooner in UTC
        (LONDON, "2026-03-28 22:00:00", "2026-03-29 07:00:00"),
        # ... and back in the night of 24–25 October: an hour later
        (LONDON, "2026-10-24 21:00:00", "2026-10-25 08:00:00"),
        (NEW_YORK, "2026-12-08 03:00:00", "2026-12-08 13:00:00"),  # 22:00 in New York
        (NEW_YORK, "2026-12-07 23:00:00", None),  # 18:00 there, though it's night in London
        (SYDNEY, "2026-12-07 12:00:00", "2026-12-07 21:00:00"),  # 23:00 in Sydney (summer, +11)
    ],
)
def test_the_quiet_hours_end_at_eight_in_the_morning_on_the_recipients_clock(
    zone: ZoneInfo, moment: str, until: str | None
) -> None:
    assert quiet_until(utc(moment), zone=zone, **NIGHT) == (utc(until) if until else None)


def test_a_window_inside_one_day_and_an_empty_one() -> None:
    assert in_quiet_hours(time(13, 30), start=time(12, 0), end=time(14, 0))
    assert not in_quiet_hours(time(14, 0), start=time(12, 0), end=time(14, 0))
    assert quiet_until(utc("2026-12-07 03:00:00"), zone=LONDON, start=time(8), end=time(8)) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy machine is not a failure
@given(
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    zone=st.sampled_from([LONDON, NEW_YORK, SYDNEY, ZoneInfo("Asia/Kolkata")]),
)
def test_a_held_text_goes_at_eight_local_within_eleven_hours_and_never_sooner(moment: datetime, zone: ZoneInfo) -> None:
    until = quiet_until(moment, zone=zone, **NIGHT)
    local = moment.astimezone(zone).time()
    if until is None:
        assert time(8) <= local < time(21)
    else:
        assert moment < until <= moment + timedelta(hours=12)  # eleven hours, and one more when clocks go back
        assert until.astimezone(zone).time() == time(8)
        assert quiet_until(until, zone=zone, **NIGHT) is None  # it may go then


@pytest.mark.parametrize(
    ("number", "zones"),
    [
        ("+447700900123", ("Europe/London",)),  # Ofcom's drama range: the demo's and the tests'
        ("+33612345678", ("Europe/Paris",)),
        ("+12015550123", ("America/New_York",)),
        ("not a number", ()),
    ],
)
def test_a_numbers_time_zones(number: str, zones: tuple[str, ...]) -> None:
    assert phone_zones(number) == zones
