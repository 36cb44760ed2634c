"""The silence bound on the calendar, with the shop's real opening hours (issue 16): waits in a row
share one weekend; a bank-holiday Monday stretches a weekend's silence; the worst over every start
is found exactly. Framework-free: no database."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint.hours import OpeningHours, business_add
from touchpoint.journeys.checker import ShopHours, check, guard_after, silence_on_calendar
from touchpoint.journeys.checker.silence_hours import Timeline
from touchpoint.journeys.cli import main
from touchpoint.journeys.diagnostics import Severity
from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.model import Journey

LIBRARY = Path(__file__).resolve().parents[2] / "src" / "touchpoint" / "journeys" / "library"
WEEK = "Mon-Fri 09:00-17:00"
SINCE = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday
H = 3600
D = 24 * H

SPECS = [WEEK, "Mon-Fri 09:00-12:30, 13:30-17:00; Sat 10:00-13:00", "Mon-Sun 00:00-24:00", "Tue,Thu 20:00-24:00"]
ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"]


def chain_text(waits: list[tuple[int, str]], *, still_on_it: bool = True, max_silence: str = "3d") -> str:
    """A journey whose case waits through ``waits`` ((minutes, clock) each) without a word, then is
    told it is done. With ``still_on_it`` the journey declares the run-time guard's touch point."""
    touchpoints = "  done_msg: All done.\n" + ("  still_on_it: Still on it.\n" if still_on_it else "")
    states = transitions = ""
    for i, (minutes, clock) in enumerate(waits):
        states += (
            f"  step{i}:\n    owner: team:care\n    label: Step {i}\n    wait_limit: {minutes}m\n"
            f"    wait_clock: {clock}\n    on_timeout: next{i}\n" + ("    accept_within: 1m\n" if i == 0 else "")
        )
        to = f"step{i + 1}" if i + 1 < len(waits) else "done"
        told = "    touchpoint: done_msg\n" if to == "done" else "    silent: the team's own next step\n"
        transitions += f"  - from: step{i}\n    on: next{i}\n    to: {to}\n    by: system\n" + told
    update = "still_on_it" if still_on_it else "done_msg"
    transitions += f"  - from: step0\n    on: nudge\n    to: step0\n    by: staff\n    touchpoint: {update}\n"
    return (
        f"name: chain\nversion: 1\nmax_silence: {max_silence}\nstart: step0\ntouchpoints:\n{touchpoints}"
        f"events:\n  nudge: Send an update\nstates:\n{states}"
        "  done:\n    owner: system\n    label: Done\n    outcome: success\n"
        f"transitions:\n{transitions}"
    )


def chain(waits: list[tuple[int, str]], **kwargs: object) -> Journey:
    return parse_journey(chain_text(waits, **kwargs)).journey  # type: ignore[arg-type]


def library(name: str) -> Journey:
    return parse_journey((LIBRARY / f"{name}.yaml").read_text()).journey


def every_team(hours: OpeningHours, *, since: datetime = SINCE, days: int = 366) -> ShopHours:
    return ShopHours(clock_of=lambda team: hours, since=since, days=days, source="these hours")


def brute_force(journey: Journey, hours: OpeningHours, *, since: datetime, days: int, step: timedelta) -> int:
    """The worst silence of a chain journey from every start on a grid: each wait at its limit."""
    worst = 0
    t = since
    while t <= since + timedelta(days=days):
        at = t
        for name in [n for n in journey.states if n.startswith("step")]:
            state = journey.states[name]
            limit = timedelta(seconds=state.wait_limit or 0)
            at = business_add(at, limit, hours) if state.wait_clock_used == "business" else at + limit
        worst = max(worst, int((at - t).total_seconds()))
        t += step
    return worst


# --- the arithmetic agrees with touchpoint.hours ------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    zone=st.sampled_from(ZONES),
    offset=st.integers(min_value=0, max_value=120 * D),
    seconds=st.integers(min_value=0, max_value=5 * D),
)
def test_the_timeline_adds_open_time_as_business_add_does(spec: str, zone: str, offset: int, seconds: int) -> None:
    hours = OpeningHours.parse(spec, zone=zone, closed={date(2027, 1, 1), date(2026, 12, 25)})
    line = Timeline(hours, SINCE, 30)
    start = SINCE + timedelta(seconds=offset)
    expected = business_add(start, timedelta(seconds=seconds), hours)
    assert line.add(int(start.timestamp()), seconds) == int(expected.timestamp())


@settings(max_examples=150, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    zone=st.sampled_from(ZONES),
    offset=st.integers(min_value=7 * D, max_value=120 * D),
    seconds=st.integers(min_value=0, max_value=3 * D),
)
def test_the_latest_start_is_the_last_moment_a_wait_still_ends_in_time(
    spec: str, zone: str, offset: int, seconds: int
) -> None:
    hours = OpeningHours.parse(spec, zone=zone)
    line = Timeline(hours, SINCE, 30)
    end = int(SINCE.timestamp()) + offset
    start = line.latest_start(end, seconds)
    if start is None:
        return
    assert line.add(start, seconds) <= end or line.add(start + 1, seconds) > end  # the supremum
    assert line.add(start + 1, seconds) > end or start == end  # a second later is too late


# --- chained waits share one weekend -------------------------------------------------------------


def test_two_business_hours_in_a_row_count_the_weekend_once() -> None:
    hours = OpeningHours.parse(WEEK, zone="Europe/London")
    journey = chain([(60, "business"), (60, "business")])
    found = silence_on_calendar(journey, every_team(hours, days=14))
    # started on Friday at 15:00, the two hours end at the close; a second later, on Monday at 09:00
    assert found.worst_seconds == 2 * D + 18 * H
    assert found.path == ("step0", "step1")
    assert found.starts_words() == "Fri 11 Dec 2026 15:00 (Europe/London)"


def test_walk_in_warranty_counts_its_counter_waits_on_one_calendar() -> None:
    hours = OpeningHours.parse(WEEK, zone="Europe/London")
    found = silence_on_calendar(library("walk-in-warranty"), every_team(hours, days=14))
    # 15 + 10 + 60 open minutes from Friday 15:35: the weekend once, 2d 17h 25m (not 8 days)
    assert found.worst_seconds == 2 * D + 17 * H + 25 * 60
    assert found.path == ("checking", "lead_review", "repairing_here")
    assert found.exact


@settings(max_examples=15, deadline=None)
@given(
    waits=st.lists(
        st.tuples(st.integers(min_value=1, max_value=16 * 60), st.sampled_from(["business", "calendar"])),
        min_size=1,
        max_size=3,
    ),
    spec=st.sampled_from(SPECS[:2]),
    zone=st.sampled_from(["Europe/London", "UTC"]),
    start_day=st.integers(min_value=0, max_value=6),
)
def test_the_worst_silence_is_the_worst_over_every_start(
    waits: list[tuple[int, str]], spec: str, zone: str, start_day: int
) -> None:
    # Given a chain of waits and hours closed on a Monday bank holiday
    hours = OpeningHours.parse(spec, zone=zone, closed={date(2026, 12, 14)})
    journey = chain(waits)
    since = SINCE + timedelta(days=start_day)
    found = silence_on_calendar(journey, every_team(hours, since=since, days=7))
    # Then no start on a ten-minute grid is worse, and one is within ten minutes of it
    step = timedelta(minutes=10)
    seen = brute_force(journey, hours, since=since, days=7, step=step)
    assert found.worst_seconds is not None
    assert seen <= found.worst_seconds <= seen + step.total_seconds()


# --- closed days: the bank-holiday Monday -------------------------------------------------------


def test_a_bank_holiday_monday_stretches_a_weekends_silence_past_the_bound() -> None:
    # Given four hours of a team's time, within 3 days over any weekend
    week = OpeningHours.parse(WEEK, zone="Europe/London")
    text = chain_text([(240, "business")], still_on_it=False)
    loaded = parse_journey(text, "chain.yaml")
    assert check(loaded, hours=every_team(week)) == []
    # When the shop is closed on Monday 28 December (Boxing Day's substitute) and Friday 25th
    closed = OpeningHours.parse(WEEK, zone="Europe/London", closed={date(2026, 12, 25), date(2026, 12, 28)})
    [finding] = check(loaded, hours=every_team(closed))
    # Then the silence from Thursday 13:00 lasts until Tuesday 09:00: J209, an error
    assert (finding.code, finding.severity) == ("J209", Severity.ERROR)
    assert finding.message == (
        "with these hours, a customer can go 4d 20h without hearing from us, more than `max_silence` (3d): "
        "`step0`, starting Thu 24 Dec 2026 13:00 (Europe/London)"
    )
    # And a journey with the guard's touch point gets a warning: the guard keeps the bound at run time
    guarded = parse_journey(chain_text([(240, "business")]), "chain.yaml")
    [warning] = check(guarded, hours=every_team(closed))
    assert (warning.code, warning.severity) == ("J209", Severity.WARNING)
    assert warning.message.endswith("; the silence guard sends `still_on_it` after 2d 22h")
    assert guard_after(guarded.journey) == 2 * D + 22 * H


def test_without_hours_the_check_is_as_before() -> None:
    loaded = parse_journey(chain_text([(240, "business")], still_on_it=False), "chain.yaml")
    assert check(loaded) == []
    found = silence_on_calendar(loaded.journey, ShopHours(clock_of=lambda team: None, since=SINCE))
    assert (found.worst_seconds, found.starts) == (4 * H, None)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_journey_check_counts_the_silence_with_a_countrys_holidays() -> None:
    code, out, _ = run_cli(
        "check", "order-problem", "--clocks", "--hours", WEEK, "--zone", "Europe/London", "--holidays", "GB-ENG",
        "--since", "2026-12-07",
    )  # fmt: skip
    assert code == 0  # a warning: order-problem sends `still_on_it`, which the guard uses
    assert "warning J209 silence-bound: with these hours and the GB-ENG holidays, a customer can go 4d 20h" in out
    assert "starting Thu 24 Dec 2026 13:00 (Europe/London)" in out
    assert "(19 states, 43 transitions, worst silence 2d 12h of 3d allowed; 4d 20h with these hours" in out
    code, out, _ = run_cli("check", "order-problem", "--hours", WEEK, "--holidays", "GB-ENG", "--strict")
    assert code == 1  # warnings fail with --strict


def test_journey_check_json_gives_the_silence_with_hours() -> None:
    code, out, _ = run_cli(
        "check", "walk-in-warranty", "--hours", WEEK, "--since", "2026-12-07", "--format", "json"
    )  # fmt: skip
    assert code == 0
    [result] = json.loads(out)["files"]
    assert result["silence"]["worst"] == "2d 12h"  # the plain bound, every hour open
    assert result["silence"]["with_hours"] == {
        "source": "these hours (closed dates aside)",
        "worst_seconds": 2 * D + 17 * H + 25 * 60,
        "path": ["checking", "lead_review", "repairing_here"],
        "starts": "2026-12-11T15:35:01+00:00",  # a second after 15:35 the 85 minutes no longer fit on Friday
        "exact": True,
    }


def test_journey_check_refuses_an_unknown_country_and_a_bad_date() -> None:
    code, out, err = run_cli("check", "order-problem", "--hours", WEEK, "--holidays", "XX")
    assert (code, out) == (2, "")
    assert "no public holidays are known for “XX”" in err
    code, _, err = run_cli("check", "order-problem", "--hours", WEEK, "--since", "07/12/2026")
    assert code == 2
    assert "`07/12/2026` is not a date: write it as 2026-12-07" in err
