"""Simulation: exact figures on small journeys with fixed durations, the weighting rules, stated
unfinished cases, and properties (deterministic for a seed, shares sum to one)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.journeys.strategies import journeys

from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.simulate import percentile, simulate

HEAD = "name: sim\nversion: 1\nmax_silence: 2h\nstart: a\ntouchpoints: {hello: Hi, sorry: Sorry}\n"
LINE = (
    HEAD
    + """
states:
  a: {owner: customer, label: A, wait_limit: 1d, on_timeout: late}
  b: {owner: "team:x", label: B, wait_limit: 1d, on_timeout: late}
  done: {owner: system, label: Done, outcome: success}
  late_end: {owner: system, label: Late, outcome: failure}
transitions:
  - {from: a, on: go, to: b, by: customer, touchpoint: hello, sim: {weight: 1, after: 1h}}
  - {from: b, on: go, to: done, by: staff, silent: quiet, sim: {weight: 1, after: 3h}}
  - {from: [a, b], on: late, to: late_end, by: system, touchpoint: sorry}
"""
)


def load(text: str) -> Journey:
    return parse_journey(text, "sim.yaml").journey


def test_fixed_durations_give_exact_figures() -> None:
    # given a straight line a →(1h, ✉ hello)→ b →(3h, silent)→ done
    report = simulate(load(LINE), runs=200, seed=1)
    # then every case takes 4h, is touched once, and its longest silence is the silent 3h
    assert (report.duration_p50, report.duration_p90) == (14400, 14400)
    assert (report.touches_mean, report.touches_p50, report.touches_p90) == (1, 1, 1)
    assert report.outcome_shares == {"success": 1.0}
    assert report.terminal_shares == {"done": 1.0}
    assert (report.silence_worst, report.silence_p90) == (10800, 10800)
    assert report.over_max_silence == 1.0  # 3h of silence passes the 2h bound
    assert (report.finished, report.unfinished, report.stuck) == (200, 0, 0)


def test_the_opening_touchpoint_counts_as_a_touch() -> None:
    # given the straight line, opening with `hello`
    journey = load(LINE.replace("start: a\n", "start: a\nstart_touchpoint: hello\n"))
    # when simulated
    report = simulate(journey, runs=200, seed=1)
    # then every case is touched twice (on opening, then a → b); durations and silence don't change
    assert (report.touches_mean, report.touches_p50, report.touches_p90) == (2, 2, 2)
    assert (report.duration_p50, report.silence_worst) == (14400, 10800)


def test_report_text_and_dict() -> None:
    report = simulate(load(LINE), runs=200, seed=1)
    assert report.to_text() == (
        "sim@1: 200 simulated cases (seed 1)\n"
        "  total duration    p50 4h   p90 4h\n"
        "  touches per case  mean 1   p50 1   p90 1\n"
        "  outcomes          success 100.0%\n"
        "  end states        done 100.0%\n"
        "  silence           worst 3h   p90 3h   (max_silence 2h: 100.0% of cases go longer)\n"
        "  not finished      none (every case ended within 500 moves)\n"
        "  guards are ignored: the declared weights say how often each branch is taken\n"
        "  clock             calendar time: every hour counts (no opening hours given)\n"
    )
    data = report.as_dict()
    assert data["duration_seconds"] == {"p50": 14400, "p90": 14400}
    assert data["outcome_shares"] == {"success": 1.0}
    assert data["unfinished"] == 0


def test_the_rest_of_the_chance_goes_to_the_timeout_at_the_wait_limit() -> None:
    # given a's exit declared for a quarter of cases, and a 1d wait limit whose timeout ends the case
    journey = load(LINE.replace("sim: {weight: 1, after: 1h}", "sim: {weight: 0.25, after: 1h}"))
    report = simulate(journey, runs=4000, seed=7)
    # then about three cases in four time out, exactly at the wait limit
    assert math.isclose(report.terminal_shares["late_end"], 0.75, abs_tol=0.03)
    assert math.isclose(report.terminal_shares["done"], 0.25, abs_tol=0.03)
    assert (report.duration_p50, report.duration_p90) == (86400, 86400)
    assert report.silence_worst == 86400


def test_a_draw_past_the_wait_limit_fires_the_timeout_instead() -> None:
    journey = load(LINE.replace("sim: {weight: 1, after: 1h}", "sim: {weight: 1, after: 2d}"))
    report = simulate(journey, runs=50, seed=3)
    assert report.terminal_shares == {"late_end": 1.0}
    assert report.duration_p50 == 86400


TIMED_OUT = (
    HEAD
    + """
states:
  a: {owner: customer, label: A, wait_limit: 1d, on_timeout: late}
  done: {owner: system, label: Done, outcome: success}
  late_end: {owner: system, label: Late, outcome: failure}
transitions:
  - {from: a, on: go, to: done, by: customer, touchpoint: hello, sim: {weight: 0.75, after: 1h}}
  - {from: a, on: late, to: late_end, by: [system, staff], touchpoint: sorry, sim: {weight: 0.25, after: 1h}}
"""
)


def test_a_timeout_with_a_sim_fires_at_the_wait_limit_whatever_time_it_gives() -> None:
    # given a timeout (1d) whose sim says 1h, and all the chance on it
    journey = load(TIMED_OUT.replace("weight: 0.75", "weight: 0").replace("weight: 0.25", "weight: 1"))
    # when simulated, then every case times out exactly at the wait limit, never after 1h
    report = simulate(journey, runs=300, seed=3)
    assert report.terminal_shares == {"late_end": 1.0}
    assert (report.duration_p50, report.duration_p90, report.silence_worst) == (86400, 86400, 86400)


def test_a_timeouts_weight_is_still_its_share() -> None:
    # given the timeout weighted 0.25 and the other exit 0.75 (after 1h)
    report = simulate(load(TIMED_OUT), runs=4000, seed=8)
    # then about a quarter of the cases time out, each at exactly 1d; the rest end after 1h
    assert math.isclose(report.terminal_shares["late_end"], 0.25, abs_tol=0.03)
    assert (report.duration_p50, report.duration_p90) == (3600, 86400)


def test_a_log_normal_time_on_a_timeout_and_its_guarded_twin_are_ignored_too() -> None:
    # given two guarded moves on the timeout event, each with a median/p90 far below the limit
    journey = load(
        HEAD
        + """
states:
  a: {owner: customer, label: A, wait_limit: 6h, on_timeout: late}
  x: {owner: system, label: X, outcome: success}
  y: {owner: system, label: Y, outcome: failure}
transitions:
  - {from: a, on: late, to: x, guard: flag, by: system, touchpoint: hello, sim: {weight: 0.5, median: 5m, p90: 10m}}
  - {from: a, on: late, to: y, guard: not flag, by: system, touchpoint: sorry, sim: {weight: 0.5, median: 5m, p90: 1h}}
"""
    )
    report = simulate(journey, runs=400, seed=1)
    # then both fire at the wait limit (6h), each for its share of the cases
    assert (report.duration_p50, report.duration_p90) == (21600, 21600)
    assert set(report.terminal_shares) == {"x", "y"}
    assert math.isclose(report.terminal_shares["x"], 0.5, abs_tol=0.08)


def test_weights_above_one_are_normalised() -> None:
    journey = load(
        HEAD
        + """
states:
  a: {owner: customer, label: A, wait_limit: 1d, on_timeout: late}
  x: {owner: system, label: X, outcome: success}
  y: {owner: system, label: Y, outcome: failure}
transitions:
  - {from: a, on: one, to: x, by: customer, touchpoint: hello, sim: {weight: 1, after: 1h}}
  - {from: a, on: two, to: y, by: customer, touchpoint: sorry, sim: {weight: 1, after: 2h}}
  - {from: a, on: late, to: y, by: system, touchpoint: sorry}
"""
    )
    report = simulate(journey, runs=4000, seed=11)
    assert math.isclose(report.outcome_shares["success"], 0.5, abs_tol=0.03)
    assert report.duration_p90 == 7200  # the timeout (1d) never fires: no chance is left for it


def test_without_a_timeout_small_weights_are_normalised() -> None:
    journey = load(
        HEAD
        + """
states:
  a: {owner: customer, label: A}
  x: {owner: system, label: X, outcome: success}
  y: {owner: system, label: Y, outcome: failure}
transitions:
  - {from: a, on: one, to: x, by: customer, touchpoint: hello, sim: {weight: 0.1, after: 1h}}
  - {from: a, on: two, to: y, by: customer, touchpoint: sorry, sim: {weight: 0.3, after: 1h}}
"""
    )
    report = simulate(journey, runs=4000, seed=5)
    assert math.isclose(report.outcome_shares["success"], 0.25, abs_tol=0.03)
    assert report.finished == 4000


def test_no_sim_takes_the_timeout_or_else_the_first_exit() -> None:
    journey = load(
        HEAD
        + """
states:
  a: {owner: customer, label: A, wait_limit: 6h, on_timeout: late}
  b: {owner: system, label: B}
  x: {owner: system, label: X, outcome: success}
  y: {owner: system, label: Y, outcome: failure}
transitions:
  - {from: a, on: go, to: x, by: customer, touchpoint: hello}
  - {from: a, on: late, to: b, by: system, touchpoint: sorry}
  - {from: b, on: first, to: y, by: system, touchpoint: sorry}
  - {from: b, on: second, to: x, by: system, touchpoint: hello}
"""
    )
    report = simulate(journey, runs=20, seed=0)
    assert report.terminal_shares == {"y": 1.0}
    assert report.duration_p50 == 6 * 3600  # the wait limit, then an instant first exit
    assert report.touches_p50 == 2


def test_cases_that_never_end_are_stated() -> None:
    # given a loop with no way out, and a trap with no exit at all
    journey = load(
        HEAD
        + """
states:
  a: {owner: customer, label: A}
  b: {owner: customer, label: B}
  trap: {owner: customer, label: Trap}
  x: {owner: system, label: X, outcome: success}
transitions:
  - {from: a, on: go, to: b, by: customer, silent: s, sim: {weight: 0.99, after: 1h}}
  - {from: a, on: stop, to: trap, by: customer, silent: s, sim: {weight: 0.01, after: 1h}}
  - {from: b, on: back, to: a, by: customer, silent: s, sim: {weight: 1, after: 1h}}
  - {from: x, on: never, to: a, by: customer, silent: s}
"""
    )
    report = simulate(journey, runs=100, seed=2, max_steps_per_case=50)
    # then every case is counted as not finished, none hidden, and the shares still add up
    assert report.finished == 0
    assert report.unfinished + report.stuck == 100
    assert report.stuck > 0 and report.unfinished > 0
    assert report.outcome_shares == {"unfinished": 1.0}
    assert report.duration_p50 is None
    assert f"{report.unfinished} still going after 50 moves, {report.stuck} stuck" in report.to_text()


def test_log_normal_durations_match_their_median_and_p90() -> None:
    journey = load(LINE.replace("sim: {weight: 1, after: 3h}", "sim: {weight: 1, median: 2h, p90: 8h}"))
    report = simulate(journey, runs=6000, seed=9)
    assert report.duration_p50 is not None and report.duration_p90 is not None
    assert math.isclose(report.duration_p50, 3600 + 7200, rel_tol=0.06)
    assert math.isclose(report.duration_p90, 3600 + 28800, rel_tol=0.08)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 90) == 4.0
    assert percentile([5.0], 90) == 5.0


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(journeys(with_sims=True), st.integers(0, 2**32))
def test_a_seed_always_gives_the_same_report_and_shares_add_up(journey: Journey, seed: int) -> None:
    first = simulate(journey, runs=30, seed=seed, max_steps_per_case=60)
    again = simulate(journey, runs=30, seed=seed, max_steps_per_case=60)
    assert first == again and first.as_dict() == again.as_dict()
    assert math.isclose(sum(first.outcome_shares.values()), 1.0)
    assert math.isclose(sum(first.terminal_shares.values()), 1.0)
    assert first.finished + first.unfinished + first.stuck == 30
    assert set(first.terminal_shares) <= {*journey.states, "unfinished"}


@st.composite
def chains(draw: st.DrawFn) -> tuple[str, int, int]:
    """A straight journey of fixed `after` durations, its total and its number of touches."""
    hours = draw(st.lists(st.integers(1, 48), min_size=1, max_size=8))
    touched = draw(st.lists(st.booleans(), min_size=len(hours), max_size=len(hours)))
    states = [f"  s{i}: {{owner: customer, label: S{i}, wait_limit: 3d, on_timeout: late}}" for i in range(len(hours))]
    states.append("  end: {owner: system, label: End, outcome: success}")
    states.append("  gone: {owner: system, label: Gone, outcome: failure}")
    moves = []
    for i, (h, t) in enumerate(zip(hours, touched, strict=True)):
        target = f"s{i + 1}" if i + 1 < len(hours) else "end"
        say = "touchpoint: hello" if t else "silent: s"
        moves.append(f"  - {{from: s{i}, on: go, to: {target}, by: customer, {say}, sim: {{weight: 1, after: {h}h}}}}")
        moves.append(f"  - {{from: s{i}, on: late, to: gone, by: system, touchpoint: sorry}}")
    text = (
        "name: chain\nversion: 1\nmax_silence: 3d\nstart: s0\ntouchpoints: {hello: Hi, sorry: Sorry}\nstates:\n"
        + "\n".join(states)
        + "\ntransitions:\n"
        + "\n".join(moves)
        + "\n"
    )
    return text, sum(hours) * 3600, sum(touched)


@settings(max_examples=60, deadline=None)
@given(chains(), st.integers(0, 1000))
def test_fixed_after_durations_give_the_hand_computed_p50(chain: tuple[str, int, int], seed: int) -> None:
    text, total, touches = chain
    report = simulate(load(text), runs=25, seed=seed)
    assert report.duration_p50 == total
    assert report.duration_p90 == total
    assert report.touches_p50 == touches
    assert report.outcome_shares == {"success": 1.0}
