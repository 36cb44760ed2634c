"""What a carrier's canonical status fires in a carrier-owned state (``journeys.carrier``)."""

from __future__ import annotations

import pytest
from tests.journeys.conftest import load

from touchpoint.journeys import CANONICAL_STATUSES, STAY, carrier_event

PARCEL = """
name: parcel
version: 1
max_silence: 3d
start: in_post
touchpoints:
  home: It has arrived.
  late: It is late; a person is on it.
  found: Found it.
  lost: Lost; refunded.
states:
  in_post:
    owner: carrier
    label: In the post
    accept_within: 1d
    wait_limit: 3d
    on_timeout: overdue
    carrier:
      delivered: arrived
      exception: not_arrived
      return_to_sender: not_arrived
      expired: not_arrived
      attempt_failed: stay
  tracing:
    owner: team:care
    exception: true
    label: Tracing it
    accept_within: 4h
    wait_limit: 2d
    on_timeout: given_up
  home:
    owner: customer
    label: Home
    outcome: success
  lost:
    owner: system
    label: Lost
    outcome: failure
transitions:
  - { from: [in_post, tracing], on: arrived, to: home, by: [carrier, customer], touchpoint: home }
  - { from: in_post, on: not_arrived, to: tracing, by: [carrier, system], touchpoint: late }
  - { from: in_post, on: overdue, to: tracing, by: system, touchpoint: late }
  - { from: tracing, on: given_up, to: lost, by: [system, team:care], touchpoint: lost }
"""


def test_the_canonical_statuses_are_the_issues_ten() -> None:
    assert CANONICAL_STATUSES == (
        "pre_transit",
        "in_transit",
        "out_for_delivery",
        "available_for_pickup",
        "delivered",
        "attempt_failed",
        "exception",
        "return_to_sender",
        "expired",
        "unknown",
    )
    assert STAY == "stay"


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("delivered", "arrived"),
        ("exception", "not_arrived"),
        ("return_to_sender", "not_arrived"),
        ("expired", "not_arrived"),
        # progress: recorded, nothing moves (listed as `stay`, or left out)
        ("attempt_failed", None),
        ("in_transit", None),
        ("pre_transit", None),
        ("out_for_delivery", None),
        ("available_for_pickup", None),
        ("unknown", None),
    ],
)
def test_each_status_fires_its_mapped_event_or_nothing(status: str, event: str | None) -> None:
    journey = load(PARCEL).journey
    assert carrier_event(journey, state="in_post", status=status) == event


def test_a_state_that_isnt_the_carriers_hears_nothing() -> None:
    journey = load(PARCEL).journey
    assert carrier_event(journey, state="tracing", status="delivered") is None
    assert carrier_event(journey, state="home", status="delivered") is None
    assert carrier_event(journey, state="no_such_state", status="delivered") is None


def test_a_status_that_isnt_canonical_is_refused_with_the_list() -> None:
    journey = load(PARCEL).journey
    with pytest.raises(ValueError, match="`DELIVERED` is not a canonical carrier status; use one of: pre_transit"):
        carrier_event(journey, state="in_post", status="DELIVERED")
