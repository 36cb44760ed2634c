"""The tone rule: playful when things go well; sober on each trigger, with its reason."""

from __future__ import annotations

from typing import Any

import pytest

from touchpoint.journeys import Journey, parse_journey
from touchpoint.touchpoints.tone import ToneDecision, failure_ahead, tone_decide

JOURNEY = """
name: tone-test
version: 1
max_silence: 3d
start: working
touchpoints: {t: T.}
states:
  working: {owner: team:bench, label: On the bench, wait_limit: 1d, on_timeout: late}
  stuck: {owner: team:care, label: Something went wrong, exception: true, wait_limit: 1d, on_timeout: give_up}
  winding_down: {owner: system, label: Closing your order, wait_limit: 1h, on_timeout: close}
  complaint_review: {owner: team:care, label: Looking into it, wait_limit: 1d, on_timeout: close}
  listening: {owner: team:care, label: Looking into your complaint, wait_limit: 1d, on_timeout: close}
  done: {owner: customer, label: Home safe, outcome: success}
  failed: {owner: system, label: Cancelled, outcome: failure}
transitions:
  - {from: working, on: late, to: stuck, by: [system], touchpoint: t}
  - {from: working, on: fixed, to: done, by: [team:bench], touchpoint: t}
  - {from: working, on: wind_down, to: winding_down, by: [team:bench], touchpoint: t}
  - {from: working, on: complain, to: complaint_review, by: [customer], touchpoint: t}
  - {from: working, on: complain_again, to: listening, by: [customer], touchpoint: t}
  - {from: stuck, on: give_up, to: failed, by: [team:care], touchpoint: t}
  - {from: stuck, on: fixed, to: done, by: [team:care], touchpoint: t}
  - {from: winding_down, on: close, to: failed, by: [system], touchpoint: t}
  - {from: [complaint_review, listening], on: close, to: done, by: [team:care], touchpoint: t}
"""


@pytest.fixture(scope="module")
def journey() -> Journey:
    return parse_journey(JOURNEY).journey


def decide(journey: Journey, state: str, **given: Any) -> ToneDecision:
    inputs: dict[str, Any] = {"complaint_task_open": False, "sentiment": None, "plain_messages": False, **given}
    return tone_decide(journey=journey, state=state, **inputs)


def test_playful_when_all_is_going_well(journey: Journey) -> None:
    assert decide(journey, "working", sentiment=0.8) == ToneDecision("playful", "all going well")
    assert decide(journey, "done") == ToneDecision("playful", "all going well")


def test_sober_in_an_exception(journey: Journey) -> None:
    assert decide(journey, "stuck") == ToneDecision("sober", "exception: the case is in “Something went wrong”")


def test_sober_when_the_case_ended_in_failure(journey: Journey) -> None:
    assert decide(journey, "failed") == ToneDecision("sober", "failure: the case ended in “Cancelled”")


def test_sober_when_every_way_on_ends_in_failure(journey: Journey) -> None:
    assert failure_ahead(journey, "winding_down") is True
    assert failure_ahead(journey, "working") is False
    assert decide(journey, "winding_down") == ToneDecision(
        "sober", "failure ahead: every way on from “Closing your order” ends in failure"
    )


def test_sober_when_the_state_is_a_complaint_by_name_or_label(journey: Journey) -> None:
    assert decide(journey, "complaint_review") == ToneDecision(
        "sober", "complaint open: the case is in “Looking into it”"
    )
    assert decide(journey, "listening") == ToneDecision(
        "sober", "complaint open: the case is in “Looking into your complaint”"
    )


def test_sober_when_an_urgent_customer_message_is_open(journey: Journey) -> None:
    assert decide(journey, "working", complaint_task_open=True) == ToneDecision(
        "sober", "complaint open: an urgent customer message is waiting for a person"
    )


@pytest.mark.parametrize(
    ("sentiment", "tone"), [(-0.3, "sober"), (-0.91, "sober"), (-0.29, "playful"), (None, "playful")]
)
def test_sober_when_the_latest_message_reads_negative(journey: Journey, sentiment: float | None, tone: str) -> None:
    decision = decide(journey, "working", sentiment=sentiment)
    assert decision.tone == tone
    if tone == "sober":
        assert decision.reason == f"negative sentiment: the customer's latest message scored {sentiment:+.2f}"


def test_sober_when_the_customer_asked_for_plain_messages_and_that_reason_wins(journey: Journey) -> None:
    assert decide(journey, "working", plain_messages=True) == ToneDecision(
        "sober", "the customer asked for plain messages"
    )
    assert decide(journey, "stuck", plain_messages=True, sentiment=-1.0).reason == (
        "the customer asked for plain messages"
    )
