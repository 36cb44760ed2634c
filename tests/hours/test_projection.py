"""Landing a stretch of mixed time (a team's open hours and calendar time) from a moment, and
splitting a past case's time the same way: the arithmetic the ETA on the customer's page stands on
(``touchpoint.hours.projection``, ``cases.eta.samples_by_state``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hours.test_clock import DURATIONS, MOMENTS, weeks
from touchpoint.cases.eta import Sample, busiest_team, nearest_rank, no_hours, samples_by_state
from touchpoint.hours import OpeningHours, business_add, business_between
from touchpoint.hours.projection import land

NINE_TO_FIVE = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London")
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # GMT in November
H = timedelta(hours=1)
SPANS = st.one_of(st.just(timedelta(0)), DURATIONS)


def test_work_then_post_or_post_then_work_whichever_lands_later() -> None:
    # Three open hours from Friday 16:00 end on Monday at 11:00, then two days' post: Wednesday 11:00.
    # The post first ends on Sunday 16:00, then three open hours: Monday 12:00. The later is said.
    assert land(FRIDAY_4PM, business=3 * H, calendar=48 * H, hours=NINE_TO_FIVE) == datetime(
        2026, 11, 25, 11, 0, tzinfo=UTC
    )
    # Work only: Monday 11:00; no hours set: every hour is open
    assert land(FRIDAY_4PM, business=3 * H, calendar=0 * H, hours=NINE_TO_FIVE) == datetime(
        2026, 11, 23, 11, 0, tzinfo=UTC
    )
    assert land(FRIDAY_4PM, business=3 * H, calendar=48 * H, hours=None) == FRIDAY_4PM + 51 * H


def test_a_negative_stretch_is_refused() -> None:
    with pytest.raises(ValueError, match="can't be negative"):
        land(FRIDAY_4PM, business=-H, calendar=H, hours=NINE_TO_FIVE)


@settings(max_examples=200, deadline=None)
@given(hours=weeks(), start=MOMENTS, business=SPANS, calendar=SPANS)
def test_closed_time_only_ever_adds_and_the_open_part_is_all_there(
    hours: OpeningHours, start: datetime, business: timedelta, calendar: timedelta
) -> None:
    landed = land(start, business=business, calendar=calendar, hours=hours)
    assert landed >= start + business + calendar
    assert landed >= start + calendar
    # at least `business` of open time passes before it lands, wherever the calendar part falls
    assert business_between(start + calendar, landed, hours) >= business
    assert business_between(start, landed - calendar, hours) >= business


@settings(max_examples=200, deadline=None)
@given(hours=weeks(), start=MOMENTS, business=SPANS, calendar=SPANS)
def test_one_part_alone_is_the_clock_of_that_part(
    hours: OpeningHours, start: datetime, business: timedelta, calendar: timedelta
) -> None:
    assert land(start, business=business, calendar=timedelta(0), hours=hours) == (
        business_add(start, business, hours) if business else start
    )
    assert land(start, business=timedelta(0), calendar=calendar, hours=hours) == start + calendar
    assert land(start, business=business, calendar=calendar, hours=None) == start + business + calendar


@settings(max_examples=150, deadline=None)
@given(hours=weeks(), start=MOMENTS, business=SPANS, calendar=SPANS, more=DURATIONS)
def test_more_time_never_lands_earlier(
    hours: OpeningHours, start: datetime, business: timedelta, calendar: timedelta, more: timedelta
) -> None:
    landed = land(start, business=business, calendar=calendar, hours=hours)
    assert land(start, business=business + more, calendar=calendar, hours=hours) >= landed
    assert land(start, business=business, calendar=calendar + more, hours=hours) >= landed


# -- splitting a past case's time ------------------------------------------------------------------

STATES = ["work", "post", "desk", "done"]  # work and desk on a business clock (two teams), post calendar
BUSINESS = {"work": "bench", "desk": ""}


@st.composite
def case_paths(draw: st.DrawFn) -> tuple[list[tuple[datetime, str]], datetime]:
    start = draw(MOMENTS)
    gaps = draw(st.lists(st.integers(min_value=0, max_value=60 * 24 * 6), min_size=1, max_size=8))
    states = draw(st.lists(st.sampled_from(STATES), min_size=len(gaps), max_size=len(gaps)))
    path, at = [], start
    for gap, state in zip(gaps, states, strict=True):
        path.append((at, state))
        at += timedelta(minutes=gap)
    return path, at + timedelta(minutes=draw(st.integers(min_value=0, max_value=600)))


@settings(max_examples=200, deadline=None)
@given(hours=weeks(), drawn=case_paths())
def test_a_sample_is_its_open_time_and_its_calendar_time_and_never_more_than_it_took(
    hours: OpeningHours, drawn: tuple[list[tuple[datetime, str]], datetime]
) -> None:
    path, closed_at = drawn
    done = frozenset({"done"})

    def open_seconds(start: datetime, end: datetime, key: str) -> float:
        return business_between(start, end, hours).total_seconds()

    split = samples_by_state([(1, closed_at)], {1: path}, done, BUSINESS, open_seconds)
    every_hour = samples_by_state([(1, closed_at)], {1: path}, done, BUSINESS, no_hours)
    firsts: dict[str, datetime] = {}
    for when, state in path:
        firsts.setdefault(state, when)
    finished = firsts.get("done")
    assert set(split) == set(firsts) == set(every_hour)
    for state, first in firsts.items():
        (sample,), (calendar,) = split[state], every_hour[state]
        end = finished if finished is not None and finished >= first else closed_at
        took = (end - first).total_seconds()
        # with no hours set it is the time it took, all of it calendar time
        assert calendar.business == 0.0 and calendar.calendar == pytest.approx(took, abs=1e-6)
        # with hours, the open part leaves closed time out: never more than it took (running sums
        # of floats: to a microsecond)
        assert sample.business >= -1e-6 and sample.calendar >= -1e-6
        assert sample.total <= took + 1e-6
        assert sample.business == pytest.approx(sum(sample.teams.values()))


def test_the_percentile_keeps_the_split_of_the_case_that_took_it_and_the_busiest_team_counts() -> None:
    samples = [
        Sample(3600.0, 0.0, {"bench": 3600.0}),
        Sample(0.0, 7200.0),
        Sample(1800.0, 3600.0, {"bench": 1000.0, "": 800.0}),
    ]
    assert nearest_rank(samples, 50) == samples[2]  # 1 h, 1.5 h, 2 h: the middle one, split as it was
    assert nearest_rank(samples, 90) == samples[1]
    assert busiest_team(samples) == "bench"
    assert busiest_team([Sample(0.0, 10.0)]) == ""
