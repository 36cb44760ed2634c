"""The pure transition function: exact refusals, exact effects, and a property on generated journeys."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from tests.journeys.strategies import EVENTS, actors, case_data, journeys

from touchpoint.journeys.engine import (
    Actor,
    Advanced,
    CancelTimers,
    OpenTask,
    Refused,
    SendTouchpoint,
    StartTimer,
    advance,
    open_case,
    valid_events,
)
from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.model import Journey

REPAIR = """
name: engine
version: 3
max_silence: 2d
start: waiting
touchpoints: {received: We have it, late: Sorry for the wait, fixed: Fixed, quote: Quote}
states:
  waiting: {owner: customer, label: Waiting for your device, wait_limit: 5d, on_timeout: never_sent}
  bench: {owner: "team:bench", label: On the bench, wait_limit: 2d, on_timeout: late, accept_within: 4h}
  quote: {owner: customer, label: Your OK please, wait_limit: 3d, on_timeout: give_up}
  trouble: {owner: "team:care", label: A person is on it, exception: true, wait_limit: 1d, on_timeout: escalate}
  done: {owner: system, label: Done, outcome: success}
  closed: {owner: system, label: Closed, outcome: failure}
transitions:
  - {from: waiting, on: arrived, to: bench, by: [carrier, "team:bench"], touchpoint: received}
  - {from: waiting, on: never_sent, to: closed, by: system, touchpoint: late}
  - {from: bench, on: diagnosed, to: done, by: "team:bench", guard: quote_total <= 100, touchpoint: fixed}
  - {from: bench, on: diagnosed, to: quote, by: "team:bench", guard: quote_total > 100, touchpoint: quote}
  - {from: bench, on: late, to: trouble, by: system, touchpoint: late}
  - {from: quote, on: approved, to: bench, by: customer, silent: back to the bench}
  - {from: trouble, on: resolve, to: done, by: "role:lead", touchpoint: fixed}
  - {from: [bench, quote], on: give_up, to: closed, by: "role:admin", touchpoint: late}
  - {from: trouble, on: escalate, to: closed, by: system, touchpoint: late}
"""

CUSTOMER = Actor("customer")
CARRIER = Actor("carrier")
SYSTEM = Actor("system")
TIMER = Actor("timer")


def staff(role: Any = "agent", *teams: str) -> Actor:
    return Actor("staff", role, frozenset(teams))


@pytest.fixture(scope="module")
def journey() -> Journey:
    return parse_journey(REPAIR, "engine.yaml").journey


def run(journey: Journey, state: str, event: str, actor: Actor, **data: Any) -> Advanced | Refused:
    before = journey.model_dump()
    result = advance(journey, state=state, event=event, data=data, actor=actor)
    assert journey.model_dump() == before  # pure: the journey is never touched
    return result


# --- refusals: each with its exact code and sentence -------------------------------------------


def test_unknown_state_is_refused(journey: Journey) -> None:
    assert run(journey, "nope", "arrived", CARRIER) == Refused(
        "unknown-state", "the journey engine@3 has no state `nope`"
    )


def test_terminal_state_is_refused(journey: Journey) -> None:
    assert run(journey, "done", "arrived", CARRIER) == Refused(
        "terminal", "the case has ended (Done); nothing more can happen to it"
    )


def test_unknown_event_is_refused_with_the_allowed_ones(journey: Journey) -> None:
    assert run(journey, "waiting", "diagnosed", CARRIER) == Refused(
        "unknown-event", "`diagnosed` can't happen in `waiting` (Waiting for your device); allowed: arrived, never_sent"
    )


@pytest.mark.parametrize(
    ("actor", "reason"),
    [
        (CUSTOMER, "customer may not trigger `arrived` here; allowed: carrier, team:bench"),
        (staff("lead", "care"), "staff (lead in care) may not trigger `arrived` here; allowed: carrier, team:bench"),
        (staff(None), "staff (no role) may not trigger `arrived` here; allowed: carrier, team:bench"),
        (SYSTEM, "system may not trigger `arrived` here; allowed: carrier, team:bench"),
    ],
)
def test_actor_outside_by_is_refused(journey: Journey, actor: Actor, reason: str) -> None:
    assert run(journey, "waiting", "arrived", actor) == Refused("actor-not-allowed", reason)


def test_team_member_may_act_for_the_team(journey: Journey) -> None:
    assert isinstance(run(journey, "waiting", "arrived", staff("agent", "bench")), Advanced)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (staff("agent"), False),
        (staff("lead"), True),
        (staff("admin"), True),  # a higher role may do what a lower one may
        (CUSTOMER, False),
    ],
)
def test_roles_rank(journey: Journey, actor: Actor, allowed: bool) -> None:
    result = run(journey, "trouble", "resolve", actor)
    if allowed:
        assert isinstance(result, Advanced)
    else:
        assert result == Refused(
            "actor-not-allowed", f"{actor.describe()} may not trigger `resolve` here; allowed: role:lead"
        )


def test_timer_may_fire_only_the_timeout(journey: Journey) -> None:
    # given a case waiting for the customer's device
    # when the timer tries an event that isn't the state's timeout
    result = run(journey, "waiting", "arrived", TIMER)
    # then it is refused, naming the one it may fire
    assert result == Refused("actor-not-allowed", "a timer may only fire `never_sent` in `waiting`")


def test_timer_fires_the_timeout_whoever_the_transition_names(journey: Journey) -> None:
    result = run(journey, "quote", "give_up", TIMER)  # `by: role:admin`, but the wait limit ran out
    assert isinstance(result, Advanced)
    assert (result.target, result.transition) == ("closed", 7)


def test_no_guard_matched_is_refused_naming_the_guards(journey: Journey) -> None:
    assert run(journey, "bench", "diagnosed", staff("agent", "bench")) == Refused(
        "no-guard-matched",
        "`diagnosed` in `bench` needs one of these to hold: `quote_total <= 100`; `quote_total > 100`",
    )


def test_guard_picks_the_branch(journey: Journey) -> None:
    bench = staff("agent", "bench")
    cheap = run(journey, "bench", "diagnosed", bench, quote_total=80)
    dear = run(journey, "bench", "diagnosed", bench, quote_total=150)
    assert isinstance(cheap, Advanced) and isinstance(dear, Advanced)
    assert (cheap.target, cheap.transition, dear.target, dear.transition) == ("done", 2, "quote", 3)


# --- effects -------------------------------------------------------------------------------


def test_handoff_into_a_team_state_starts_acceptance_and_opens_a_task(journey: Journey) -> None:
    # given a case waiting for the customer (owner: customer)
    # when the carrier delivers it to the bench (owner: team:bench, accept within 4h)
    result = run(journey, "waiting", "arrived", CARRIER)
    # then the old timers go, the customer is told, and the bench must accept in time
    assert result == Advanced(
        source="waiting",
        target="bench",
        event="arrived",
        transition=0,
        owner="team:bench",
        handoff=True,
        outcome=None,
        silent_reason=None,
        effects=(
            CancelTimers(),
            StartTimer("wait", 2 * 86400, "late"),
            StartTimer("accept", 4 * 3600, None),
            OpenTask("handoff", "team:bench", "accept: On the bench", 4 * 3600),
            SendTouchpoint("received"),  # written last: it can say when the next step is due
        ),
    )
    assert result.touchpoints == ["received"]


def test_entering_an_exception_opens_an_exception_task(journey: Journey) -> None:
    result = run(journey, "bench", "late", TIMER)
    assert isinstance(result, Advanced)
    assert (result.target, result.owner, result.handoff) == ("trouble", "team:care", True)
    assert result.effects == (
        CancelTimers(),
        StartTimer("wait", 86400, "escalate"),
        OpenTask("exception", "team:care", "A person is on it", 86400),
        SendTouchpoint("late"),
    )


def test_leaving_a_state_cancels_its_timers_even_into_an_end(journey: Journey) -> None:
    result = run(journey, "trouble", "resolve", staff("lead"))
    assert isinstance(result, Advanced)
    assert (result.target, result.outcome) == ("done", "success")
    assert result.effects == (CancelTimers(), SendTouchpoint("fixed"))


def test_silent_move_states_its_reason_and_sends_nothing(journey: Journey) -> None:
    result = run(journey, "quote", "approved", CUSTOMER)
    assert isinstance(result, Advanced)
    assert result.silent_reason == "back to the bench"
    assert result.touchpoints == []
    assert result.effects == (
        CancelTimers(),
        StartTimer("wait", 2 * 86400, "late"),
        StartTimer("accept", 4 * 3600, None),
        OpenTask("handoff", "team:bench", "accept: On the bench", 4 * 3600),
    )


def test_ending_in_a_system_state_takes_no_acceptance(journey: Journey) -> None:
    # a move from the customer to a system-owned end changes the owner, but nobody has to accept it
    result = run(journey, "quote", "give_up", staff("admin"))
    assert isinstance(result, Advanced)
    assert result.effects == (CancelTimers(), SendTouchpoint("late"))


def test_opening_a_case_starts_the_first_wait(journey: Journey) -> None:
    assert open_case(journey) == Advanced(
        None,
        "waiting",
        "opened",
        None,
        "customer",
        False,
        None,
        "opening a case",
        (StartTimer("wait", 5 * 86400, "never_sent"),),
    )
    assert open_case(journey, touchpoint="received").effects[-1] == SendTouchpoint("received")


def test_opening_a_case_sends_the_journeys_start_touchpoint() -> None:
    # given the journey opening with `received`
    opening = parse_journey(
        REPAIR.replace("start: waiting\n", "start: waiting\nstart_touchpoint: received\n"), "e.yaml"
    )
    journey = opening.journey
    # when a case opens, then the message is written after the first wait starts (so it can say when
    # the next step is due), and nothing is silent
    result = open_case(journey)
    assert result.effects == (StartTimer("wait", 5 * 86400, "never_sent"), SendTouchpoint("received"))
    assert result.touchpoints == ["received"]
    assert result.silent_reason is None
    # and a caller may send another message instead (never both)
    assert open_case(journey, touchpoint="quote").touchpoints == ["quote"]


def test_valid_events_are_exactly_what_the_actor_can_do(journey: Journey) -> None:
    assert valid_events(journey, state="bench", data={"quote_total": 5}, actor=staff("agent", "bench")) == ["diagnosed"]
    assert valid_events(journey, state="bench", data={}, actor=staff("admin")) == ["give_up"]
    assert valid_events(journey, state="done", data={}, actor=staff("admin")) == []


# --- property: whatever comes in, the result stays inside the journey --------------------------


@settings(max_examples=200, deadline=None)
@given(journeys())
def test_opening_sends_exactly_the_start_touchpoint(journey: Journey) -> None:
    result = open_case(journey)
    assert result.touchpoints == ([journey.start_touchpoint] if journey.start_touchpoint else [])
    assert (result.source, result.target, result.transition) == (None, journey.start, None)
    assert (result.silent_reason is None) == (journey.start_touchpoint is not None)


@settings(max_examples=400, deadline=None)
@given(journeys(), actors, case_data)
def test_advance_never_leaves_the_journey(journey: Journey, actor: Actor, data: dict[str, Any]) -> None:
    for state in [*journey.states, "ghost", "S0", ""]:
        for event in [*EVENTS, "unknown"]:
            result = advance(journey, state=state, event=event, data=data, actor=actor)
            if isinstance(result, Refused):
                assert result.code in {
                    "unknown-state",
                    "terminal",
                    "unknown-event",
                    "actor-not-allowed",
                    "no-guard-matched",
                }
                assert result.reason
                continue
            assert result.source == state and result.event == event
            assert result.target in journey.states
            assert result.transition is not None
            transition = journey.transitions[result.transition]
            assert state in transition.from_ and transition.on == event and transition.to == result.target
            target = journey.states[result.target]
            assert result.owner == target.owner and result.outcome == target.outcome
            assert result.effects[0] == CancelTimers()
            for effect in result.effects[1:]:
                if isinstance(effect, SendTouchpoint):
                    assert effect.key == transition.touchpoint and effect.key in journey.touchpoints
                elif isinstance(effect, StartTimer):
                    assert effect.event in (target.on_timeout, None)
                    assert effect.after_seconds in (target.wait_limit, target.accept_within)
                elif isinstance(effect, OpenTask):
                    assert effect.owner == target.owner
                else:
                    raise AssertionError(f"unexpected effect {effect}")
