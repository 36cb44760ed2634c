"""The shipped journeys: clean under the checker, and true to the seeds they come from."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from touchpoint.journeys.checker import RULES, check, silence_bound
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.engine import (
    Actor,
    Advanced,
    OpenTask,
    Refund,
    Refused,
    StartTimer,
    advance,
    event_asks,
    open_case,
)
from touchpoint.journeys.library import library_dir, library_file, library_files
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths import enumerate_paths
from touchpoint.journeys.simulate import simulate

CUSTOMER = Actor("customer")
SYSTEM = Actor("system")
CARRIER = Actor("carrier")
TIMER = Actor("timer")


def staff(*teams: str, role: str = "agent") -> Actor:
    return Actor("staff", role=role, teams=frozenset(teams))  # type: ignore[arg-type]


def journey(name: str) -> Journey:
    path = library_file(name)
    assert path is not None
    return load_journey(path).journey


MAIL_IN = journey("mail-in-repair")
WALK_IN = journey("walk-in-warranty")
ORDER = journey("order-problem")

Step = tuple[str, Actor, Mapping[str, Any], str, str | None]  # event, actor, values, expected state, touch point


def walk(j: Journey, start: str, steps: list[Step], data: Mapping[str, Any] | None = None) -> list[Advanced]:
    """Apply each step from ``start``, asserting where it lands and what it tells the customer.

    The case's data starts as the journey's initial values with ``data`` (its intake), and takes
    what each move writes. A step's values are given with its event where the event asks for them
    (a quote total, a rating); any other value is data the case already holds, as if from intake."""
    state = start
    case = {**j.initial_data(), **(data or {})}
    done: list[Advanced] = []
    for event, actor, values, expected, touchpoint in steps:
        asked = set(event_asks(j, state=state, event=event))
        case.update({name: value for name, value in values.items() if name not in asked})
        given = {name: value for name, value in values.items() if name in asked}
        result = advance(j, state=state, event=event, data=case, actor=actor, given=given)
        assert isinstance(result, Advanced), f"{state} --{event}--> refused: {result}"
        assert result.target == expected, f"{state} --{event}--> {result.target}, expected {expected}"
        assert result.touchpoints == ([touchpoint] if touchpoint else []), f"{state} --{event}-->"
        done.append(result)
        case.update(result.data)
        state = result.target
    return done


# --- the library as a whole ------------------------------------------------------------------


def test_the_library_ships_three_journeys() -> None:
    assert [p.name for p in library_files()] == ["mail-in-repair.yaml", "order-problem.yaml", "walk-in-warranty.yaml"]
    assert all(p.parent == library_dir() for p in library_files())
    assert library_file("no-such-journey") is None


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_library_journey_is_clean(path: Path) -> None:
    loaded = load_journey(path)
    assert loaded.journey.name == path.stem  # named like its file
    assert [d.format() for d in check(loaded)] == []  # no errors, and no warnings either


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_silence_stays_within_three_days(path: Path) -> None:
    j = load_journey(path).journey
    bound = silence_bound(j)
    assert j.max_silence == 3 * 86400
    assert bound.worst_seconds is not None
    assert bound.worst_seconds <= j.max_silence


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_timer_always_has_somewhere_to_go(path: Path) -> None:
    # whatever the case data (here: none at all), a wait limit running out moves the case
    j = load_journey(path).journey
    for name, state in j.states.items():
        if state.terminal:
            continue
        assert state.on_timeout is not None, name
        result = advance(j, state=name, event=state.on_timeout, data={}, actor=TIMER)
        assert isinstance(result, Advanced), f"{name}: {result}"


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_exception_is_owned_by_people_and_told(path: Path) -> None:
    j = load_journey(path).journey
    exceptions = [name for name, state in j.states.items() if state.exception]
    assert exceptions
    for name in exceptions:
        assert j.states[name].team is not None, name
        told = [t for t in j.transitions if t.to == name and name not in t.from_ and t.touchpoint is not None]
        assert told, f"no move into `{name}` tells the customer"


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_move_into_a_failure_is_told_and_every_transition_is_simulated_or_timed(path: Path) -> None:
    j = load_journey(path).journey
    for transition in j.transitions:
        target = j.states[transition.to]
        if target.outcome == "failure":
            assert transition.touchpoint is not None, transition.on
        is_timeout = all(j.states[s].on_timeout == transition.on for s in transition.from_)
        # timeouts take the rest of the chance at the wait limit; everything else says how likely it is
        assert (transition.sim is None) == is_timeout, transition.on


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_declared_weights_leave_room_for_the_timeout(path: Path) -> None:
    j = load_journey(path).journey
    for name, state in j.states.items():
        if state.terminal:
            continue
        total = sum(t.sim.weight for t in j.transitions if name in t.from_ and t.sim is not None)
        assert 0.4 <= total < 1.0, f"{name}: weights add up to {total}"


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_next_steps_are_written_for_every_state(path: Path) -> None:
    j = load_journey(path).journey
    for name, state in j.states.items():
        assert state.next_step, name
        assert state.next_step.endswith((".", "!", "?")), name


@pytest.mark.parametrize(
    ("name", "opening"),
    [("mail-in-repair", "order_received"), ("order-problem", "report_received"), ("walk-in-warranty", None)],
)
def test_cases_open_with_a_message_where_a_shop_would_send_one(name: str, opening: str | None) -> None:
    # given a shipped journey: a mail-in order and a reported delivery are acknowledged at once;
    # a walk-in customer is standing at the counter and is told in person
    j = journey(name)
    assert j.start_touchpoint == opening
    # when a case opens, then that message (and only it) goes out
    assert open_case(j).touchpoints == ([opening] if opening else [])
    # and it is a message of its own: no move sends it again, so no route tells it twice
    assert opening is None or all(t.touchpoint != opening for t in j.transitions)
    for route in enumerate_paths(j, max_paths=200).routes:
        assert route.touchpoints.count(opening) == (1 if opening else 0), route.events
        assert opening is None or route.touchpoints[0] == opening


def test_the_opening_message_is_one_touch_more_per_case() -> None:
    # given mail-in repair with and without its opening message, simulated with the same seed
    without = MAIL_IN.model_copy(update={"start_touchpoint": None})
    with_it, without_it = simulate(MAIL_IN, runs=500, seed=4), simulate(without, runs=500, seed=4)
    # then every case is touched exactly once more, and nothing else changes
    assert with_it.touches_mean == round((without_it.touches_mean or 0) + 1, 2)
    assert with_it.touches_p50 == (without_it.touches_p50 or 0) + 1
    assert (with_it.duration_p50, with_it.silence_worst) == (without_it.duration_p50, without_it.silence_worst)


# --- mail-in repair (seed 000) ----------------------------------------------------------------


def test_mail_in_repair_has_the_owners_of_the_shop() -> None:
    owners = {state.owner for state in MAIL_IN.states.values()}
    assert owners == {
        "customer",
        "team:intake",
        "team:bench",
        "team:shipping",
        "team:care",
        "carrier",
        "system",
    }


def test_mail_in_repair_has_a_state_for_every_way_it_goes_wrong() -> None:
    expected = {
        "payment_failed": "team:intake",  # payment fails
        "box_lost": "team:shipping",  # prepaid box lost in the post
        "device_not_sent": "team:care",  # the device never sent
        "device_lost": "team:shipping",  # the device lost on its way in
        "quote_declined": "team:care",  # extra work declined
        "quote_unanswered": "team:care",  # customer silent on the quote
        "beyond_repair": "team:care",  # died on the operating table
        "return_lost": "team:shipping",  # the parcel home lost
        "complaint": "team:care",  # a complaint
        "balance_unpaid": "team:care",  # the extra work approved but never paid
    }
    exceptions = {name: state.owner for name, state in MAIL_IN.states.items() if state.exception}
    assert exceptions == expected


def test_the_seed_000_happy_path_and_its_touch_points() -> None:
    # "Not sure what is wrong", "please send me a pre-paid box", paid by card; a new battery authorised online.
    order = {"model": "nano-4g", "problem": "not_sure", "prepaid_box": True}
    steps: list[Step] = [
        ("card_submitted", CUSTOMER, order, "payment_processing", None),
        ("payment_succeeded", SYSTEM, order, "box_to_send", "order_confirmed_box_coming"),
        ("box_dispatched", staff("shipping"), order, "box_in_post", "box_on_its_way"),
        ("box_delivered", CARRIER, order, "awaiting_device", "box_delivered"),
        ("device_posted", CUSTOMER, order, "device_in_transit", "device_on_its_way"),
        ("device_arrived", staff("intake"), order, "resting", "arrived_resting"),
        ("surgery_started", staff("bench"), order, "in_surgery", None),
        ("diagnosed", staff("bench"), {"quote_total": 39}, "awaiting_approval", "needs_your_ok"),
        ("quote_approved", CUSTOMER, {}, "repairing", "extra_work_authorised"),
        ("repair_done", staff("bench"), {}, "quality_check", None),
        # the extra work is paid before the trip home
        ("qc_passed", staff("bench"), {}, "awaiting_balance", "ready_balance_due"),
        ("balance_paid", SYSTEM, {}, "return_to_pack", "balance_received"),
        ("return_shipped", staff("shipping"), {}, "return_in_post", "on_the_way_home"),
        ("return_delivered", CARRIER, {}, "feedback_asked", "home_safe"),
        ("feedback_given", CUSTOMER, {"rating": 5}, "completed", "thanks_for_feedback"),
    ]
    opened = open_case(MAIL_IN)
    moves = walk(MAIL_IN, MAIL_IN.start, steps)
    assert MAIL_IN.start == "awaiting_payment"
    # the quote is what the bench gave, the check-up is what makes the device repaired, and the
    # rating is the customer's
    written = {m.event: dict(m.data) for m in moves}
    assert (written["diagnosed"]["quote_total"], written["qc_passed"]["repaired"]) == (39.0, True)
    assert written["feedback_given"] == {"rating": 5}
    assert [t for m in [opened, *moves] for t in m.touchpoints] == [
        "order_received",
        "order_confirmed_box_coming",
        "box_on_its_way",
        "box_delivered",
        "device_on_its_way",
        "arrived_resting",
        "needs_your_ok",
        "extra_work_authorised",
        "ready_balance_due",
        "balance_received",
        "on_the_way_home",
        "home_safe",
        "thanks_for_feedback",
    ]
    assert moves[-1].outcome == "success"
    # the words of the seed, on the customer's tracking page
    assert MAIL_IN.states["resting"].next_step == (
        "Your device is resting to get its strength up before the surgery tomorrow."
    )


def test_handoffs_open_a_task_and_an_acceptance_deadline() -> None:
    # payment (system) hands the case to shipping, who must accept within four hours
    result = advance(
        MAIL_IN, state="payment_processing", event="payment_succeeded", data={"prepaid_box": True}, actor=SYSTEM
    )
    assert isinstance(result, Advanced)
    assert result.handoff
    assert StartTimer("accept", 4 * 3600, None) in result.effects
    assert OpenTask("handoff", "team:shipping", "accept: Packing your repair kit", 4 * 3600) in result.effects
    # the carrier's first scan is its acceptance: a day for it
    result = advance(MAIL_IN, state="box_to_send", event="box_dispatched", data={}, actor=staff("shipping"))
    assert isinstance(result, Advanced)
    assert StartTimer("accept", 86400, None) in result.effects


def test_no_prepaid_box_goes_straight_to_sending_the_device() -> None:
    walk(
        MAIL_IN,
        "payment_processing",
        [("payment_succeeded", SYSTEM, {"prepaid_box": False}, "awaiting_device", "order_confirmed_send_device")],
    )


def test_offline_payment_is_matched_by_intake() -> None:
    walk(
        MAIL_IN,
        "awaiting_payment",
        [("offline_payment_received", staff("intake"), {}, "awaiting_device", "order_confirmed_send_device")],
    )
    refused = advance(MAIL_IN, state="awaiting_payment", event="offline_payment_received", data={}, actor=CUSTOMER)
    assert isinstance(refused, Refused)
    assert refused.code == "actor-not-allowed"


def test_payment_is_retried_once_then_given_up() -> None:
    moves = walk(
        MAIL_IN,
        "payment_processing",
        [
            ("payment_declined", SYSTEM, {}, "payment_failed", "payment_declined"),
            ("card_submitted", CUSTOMER, {}, "payment_retrying", None),
            ("payment_declined", SYSTEM, {}, "cancelled_unpaid", "order_cancelled_unpaid"),
        ],
    )
    assert OpenTask("exception", "team:intake", "There's a problem with your payment", 2 * 86400) in moves[0].effects
    assert moves[-1].outcome == "failure"
    # no third try on the customer: a retrying payment can't be submitted again
    assert isinstance(
        advance(MAIL_IN, state="payment_retrying", event="card_submitted", data={}, actor=CUSTOMER), Refused
    )


def test_a_late_answer_from_the_payment_provider_still_counts() -> None:
    walk(
        MAIL_IN,
        "awaiting_payment",
        [
            ("card_submitted", CUSTOMER, {}, "payment_processing", None),
            ("payment_unconfirmed", TIMER, {}, "payment_failed", "payment_unconfirmed"),
            ("payment_succeeded", SYSTEM, {"prepaid_box": True}, "box_to_send", "order_confirmed_box_coming"),
        ],
    )


def test_a_device_that_turns_up_unannounced_is_scanned_in() -> None:
    for source in ("awaiting_device", "device_reminded", "device_not_sent"):
        walk(MAIL_IN, source, [("device_arrived", staff("intake"), {}, "resting", "arrived_resting")])


def test_an_unpaid_order_is_chased_then_closed() -> None:
    walk(
        MAIL_IN,
        "awaiting_payment",
        [
            ("payment_overdue", TIMER, {}, "payment_failed", "payment_not_received"),
            ("payment_given_up", TIMER, {}, "cancelled_unpaid", "order_cancelled_unpaid"),
        ],
    )


def test_a_lost_box_is_traced_then_resent() -> None:
    walk(
        MAIL_IN,
        "box_in_post",
        [
            ("box_not_delivered", TIMER, {}, "box_lost", "box_delayed"),
            ("box_search_update", TIMER, {}, "box_lost", "still_on_it"),
            ("box_resent", staff("shipping"), {}, "box_in_post", "new_box_on_its_way"),
        ],
    )


def test_a_device_never_sent_is_reminded_then_closed() -> None:
    walk(
        MAIL_IN,
        "awaiting_device",
        [
            ("device_not_sent_yet", TIMER, {}, "device_reminded", "send_device_reminder"),
            ("device_never_sent", TIMER, {}, "device_not_sent", "device_not_sent"),
            ("order_given_up", TIMER, {}, "closed_never_sent", "order_closed_never_sent"),
        ],
    )


def test_a_device_lost_in_transit_is_declared_lost_only_by_a_lead() -> None:
    walk(MAIL_IN, "device_in_transit", [("device_overdue", TIMER, {}, "device_lost", "device_tracing")])
    agent = advance(MAIL_IN, state="device_lost", event="device_declared_lost", data={}, actor=staff("shipping"))
    assert isinstance(agent, Refused)
    assert agent.code == "actor-not-allowed"
    walk(
        MAIL_IN,
        "device_lost",
        [("device_declared_lost", staff(role="lead"), {}, "lost_in_post", "device_lost_compensation")],
    )


def test_a_declined_quote_goes_home_unrepaired() -> None:
    moves = walk(
        MAIL_IN,
        "awaiting_approval",
        [
            ("quote_declined", CUSTOMER, {}, "quote_declined", "quote_declined_noted"),
            ("return_unrepaired", staff("care"), {}, "return_to_pack", "returning_unrepaired"),
            ("return_shipped", staff("shipping"), {}, "return_in_post", "on_the_way_home"),
            ("return_delivered", CARRIER, {}, "returned_unrepaired", "back_home_unrepaired"),
        ],
    )
    assert moves[-1].outcome == "failure"
    # the message says nothing is charged for the repair: the move that says so refunds it
    assert Refund("all") in moves[1].effects


def test_a_silent_customer_on_the_quote_is_reminded_then_called() -> None:
    walk(
        MAIL_IN,
        "awaiting_approval",
        [
            ("quote_unanswered", TIMER, {}, "approval_reminded", "quote_reminder"),
            ("quote_still_unanswered", TIMER, {}, "quote_unanswered", "quote_unanswered"),
            ("no_answer_return", TIMER, {}, "return_to_pack", "returning_unrepaired"),
        ],
    )
    # care may still take the customer's OK on the phone
    walk(MAIL_IN, "quote_unanswered", [("quote_approved", staff("care"), {}, "repairing", "extra_work_authorised")])


def test_died_on_the_operating_table_is_told_honestly() -> None:
    walk(
        MAIL_IN,
        "in_surgery",
        [
            ("died_on_table", staff("bench"), {}, "beyond_repair", "beyond_repair"),
            ("recycle_chosen", CUSTOMER, {}, "recycled", "recycled"),
        ],
    )
    assert MAIL_IN.states["beyond_repair"].next_step.startswith("We're very sorry.")  # type: ignore[union-attr]


def test_a_lost_parcel_home_is_replaced_or_refunded_by_a_lead() -> None:
    walk(
        MAIL_IN,
        "return_in_post",
        [
            ("return_overdue", TIMER, {}, "return_lost", "return_tracing"),
            ("replacement_sent", staff(role="lead"), {}, "return_in_post", "replacement_on_its_way"),
            ("return_overdue", TIMER, {}, "return_lost", "return_tracing"),
            ("refund_issued", staff(role="lead"), {}, "refunded_return_lost", "refund_parcel_lost"),
        ],
    )


@pytest.mark.parametrize(
    "source",
    ["resting", "in_surgery", "awaiting_approval", "repairing", "quality_check", "return_to_pack", "feedback_asked"],
)
def test_a_complaint_can_be_raised_where_it_matters_and_a_person_takes_it(source: str) -> None:
    (move,) = walk(MAIL_IN, source, [("complaint_raised", CUSTOMER, {}, "complaint", "complaint_received")])
    assert OpenTask("handoff", "team:care", "accept: We're looking into your complaint", 2 * 3600) in move.effects


def test_a_complaint_resumes_the_repair_or_ends_the_case() -> None:
    walk(MAIL_IN, "complaint", [("resume_at_bench", staff("care"), {}, "resting", "complaint_resolved_resuming")])
    walk(MAIL_IN, "complaint", [("complaint_resolved", staff("care"), {}, "completed", "complaint_resolved")])


def test_a_low_rating_reaches_a_person() -> None:
    walk(MAIL_IN, "feedback_asked", [("feedback_given", CUSTOMER, {"rating": 2}, "complaint", "complaint_received")])


# --- walk-in warranty (seeds 003 and 004) -----------------------------------------------------


def test_within_policy_the_agent_swaps_at_once() -> None:
    moves = walk(
        WALK_IN,
        WALK_IN.start,
        [
            ("swapped", staff("counter"), {"in_warranty": True, "tier": "standard"}, "feedback_asked", "swap_receipt"),
            ("feedback_given", CUSTOMER, {"rating": 5}, "done", "thanks_for_feedback"),
        ],
    )
    assert moves[-1].outcome == "success"


def test_no_receipt_but_a_big_customer_still_gets_the_swap() -> None:
    # seed 003's headset: the receipt can't be found, the customer is one of the biggest
    context = {"in_warranty": False, "has_receipt": False, "tier": "gold"}
    walk(WALK_IN, "checking", [("swapped", staff("counter"), context, "feedback_asked", "swap_receipt")])


def test_outside_policy_the_agent_asks_a_lead_who_has_ten_minutes() -> None:
    context = {"in_warranty": False, "tier": "standard"}
    refused = advance(WALK_IN, state="checking", event="swapped", data=context, actor=staff("counter"))
    assert isinstance(refused, Refused)
    assert refused.code == "no-guard-matched"
    walk(
        WALK_IN,
        "checking",
        [
            ("lead_asked", staff("counter"), context, "lead_review", None),
            ("goodwill_swap", staff("counter", role="lead"), context, "feedback_asked", "swap_receipt"),
        ],
    )
    # no 45-minute forms: the counter decides within 25 minutes, or puts its promise in writing
    checking, lead = WALK_IN.states["checking"], WALK_IN.states["lead_review"]
    assert lead.wait_limit == 10 * 60
    assert (checking.wait_limit or 0) + (lead.wait_limit or 0) <= 25 * 60
    walk(WALK_IN, "lead_review", [("lead_taking_long", TIMER, context, "decision_pending", "decision_by_phone")])


def test_only_a_lead_says_no_and_the_reason_is_written() -> None:
    agent = advance(WALK_IN, state="lead_review", event="cant_help", data={}, actor=staff("counter"))
    assert isinstance(agent, Refused)
    moves = walk(
        WALK_IN, "lead_review", [("cant_help", staff("counter", role="lead"), {}, "not_covered", "not_covered")]
    )
    assert moves[-1].outcome == "failure"


def test_fixed_on_the_spot_with_no_receipt_asked() -> None:
    # seed 004's nailer: no receipt, no warranty talk, fixed there and then
    walk(
        WALK_IN,
        "checking",
        [
            ("repair_now", staff("counter"), {}, "repairing_here", None),
            ("fixed", staff("workshop"), {}, "feedback_asked", "repair_receipt"),
        ],
    )


def test_walk_in_owners_and_the_workshop_handoff() -> None:
    assert {s.owner for s in WALK_IN.states.values()} == {"team:counter", "team:workshop", "customer", "system"}
    result = advance(WALK_IN, state="checking", event="repair_now", data={}, actor=staff("counter"))
    assert isinstance(result, Advanced)
    assert result.handoff
    assert StartTimer("accept", 10 * 60, None) in result.effects


# --- order problem (seed 002) -----------------------------------------------------------------

RIGHT_PART = {"sku_matches_order": True, "repeat_wrong_part": False}


def test_the_order_problem_happy_path_and_its_touch_points() -> None:
    moves = walk(
        ORDER,
        ORDER.start,
        [
            ("replacement_requested", staff("care"), {}, "sent_to_warehouse", "replacement_on_the_way"),
            ("acknowledged", staff("warehouse"), {}, "picking", None),
            ("packed", staff("warehouse"), RIGHT_PART, "replacement_in_post", "replacement_shipped"),
            ("delivered", CARRIER, {}, "confirming", "replacement_delivered"),
            ("confirmed_right", CUSTOMER, {"return_needed": True}, "awaiting_return", "return_label"),
            ("return_posted", CUSTOMER, {}, "return_in_post", "return_on_its_way"),
            ("return_received", staff("warehouse"), {}, "feedback_asked", "how_did_we_do"),
            ("feedback_given", CUSTOMER, {"rating": 4}, "resolved", "thanks_for_feedback"),
        ],
    )
    assert moves[-1].outcome == "success"


def test_the_replacement_goes_out_even_if_care_is_busy() -> None:
    assert ORDER.states["reported"].wait_limit == 2 * 3600
    walk(ORDER, "reported", [("dispatch_anyway", TIMER, {}, "sent_to_warehouse", "replacement_on_the_way")])


def test_the_warehouse_handoff_is_acknowledged_or_becomes_an_exception() -> None:
    warehouse = ORDER.states["sent_to_warehouse"]
    assert warehouse.owner == "team:warehouse"
    assert warehouse.accept_within is not None
    assert warehouse.wait_limit == warehouse.accept_within  # no ack by the deadline: the timer fires
    result = advance(ORDER, state="reported", event="replacement_requested", data={}, actor=staff("care"))
    assert isinstance(result, Advanced)
    assert OpenTask("handoff", "team:warehouse", "accept: Preparing your replacement", 2 * 3600) in result.effects
    moves = walk(
        ORDER,
        "sent_to_warehouse",
        [
            ("not_acknowledged", TIMER, {}, "handoff_stuck", "replacement_delayed"),
            ("acknowledged", staff("warehouse"), {}, "picking", None),
        ],
    )
    assert ORDER.states["handoff_stuck"].exception
    assert ORDER.states["handoff_stuck"].owner == "team:care"
    assert any(isinstance(e, OpenTask) and e.kind == "exception" for e in moves[0].effects)


@pytest.mark.parametrize(
    "scan",
    [
        {"sku_matches_order": False, "repeat_wrong_part": True},  # the same wrong part again
        {"sku_matches_order": False, "repeat_wrong_part": False},  # another wrong part
        {"sku_matches_order": True, "repeat_wrong_part": True},  # contradictory scan: stop, don't guess
    ],
)
def test_the_wrong_part_cannot_ship_twice_unnoticed(scan: dict[str, bool]) -> None:
    (move,) = walk(ORDER, "picking", [("packed", staff("warehouse"), scan, "wrong_part_caught", "mix_up_caught")])
    assert ORDER.states["wrong_part_caught"].exception
    assert OpenTask("exception", "team:warehouse", "Double-checking your replacement", 4 * 3600) in move.effects
    # and from there only the right part leaves
    again = advance(ORDER, state="wrong_part_caught", event="packed", data={}, given=scan, actor=staff("warehouse"))
    assert isinstance(again, Refused)
    assert again.code == "no-guard-matched"
    walk(
        ORDER,
        "wrong_part_caught",
        [("packed", staff("warehouse"), RIGHT_PART, "replacement_in_post", "replacement_shipped")],
    )


def test_packing_without_a_scan_is_refused_and_says_what_is_missing() -> None:
    refused = advance(ORDER, state="picking", event="packed", data={}, given={}, actor=staff("warehouse"))
    assert isinstance(refused, Refused)
    assert refused.code == "missing-input"
    assert event_asks(ORDER, state="picking", event="packed") == ["sku_matches_order", "repeat_wrong_part"]


def test_a_replacement_picked_while_care_chases_is_still_scanned() -> None:
    walk(
        ORDER,
        "handoff_stuck",
        [("packed", staff("warehouse"), RIGHT_PART, "replacement_in_post", "replacement_shipped")],
    )
    wrong = {"sku_matches_order": False, "repeat_wrong_part": True}
    walk(ORDER, "handoff_stuck", [("packed", staff("warehouse"), wrong, "wrong_part_caught", "mix_up_caught")])


def test_the_old_item_comes_back_only_when_it_has_to() -> None:
    walk(
        ORDER,
        "confirming",
        [("confirmed_right", CUSTOMER, {"return_needed": False}, "feedback_asked", "how_did_we_do")],
    )
    walk(ORDER, "confirming", [("no_news", TIMER, {}, "feedback_asked", "how_did_we_do")])


def test_still_wrong_brings_a_person_then_another_replacement() -> None:
    walk(
        ORDER,
        "confirming",
        [
            ("still_wrong", CUSTOMER, {}, "still_wrong", "sorry_person_calls"),
            ("replacement_requested", staff("care"), {}, "sent_to_warehouse", "another_replacement"),
        ],
    )


# --- the reference docs stay true ------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "journeys.md"


def _docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    after = text.split("<!-- journey-example:", 1)[1]
    return after.split("```yaml\n", 1)[1].split("\n```", 1)[0] + "\n"


def test_the_annotated_example_in_the_docs_is_clean() -> None:
    loaded = parse_journey(_docs_example(), "docs/journeys.md#example")
    assert loaded.journey.key == "mini-repair@1"
    assert [d.format() for d in check(loaded)] == []


def test_the_docs_fold_in_every_rule() -> None:
    # journeys.md carries journey-rules.md as its "Rules" section, one heading level down
    text = DOCS.read_text(encoding="utf-8")
    rules = (DOCS.parent / "journey-rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"\n## {rule.code} {rule.slug}\n" in rules, rule.code
        assert f"\n### {rule.code} {rule.slug}\n" in text, rule.code
    assert "\n### Load errors\n" in text


def test_the_docs_table_of_shipped_journeys_is_current() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for path in library_files():
        j = load_journey(path).journey
        bound = silence_bound(j).worst_seconds
        assert bound is not None
        row = (
            f"| `{j.name}` | {len(j.states)} | {len(j.transitions)} | "
            f"{format_duration(bound)} of {format_duration(j.max_silence)} |"
        )
        assert row in text, row
