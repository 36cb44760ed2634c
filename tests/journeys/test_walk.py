"""The data-aware path cover the route walker drives: every move of the shipped journeys taken by a
route the engine really takes, the values that make each guard hold, who takes each step, and a
move no route can take reported by name. No database: the engine is the oracle."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.journeys.strategies import journeys

from touchpoint.journeys.engine import Actor, Advanced, advance, open_case
from touchpoint.journeys.graph import Edge
from touchpoint.journeys.guards import guard_holds
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.walk import (
    MAX_ROUTE_STEPS,
    RouteError,
    candidates,
    intake_variants,
    replay,
    takers,
    walk_cover,
    walk_route,
)

SHIPPED = ["mail-in-repair", "walk-in-warranty", "order-problem"]


def shipped(name: str) -> Journey:
    path = library_file(name)
    assert path is not None
    return load_journey(path).journey


def load(text: str) -> Journey:
    return parse_journey(text, "test.yaml").journey


@pytest.mark.parametrize("name", SHIPPED)
def test_the_cover_of_each_shipped_journey_takes_every_transition(name: str) -> None:
    # given a shipped journey
    journey = shipped(name)
    # when the walker plans its routes
    cover = walk_cover(journey)
    # then together they take every transition, from every state it leaves, and nothing is left over
    assert cover.uncovered == ()
    assert cover.transitions_covered == frozenset(range(len(journey.transitions)))
    assert cover.covered == cover.moves
    assert len(cover.moves) == sum(len(set(t.from_)) for t in journey.transitions)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_planned_route_replays_through_the_engine_to_its_end(name: str) -> None:
    journey = shipped(name)
    for route in walk_cover(journey).routes:
        results = replay(journey, route)
        # each step is the move the plan says, its guard holding on the data of the moment
        assert [r.target for r in results] == list(route.states)
        assert journey.states[route.terminal].terminal
        data = dict(route.opened)
        for step in route.steps:
            transition = journey.transitions[step.transition]
            assert guard_holds(transition.guard, {**data, **step.given}), step.describe()
            data = dict(step.data)
        # and the route stays short enough to read when it fails
        assert len(route.steps) <= 2 * MAX_ROUTE_STEPS


@pytest.mark.parametrize("name", SHIPPED)
def test_intake_and_asked_values_fit_their_declarations(name: str) -> None:
    journey = shipped(name)
    for route in walk_cover(journey).routes:
        assert set(route.intake) == {n for n, f in journey.data.items() if f.intake}
        for field, value in route.intake.items():
            assert journey.data[field].check(value) == value
        for step in route.steps:
            assert set(step.given) == set(journey.transitions[step.transition].asks)
            for field, value in step.given.items():
                assert journey.data[field].check(value) == value


def test_values_are_chosen_from_the_guards_the_plain_one_first() -> None:
    journey = shipped("mail-in-repair")
    # a quote is £25 where any positive amount reads the same, and nothing when there is no extra work
    assert candidates(journey, "quote_total") == [25.0, 0.0]
    # a rating: the best, and one below the guard's 3
    assert candidates(journey, "rating") == [5, 2]
    assert [v["prepaid_box"] for v in intake_variants(journey)] == [False, True]
    warranty = shipped("walk-in-warranty")
    # gold and platinum read the same to every guard: one of them is enough
    assert candidates(warranty, "tier") == ["standard", "gold"]


def test_the_routes_take_the_extra_work_the_customer_approved_to_the_balance() -> None:
    journey = shipped("mail-in-repair")
    route = walk_route(
        journey,
        intake={"prepaid_box": True},
        events=[
            "card_submitted",
            "payment_succeeded",
            "box_dispatched",
            "box_delivered",
            "device_posted",
            "device_arrived",
            "surgery_started",
            ("diagnosed", {"quote_total": 25}),
            "quote_approved",
            "repair_done",
            "qc_passed",
            ("balance_paid", {}, "system"),
            "return_shipped",
            "return_delivered",
            ("feedback_given", {"rating": 5}),
        ],
    )
    assert route.terminal == "completed"
    kinds = [(s.event, s.who.kind, s.who.by, s.who.via) for s in route.steps]
    assert kinds[0] == ("card_submitted", "customer", "customer", None)
    assert kinds[1] == ("payment_succeeded", "system", "system", "payments")
    assert kinds[2] == ("box_dispatched", "staff", "team:shipping", None)
    assert kinds[8] == ("quote_approved", "customer", "customer", None)
    assert kinds[11] == ("balance_paid", "system", "system", "payments")
    assert route.steps[10].target == "awaiting_balance"
    assert route.steps[10].data["repaired"] is True
    assert route.steps[-1].touchpoint == "thanks_for_feedback"


def test_a_route_the_engine_refuses_names_the_step_and_why() -> None:
    journey = shipped("mail-in-repair")
    with pytest.raises(RouteError, match=r"step 2: `qc_passed` can't happen in `payment_processing`"):
        walk_route(journey, intake={}, events=["card_submitted", "qc_passed"])
    arrived = ["offline_payment_received", "device_arrived", "surgery_started"]
    with pytest.raises(RouteError, match=r"step 4: `diagnosed` in `in_surgery` is refused .*must be at least 0"):
        walk_route(journey, intake={}, events=[*arrived, ("diagnosed", {"quote_total": -5})])
    with pytest.raises(RouteError, match="nobody of kind carrier takes `card_submitted`"):
        walk_route(journey, intake={}, events=[("card_submitted", {}, "carrier")])


def test_who_takes_each_step() -> None:
    journey = shipped("mail-in-repair")
    data = open_case(journey).data
    # a timeout is the timer's (the carrier's bad news mapped to it too); a person who may take it comes first
    assert [w.kind for w in takers(journey, "payment_failed", "payment_given_up", data)] == ["staff", "timer"]
    assert [w.kind for w in takers(journey, "box_in_post", "box_not_delivered", data)] == ["timer"]
    # the carrier's step a customer may also report; a person records the carrier's by hand
    customer, carrier = takers(journey, "box_in_post", "box_delivered", data)
    assert (customer.kind, carrier.kind, carrier.manual) == ("customer", "carrier", True)
    assert carrier.recorder == Actor("staff", role="agent", teams=frozenset({"shipping"}))
    # the payment provider's answers come through its integration
    (provider,) = takers(journey, "payment_processing", "payment_succeeded", data)
    assert (provider.kind, provider.via, provider.manual) == ("system", "payments", False)


def test_a_move_taken_twice_takes_turns_between_who_may_take_it() -> None:
    cover = walk_cover(shipped("mail-in-repair"))
    takers_of = {step.who.kind for route in cover.routes for step in route.steps if step.event == "box_delivered"}
    assert takers_of == {"customer", "carrier"}


UNREACHABLE = """
name: gaps
version: 1
max_silence: 3d
start: a
touchpoints: {hi: Hello}
data:
  amount: {type: integer, meaning: A number, intake: true}
states:
  a: {owner: customer, label: Start, wait_limit: 1d, on_timeout: late}
  b: {owner: team:ops, label: Middle, wait_limit: 1d, on_timeout: late}
  island: {owner: team:ops, label: Nobody comes here, wait_limit: 1d, on_timeout: late}
  trap: {owner: team:ops, label: No way out}
  done: {owner: system, label: Done, outcome: success}
transitions:
  - {from: a, on: go, to: b, by: customer, touchpoint: hi}
  - {from: a, on: late, to: done, by: system, touchpoint: hi}
  - {from: b, on: finish, to: done, by: staff, touchpoint: hi}
  - {from: b, on: odd, to: done, guard: amount > 5 and amount < 3, by: staff, touchpoint: hi}
  - {from: b, on: finish, to: a, by: staff, touchpoint: hi}
  - {from: b, on: stuck, to: trap, by: staff, touchpoint: hi}
  - {from: b, on: late, to: nowhere, by: system, touchpoint: hi}
  - {from: island, on: late, to: done, by: system, touchpoint: hi}
"""


def test_a_move_no_route_can_take_is_reported_by_name_with_its_reason() -> None:
    cover = walk_cover(load(UNREACHABLE))
    reasons = {(u.source, u.event, u.target): u.reason for u in cover.uncovered}
    assert reasons == {
        ("b", "odd", "done"): "its guard `amount > 5 and amount < 3` holds for no case data that reaches `b`",
        ("b", "finish", "a"): "an earlier transition on `finish` from `b` is always taken first (file order wins)",
        ("b", "stuck", "trap"): "no end can be reached after it from `trap` (every way on is a dead end)",
        ("b", "late", "nowhere"): "it leads to `nowhere`, which the journey doesn't define",
        ("island", "late", "done"): "no case reaches `island` (no feasible route leads there)",
    }
    assert {(s.source, s.event) for r in cover.routes for s in r.steps} == {("a", "go"), ("a", "late"), ("b", "finish")}


def test_a_journey_whose_start_is_undefined_is_covered_by_no_route_and_every_move_says_why() -> None:
    # given UNREACHABLE with its `start:` misspelt (J101): no case can open
    journey = load(UNREACHABLE.replace("start: a\n", "start: aa\n"))
    # when covered, then nothing crashes: no route, and each move is reported with its reason
    cover = walk_cover(journey)
    assert cover.routes == ()
    reasons = {(u.source, u.event, u.target): u.reason for u in cover.uncovered}
    assert reasons[("a", "go", "b")] == "no case reaches `a` (no feasible route leads there)"
    assert reasons[("b", "late", "nowhere")] == "it leads to `nowhere`, which the journey doesn't define"
    assert {Edge(u.source, u.transition, u.target) for u in cover.uncovered} == cover.moves


# --- property: on small random journeys --------------------------------------------------------


def _random_walk(journey: Journey, rng: random.Random) -> list[tuple[Edge, bool]]:
    """A case pushed at random through the engine (random intake, events, takers and values);
    each move taken, and whether the case went on to an end."""
    variants = intake_variants(journey)
    data = {**open_case(journey).data, **rng.choice(variants)}
    state = journey.start
    moves: list[tuple[Edge, bool]] = []
    for _ in range(25):
        if journey.states[state].terminal:
            return [(m, True) for m, _ in moves]
        events = journey.events_from(state)
        if not events:
            break
        event = rng.choice(events)
        options = takers(journey, state, event, data)
        if not options:
            continue
        who = rng.choice(options)
        asked = sorted({a for i in journey.index.get((state, event), []) for a in journey.transitions[i].asks})
        given = {name: rng.choice(candidates(journey, name)) for name in asked}
        result = advance(journey, state=state, event=event, data=data, actor=who.actor, given=given)
        if isinstance(result, Advanced) and result.transition is not None:
            moves.append((Edge(state, result.transition, result.target), False))
            state, data = result.target, {**data, **result.data}
    return moves


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey=journeys(), seed=st.integers(0, 2**32 - 1))
def test_on_random_journeys_every_route_is_real_and_no_move_a_case_can_take_is_missed(
    journey: Journey, seed: int
) -> None:
    cover = walk_cover(journey)
    # every route replays through the engine to an end
    for route in cover.routes:
        replay(journey, route)
        assert journey.states[route.terminal].terminal
    # every declared move is covered or reported, never both, never neither
    reported = {Edge(u.source, u.transition, u.target) for u in cover.uncovered}
    assert reported.isdisjoint(cover.covered)
    assert reported | cover.covered == cover.moves
    # and a move a random case takes on its way to an end is one the cover takes
    rng = random.Random(seed)
    for _ in range(20):
        for move, ended in _random_walk(journey, rng):
            if ended:
                assert move in cover.covered, f"{move} was taken by a case that ended, but not covered"


PROVIDER = """
name: provider
version: 1
max_silence: 3d
start: due
touchpoints: {paid: Paid, late: Late}
events:
  succeeded: {label: Paid by card, via: payments}
states:
  due: {owner: customer, label: Pay, wait_limit: 1d, on_timeout: overdue}
  checking: {owner: system, label: Checking, wait_limit: 1h, on_timeout: overdue}
  failed: {owner: team:intake, label: Not paid, wait_limit: 1d, on_timeout: give_up}
  done: {owner: system, label: Done, outcome: success}
  gone: {owner: system, label: Gone, outcome: failure}
transitions:
  - {from: due, on: card, to: checking, by: customer, silent: watching the page}
  - {from: [due, checking], on: overdue, to: failed, by: system, touchpoint: late}
  - {from: [checking, failed], on: succeeded, to: done, by: system, touchpoint: paid}
  - {from: failed, on: give_up, to: gone, by: system, touchpoint: late}
"""


def test_an_integration_reports_only_on_what_was_started_before() -> None:
    journey = load(PROVIDER)
    # Without saying so, the provider "reports" a payment nobody started (due → failed → done).
    loose = walk_cover(journey)
    assert loose.uncovered == ()
    # With it, the late answer from `failed` is taken only after a card was tried.
    cover = walk_cover(journey, needs={"succeeded": "card"}, gives={"card": "card"})
    assert cover.uncovered == ()
    for route in cover.routes:
        events = [step.event for step in route.steps]
        if "succeeded" in events:
            assert "card" in events[: events.index("succeeded")], route.describe()
    # A journey where no card can be tried before it: the move is named, with why.
    never = walk_cover(journey, needs={"succeeded": "card"}, gives={"nothing": "card"})
    assert [(u.source, u.event, u.reason) for u in never.uncovered] == [
        (
            "checking",
            "succeeded",
            "its integration reports `succeeded` only after `nothing`, which no route to `checking` takes",
        ),
        (
            "failed",
            "succeeded",
            "its integration reports `succeeded` only after `nothing`, which no route to `failed` takes",
        ),
    ]
