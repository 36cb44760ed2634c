"""Journeys say which clock a limit counts in: a team's limits in its business time unless the state
says ``clock: calendar``; the customer's, the carrier's and the system's in calendar time unless it
says ``clock: business``; the silence bound always in calendar time. ``journey check --clocks`` says
each. Framework-free: no database."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from touchpoint.hours import OpeningHours
from touchpoint.journeys.cli import main
from touchpoint.journeys.clocks import clocks_lines, limit_clocks, longest_span
from touchpoint.journeys.diagnostics import JourneyLoadError
from touchpoint.journeys.engine import OpenTask, StartTimer, open_case
from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.model import Journey

MINI = (Path(__file__).resolve().parent.parent / "support" / "mini-repair.yaml").read_text()


def mini(**states: dict[str, str]) -> Journey:
    """mini-repair with ``states``' keys added to the named states (YAML lines after their owner)."""
    text = MINI
    for name, extra in states.items():
        head = re.search(rf"^  {name}:\n    owner: [^\n]+\n", text, re.M)
        assert head is not None, name
        lines = "".join(f"    {key}: {value}\n" for key, value in extra.items())
        text = text[: head.end()] + lines + text[head.end() :]
    return parse_journey(text).journey


def test_a_team_state_counts_business_time_and_the_rest_calendar_time_by_default() -> None:
    journey = mini()
    assert journey.states["on_bench"].limit_clock == "business"
    assert journey.states["awaiting_device"].limit_clock == "calendar"  # the customer's
    assert journey.states["ordered"].limit_clock == "calendar"  # the system's


def test_a_state_may_say_its_clock_either_way() -> None:
    journey = mini(on_bench={"clock": "calendar"}, ordered={"clock": "business"})
    assert journey.states["on_bench"].limit_clock == "calendar"
    assert journey.states["ordered"].limit_clock == "business"
    ordered = next(c for c in limit_clocks(journey) if c.state == "ordered")
    assert (ordered.clock, ordered.hours_of) == ("business", None)  # no team: the shop's hours


def test_a_clock_other_than_business_or_calendar_is_refused() -> None:
    with pytest.raises(JourneyLoadError) as refused:
        mini(on_bench={"clock": "office"})
    assert "business" in str(refused.value) and "calendar" in str(refused.value)


def test_the_effects_say_which_clock_and_whose_hours() -> None:
    journey = mini(ordered={"clock": "business"})
    opened = open_case(journey)
    timer = next(e for e in opened.effects if isinstance(e, StartTimer))
    assert (timer.purpose, timer.after_seconds, timer.clock, timer.hours_of) == ("wait", 3600, "business", None)
    team_state = mini().states["on_bench"]
    assert team_state.team == "bench"


def test_a_team_handoff_and_its_task_count_in_the_teams_hours() -> None:
    journey = parse_journey(
        (Path(__file__).resolve().parents[2] / "src/touchpoint/journeys/library/order-problem.yaml").read_text()
    ).journey
    opened = open_case(journey)
    wait = next(e for e in opened.effects if isinstance(e, StartTimer))
    assert (wait.after_seconds, wait.clock, wait.hours_of) == (2 * 3600, "business", "care")
    assert all(e.clock == "business" for e in opened.effects if isinstance(e, OpenTask | StartTimer))


def test_check_explains_both_clocks() -> None:
    journey = mini()
    lines = clocks_lines(journey, lambda team: "Mon–Fri 09:00–17:00 (Europe/London)" if team == "bench" else None)
    assert lines[0] == "customer silence: at most 3d of calendar time (`max_silence`)"
    assert "`awaiting_device` waits 3d of calendar time" in lines
    bench = next(line for line in lines if line.startswith("`on_bench` waits"))
    assert bench.endswith("of business time of team:bench (Mon–Fri 09:00–17:00 (Europe/London))")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_journey_check_clocks_with_hours_names_them() -> None:
    code, out, _ = run_cli(
        "check", "order-problem", "--clocks", "--hours", "Mon-Fri 09:00-17:00", "--zone", "Europe/London"
    )
    assert code == 0
    assert "  customer silence: at most 3d of calendar time (`max_silence`)\n" in out
    assert "  `reported` waits 2h of business time of team:care (Mon–Fri 09:00–17:00 (Europe/London))\n" in out
    assert (
        "  `reported` must be accepted within 1h of business time of team:care (Mon–Fri 09:00–17:00 (Europe/London))\n"
        in out
    )


def test_journey_check_clocks_without_hours_says_where_they_are_set() -> None:
    code, out, _ = run_cli("check", "order-problem", "--clocks")
    assert code == 0
    assert "`reported` waits 2h of business time of team:care (as set in the console's Opening hours" in out


def test_journey_check_refuses_bad_hours_saying_what_to_write() -> None:
    code, out, err = run_cli("check", "order-problem", "--clocks", "--hours", "Mon-Fri 9-5")
    assert code == 2
    assert out == ""
    assert "“9” is not a time of day: write 24-hour times such as 09:00 or 17:30" in err


def test_the_longest_a_business_limit_takes_on_the_calendar_starts_at_a_friday_close() -> None:
    hours = OpeningHours.parse("Mon-Fri 09:00-17:00", zone="Europe/London")
    # two open hours from Friday 17:00: the weekend, then Monday 09:00-11:00
    assert longest_span(2 * 3600, hours) == (2 * 24 + 18) * 3600


def test_check_with_hours_says_the_silence_those_hours_make() -> None:
    code, out, _ = run_cli(
        "check", "order-problem", "--clocks", "--hours", "Mon-Fri 09:00-17:00", "--since", "2026-12-07"
    )
    assert code == 0  # the rules count the limits as written; the note says what the hours make of them
    assert "  note: the worst silence counts the business-time waits (2 states) as if every hour were open" in out
    # The team's day-long waits count calendar time (`wait_clock: calendar`); the two hour-long ones that
    # count opening hours stretch over a weekend: wrong_part_caught's 4 open hours from Friday 13:00
    # (a second later, they end on Monday at 09:00), still inside the 3 days a customer may go without a word
    assert (
        "  with these hours (closed dates aside) the worst silence is 2d 20h, within 3d: `wrong_part_caught`, "
        "starting Fri 11 Dec 2026 13:00 (UTC)\n" in out
    )


def test_a_teams_wait_may_count_calendar_time_while_its_acceptance_counts_its_hours() -> None:
    journey = mini(on_bench={"wait_clock": "calendar"})
    clocks = {(c.state, c.limit): c.clock for c in limit_clocks(journey)}
    assert clocks[("on_bench", "wait_limit")] == "calendar"
    assert clocks[("on_bench", "accept_within")] == "business"
    entered = [e for e in open_case(journey).effects if isinstance(e, StartTimer)]
    assert all(e.clock == "calendar" for e in entered)  # `ordered` is the system's: calendar either way
    library = parse_journey(
        (Path(__file__).resolve().parents[2] / "src/touchpoint/journeys/library/mail-in-repair.yaml").read_text()
    ).journey
    resting = {(c.state, c.limit): c.clock for c in limit_clocks(library) if c.state == "resting"}
    assert resting == {("resting", "wait_limit"): "calendar", ("resting", "accept_within"): "business"}


def test_a_wait_clock_without_a_wait_is_refused_saying_so() -> None:
    journey_text = MINI.replace("  done:\n", "  done:\n    wait_clock: calendar\n", 1)
    assert journey_text != MINI
    with pytest.raises(JourneyLoadError) as refused:
        parse_journey(journey_text)
    assert "`wait_clock`" in str(refused.value)
