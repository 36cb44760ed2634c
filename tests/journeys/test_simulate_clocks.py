"""Simulation counts the clocks the worker counts (issue 16 part 3): a team's state on the business
clock takes its drawn time in the team's opening hours, its wait limit in the clock the journey
gives it, and everything else calendar time; the report says which. No database: hours are passed
in, as ``journey check --clocks`` takes them."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.journeys.strategies import journeys
from tests.journeys.test_cli import run

from touchpoint.hours import OpeningHours
from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.simulate import simulate

NINE_TO_FIVE = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London")
ALWAYS = OpeningHours.parse("Mon-Sun 00:00-24:00", zone="UTC")
FRIDAY_4PM = datetime(2026, 1, 16, 16, 0, tzinfo=UTC)  # GMT in January
HOUR = 3600.0

BENCH = """name: bench
version: 1
max_silence: 5d
start: waiting
touchpoints: {hello: Hi, sorry: Sorry, done: Done}
states:
  waiting: {owner: customer, label: Waiting, wait_limit: 3d, on_timeout: late}
  surgery: {owner: "team:bench", label: Surgery, wait_limit: 3d, on_timeout: late, wait_clock: calendar}
  fixed: {owner: system, label: Fixed, outcome: success}
  gone: {owner: system, label: Gone, outcome: failure}
transitions:
  - {from: waiting, on: arrived, to: surgery, by: customer, touchpoint: hello, sim: {weight: 1, after: 2h}}
  - {from: surgery, on: fixed, to: fixed, by: staff, touchpoint: done, sim: {weight: 1, after: 4h}}
  - {from: [waiting, surgery], on: late, to: gone, by: system, touchpoint: sorry}
"""


def load(text: str) -> Journey:
    return parse_journey(text, "bench.yaml").journey


def test_bench_work_counts_open_hours_and_the_customers_wait_counts_the_calendar() -> None:
    # Given cases opened on Friday at 16:00: two calendar hours waiting for the device (to 18:00),
    # then four hours of bench work in 09:00-17:00 hours: from Monday 09:00 to 13:00
    report = simulate(load(BENCH), runs=20, seed=3, hours=lambda team: NINE_TO_FIVE, opens_at=FRIDAY_4PM)
    # Then every case takes 69 hours on the calendar (Friday 16:00 to Monday 13:00), and the silent
    # stretch is the 67 hours of surgery
    assert (report.duration_p50, report.duration_p90) == (69 * HOUR, 69 * HOUR)
    assert (report.silence_worst, report.over_max_silence) == (67 * HOUR, 0.0)
    assert report.outcome_shares == {"success": 1.0}
    assert report.business_states == ("surgery",)
    assert "business time for the team states below, in Mon–Fri 09:00–17:00 (Europe/London)" in report.clock
    text = report.to_text()
    assert "business clock    surgery" in text and "every case opens at 2026-01-16T16:00:00+00:00" in text
    # Without hours it is six hours, as every hour counts
    calendar = simulate(load(BENCH), runs=20, seed=3)
    assert calendar.duration_p50 == 6 * HOUR
    assert calendar.clock == "calendar time: every hour counts (no opening hours given)"
    assert calendar.business_states == ()


def test_a_business_wait_limit_runs_out_in_open_hours_and_fires_before_the_work_is_done() -> None:
    # Given the bench's wait counts its opening hours too, and is 3 open hours
    calendar_wait = "wait_limit: 3d, on_timeout: late, wait_clock: calendar}"
    journey = load(BENCH.replace(calendar_wait, "wait_limit: 3h, on_timeout: late, clock: business}"))
    report = simulate(journey, runs=10, seed=3, hours=lambda team: NINE_TO_FIVE, opens_at=FRIDAY_4PM)
    # Then the timer fires at Monday 12:00 (three open hours from Monday 09:00), before the four hours
    # of work: Friday 16:00 + 2 h + the weekend → 68 hours, ended as gone
    assert report.terminal_shares == {"gone": 1.0}
    assert report.duration_p50 == 68 * HOUR


def test_a_team_with_its_own_hours_counts_those() -> None:
    saturdays = OpeningHours.parse("Sat 10:00-14:00", zone="Europe/London")
    report = simulate(
        load(BENCH),
        runs=5,
        seed=1,
        hours=lambda team: saturdays if team == "bench" else NINE_TO_FIVE,
        opens_at=FRIDAY_4PM,
    )
    # Friday 18:00 → Saturday 10:00–14:00: done at Saturday 14:00, 22 hours after opening
    assert report.duration_p50 == 22 * HOUR


def close(a: Any, b: Any) -> bool:
    """Equal, numbers within a second (open time is counted to the microsecond)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, abs_tol=1.0)
    return bool(a == b)


@settings(max_examples=80, deadline=None)
@given(journeys(with_sims=True), st.integers(0, 2**32))
def test_hours_that_never_close_give_the_calendar_runs_report(journey: Journey, seed: int) -> None:
    # The cases' opening moments come from their own generator, so the routes are the calendar run's
    plain = simulate(journey, runs=20, seed=seed, max_steps_per_case=40).as_dict()
    always = simulate(journey, runs=20, seed=seed, max_steps_per_case=40, hours=lambda team: ALWAYS).as_dict()
    for key in ("clock", "business_states"):
        plain.pop(key), always.pop(key)
    assert close(plain, always)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32))
def test_closed_hours_only_make_the_bench_take_longer(seed: int) -> None:
    # The bench line has no branches, so the same cases take their routes with or without hours
    plain = simulate(load(BENCH), runs=10, seed=seed)
    hours = simulate(load(BENCH), runs=10, seed=seed, hours=lambda team: NINE_TO_FIVE)
    assert plain.duration_p50 is not None and hours.duration_p50 is not None
    assert hours.duration_p50 >= plain.duration_p50
    # and open by 17:00 at the latest on a weekday, the four hours are done within three days and a bit
    assert hours.duration_p90 is not None and hours.duration_p90 <= (2 + 24 * 3 + 16 + 4) * HOUR


def test_the_command_line_takes_hours_and_says_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "simulate", "order-problem", "--runs", "200", "--hours", "Mon-Fri 09:00-17:00",
        "--zone", "Europe/London", "--format", "json",
    )  # fmt: skip
    report = json.loads("\n".join(out))
    assert code == 0
    assert "Mon–Fri 09:00–17:00 (Europe/London)" in report["clock"]
    assert "reported" in report["business_states"]
    code, _, err = run(capsys, "simulate", "order-problem", "--runs", "20", "--hours", "Mon-Fri 25:00")
    assert code == 2 and "--hours" in err[0] and "not a time of day" in err[0]
