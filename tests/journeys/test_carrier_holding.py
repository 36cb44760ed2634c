"""Which parcel the carrier's scans speak for in each state, and what they fire there, beyond a
carrier-owned state's own mapping: a parcel being traced, and one about to be handed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpoint.journeys.carrier import carrier_holding, carrier_move, handed_over, traced_from
from touchpoint.journeys.loader import load_journey

LIBRARY = Path(__file__).parents[2] / "src" / "touchpoint" / "journeys" / "library"
REPAIR = load_journey(LIBRARY / "mail-in-repair.yaml").journey
PROBLEM = load_journey(LIBRARY / "order-problem.yaml").journey


@pytest.mark.parametrize(
    ("state", "held"),
    [
        ("box_in_post", "box_in_post"),
        ("box_lost", "box_in_post"),
        ("awaiting_device", "device_in_transit"),
        ("device_reminded", "device_in_transit"),
        ("device_not_sent", "device_in_transit"),
        ("device_lost", "device_in_transit"),
        ("return_lost", "return_in_post"),
        ("box_to_send", None),
        ("resting", None),
        ("completed", None),
        ("no_such_state", None),
    ],
)
def test_the_parcel_the_carrier_holds_in_each_state(state: str, held: str | None) -> None:
    assert carrier_holding(REPAIR, state) == held


def test_traced_and_handed_over_states_are_found_by_the_journeys_own_moves() -> None:
    assert traced_from(REPAIR, "box_lost") == "box_in_post"
    assert traced_from(REPAIR, "device_not_sent") is None  # the customer never posted it: nothing to trace
    assert handed_over(REPAIR, "awaiting_device") == ("device_posted", "device_in_transit")
    assert handed_over(REPAIR, "box_to_send") is None  # the shop's dispatch, not the carrier's move
    assert handed_over(PROBLEM, "awaiting_return") == ("return_posted", "return_in_post")


@pytest.mark.parametrize(
    ("state", "status", "event"),
    [
        ("awaiting_device", "in_transit", "device_posted"),
        ("awaiting_device", "delivered", "device_posted"),  # posted first; the caller asks again from there
        ("awaiting_device", "pre_transit", None),  # a label made isn't a parcel in the carrier's hands
        ("awaiting_device", "unknown", None),
        ("box_lost", "delivered", "box_delivered"),
        ("box_lost", "in_transit", None),
        ("box_lost", "exception", None),  # already traced
        ("device_lost", "delivered", "device_arrived"),
        ("return_lost", "delivered", "return_delivered"),
        ("box_in_post", "delivered", "box_delivered"),
        ("box_in_post", "in_transit", None),
        ("resting", "delivered", None),
    ],
)
def test_what_a_scan_fires(state: str, status: str, event: str | None) -> None:
    assert carrier_move(REPAIR, state=state, status=status) == event


def test_a_traced_parcels_delivery_moves_only_where_the_carrier_may_take_that_move() -> None:
    assert carrier_move(PROBLEM, state="return_lost", status="delivered") == "return_received"
    assert carrier_move(PROBLEM, state="replacement_lost", status="delivered") == "delivered"


def test_a_status_that_isnt_canonical_is_refused() -> None:
    with pytest.raises(ValueError, match="not a canonical carrier status"):
        carrier_move(REPAIR, state="awaiting_device", status="DELIVERED")
