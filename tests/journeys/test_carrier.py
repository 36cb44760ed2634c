"""What a carrier's canonical status fires in a carrier-owned state (``journeys.carrier``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.journeys.conftest import findings, load, load_errors, where

from touchpoint.journeys import CANONICAL_STATUSES, STAY, Actor, Advanced, advance, carrier_event
from touchpoint.journeys.checker import check
from touchpoint.journeys.library import library_file, library_files
from touchpoint.journeys.loader import load_journey
from touchpoint.journeys.render.page import render_html
from touchpoint.journeys.render.svg import render_svg

PARCEL = """
name: parcel
version: 1
max_silence: 3d
start: in_post
touchpoints:
  home: It has arrived.
  late: It is late; a person is on it.
  lost: Lost; refunded.
events:
  arrived: { label: Parcel delivered, customer: It has arrived }
  not_arrived: Parcel not delivered
  overdue: Parcel overdue
  given_up: Write the parcel off
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


# --- the checker: J230-J234 --------------------------------------------------------------------


def codes(text: str) -> list[tuple[str, int, int]]:
    return where(findings(text))


def test_the_example_parcel_journey_is_clean() -> None:
    assert findings(PARCEL) == []


def test_a_carrier_state_without_a_mapping_is_told_on_its_owner() -> None:
    text = PARCEL.replace("    carrier:\n", "    notes:\n", 1)
    mapless = "\n".join(
        line
        for line in text.splitlines()
        if not line.startswith(("    notes:", "      delivered", "      exception", "      return_to", "      expired"))
        and not line.startswith("      attempt_failed")
    )
    found = findings(mapless)
    assert where(found) == [("J232", 16, 12)]
    assert "doesn't say where `delivered`, `exception`, `return_to_sender` and `expired` go" in found[0].message
    assert found[0].fix.startswith("add under `in_post`: `carrier: { delivered: <event>, exception: <event>")


def test_an_unknown_status_is_placed_on_its_key_with_a_suggestion_and_not_told_twice() -> None:
    found = findings(PARCEL.replace("      expired: not_arrived", "      expird: not_arrived"))
    assert where(found) == [("J230", 25, 7)]
    assert found[0].fix == "did you mean `expired`?"
    # a status nothing resembles lists the ten
    found = findings(PARCEL.replace("      attempt_failed: stay", "      gone: stay"))
    assert where(found) == [("J230", 26, 7)]
    assert found[0].fix.startswith("use one of: pre_transit, in_transit,")


def test_a_mapping_on_a_state_the_carrier_doesnt_own_is_refused() -> None:
    text = PARCEL.replace(
        "    on_timeout: given_up\n", "    on_timeout: given_up\n    carrier: { delivered: arrived }\n"
    )
    found = findings(text)
    assert where(found) == [("J231", 34, 5)]
    assert "state `tracing` is owned by `team:care` but has a `carrier:` mapping" in found[0].message


def test_stay_for_a_required_status_is_refused_at_its_value() -> None:
    found = findings(PARCEL.replace("      delivered: arrived", "      delivered: stay"))
    assert where(found) == [("J232", 22, 18)]
    assert "maps `delivered` to `stay`" in found[0].message


def test_an_event_no_transition_takes_from_the_state_is_placed_on_its_value() -> None:
    found = findings(PARCEL.replace("      delivered: arrived", "      delivered: arived"))
    assert where(found) == [("J233", 22, 18)]
    assert found[0].fix == "did you mean `arrived`?"
    # `given_up` exists, but only from `tracing`
    found = findings(PARCEL.replace("      delivered: arrived", "      delivered: given_up"))
    assert where(found) == [("J233", 22, 18)]


def test_an_event_the_carrier_may_not_trigger_is_refused_once_for_all_its_statuses() -> None:
    text = PARCEL.replace("by: [carrier, system], touchpoint: late", "by: team:care, touchpoint: late")
    found = findings(text)
    assert where(found) == [("J234", 23, 18)]
    assert "maps `exception`, `return_to_sender` and `expired` to `not_arrived`" in found[0].message
    assert found[0].fix == "add `carrier` to the `by` of transition #2 (line 44)"


def test_a_guarded_twin_the_carrier_may_not_take_is_found() -> None:
    # delivered home, repaired or not: both twins must let the carrier deliver
    text = PARCEL.replace(
        "  - { from: [in_post, tracing], on: arrived, to: home, by: [carrier, customer], touchpoint: home }",
        "  - { from: [in_post, tracing], on: arrived, to: home, guard: fixed, by: [carrier, customer], "
        "touchpoint: home }\n"
        "  - { from: [in_post, tracing], on: arrived, to: home, guard: not fixed, by: customer, touchpoint: home }",
    ).replace("touchpoints:", "data: {fixed: {type: boolean, meaning: Repaired, intake: true}}\ntouchpoints:")
    assert [c for c, _, _ in codes(text)] == ["J234"]
    assert "transition #2 on `arrived`" in findings(text)[0].message


def test_a_carrier_state_without_a_watchdog_is_told_why_it_matters_there() -> None:
    text = PARCEL.replace("    wait_limit: 3d\n    on_timeout: overdue\n", "")
    found = [d for d in findings(text) if d.code == "J203"]
    assert len(found) == 1
    assert "a parcel the carrier stops scanning would wait there forever, unnoticed" in found[0].message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("carrier: [delivered]", "L023"),  # a list, not a mapping
        ("carrier: { delivered: Arrived }", "L022"),  # not an event name
        ("carrier: { Delivered: arrived }", "L022"),
        ("carrier: { delivered: arrived, delivered: arrived }", "L004"),
    ],
)
def test_a_mapping_that_cant_be_read_is_a_load_error_with_its_line(written: str, expected: str) -> None:
    text = PARCEL.replace("    carrier:\n", f"    {written}\n    carrier_was:\n", 1)
    text = "\n".join(line for line in text.splitlines() if "carrier_was" not in line and not line.startswith("      "))
    errors = load_errors(text)
    assert errors[0].code == expected
    assert errors[0].location.line == 21


# --- the shipped journeys --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "status", "event"),
    [
        ("mail-in-repair", "box_in_post", "delivered", "box_delivered"),
        ("mail-in-repair", "box_in_post", "exception", "box_not_delivered"),
        ("mail-in-repair", "box_in_post", "in_transit", None),
        ("mail-in-repair", "device_in_transit", "delivered", "device_arrived"),
        ("mail-in-repair", "device_in_transit", "return_to_sender", "device_overdue"),
        ("mail-in-repair", "return_in_post", "delivered", "return_delivered"),
        ("mail-in-repair", "return_in_post", "expired", "return_overdue"),
        ("mail-in-repair", "awaiting_device", "delivered", None),  # the customer's: not the carrier's
        ("order-problem", "replacement_in_post", "delivered", "delivered"),
        ("order-problem", "replacement_in_post", "exception", "replacement_overdue"),
        ("order-problem", "return_in_post", "delivered", "return_received"),
        ("order-problem", "return_in_post", "out_for_delivery", None),
    ],
)
def test_the_shipped_journeys_hear_the_carrier(name: str, state: str, status: str, event: str | None) -> None:
    path = library_file(name)
    assert path is not None
    assert carrier_event(load_journey(path).journey, state=state, status=status) == event


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_carrier_state_of_the_library_moves_on_the_carriers_news(path: Path) -> None:
    # the engine, as the carrier: every required status moves the case, every progress status stays
    journey = load_journey(path).journey
    data = {**journey.initial_data(), "repaired": True}
    for name, state in journey.states.items():
        if state.owner_kind != "carrier":
            continue
        for status in CANONICAL_STATUSES:
            event = carrier_event(journey, state=name, status=status)
            if status in ("delivered", "exception", "return_to_sender", "expired"):
                assert event is not None, (name, status)
                moved = advance(journey, state=name, event=event, data=data, actor=Actor("carrier"))
                assert isinstance(moved, Advanced), (name, status, moved)
                assert moved.target != name
            else:
                assert event is None, (name, status)


def test_the_device_delivered_to_us_is_its_arrival_and_bad_news_is_traced() -> None:
    journey = load_journey(library_file("mail-in-repair")).journey  # type: ignore[arg-type]
    arrived = advance(journey, state="device_in_transit", event="device_arrived", data={}, actor=Actor("carrier"))
    assert isinstance(arrived, Advanced)
    assert (arrived.target, arrived.touchpoints) == ("resting", ["arrived_resting"])
    lost = advance(journey, state="device_in_transit", event="device_overdue", data={}, actor=Actor("carrier"))
    assert isinstance(lost, Advanced)
    assert (lost.target, lost.touchpoints) == ("device_lost", ["device_tracing"])


# --- what the pictures show ------------------------------------------------------------------


def test_the_picture_names_the_mapping_in_the_states_tooltip() -> None:
    svg = render_svg(load(PARCEL).journey)
    assert (
        "in_post: In the post (carrier); carrier: delivered → arrived; exception, return_to_sender, expired → "
        "not_arrived; other scans stay</title>"
    ) in svg


def test_the_page_lists_every_status_of_each_carrier_state() -> None:
    page = render_html(load(PARCEL).journey)
    assert "<h2>The carrier's news</h2>" in page
    rows = re.findall(r"<tr><td><code>in_post</code></td><td>(\w+)</td><td><code>(\w+)</code></td></tr>", page)
    assert rows == [
        ("pre_transit", "stay"),
        ("in_transit", "stay"),
        ("out_for_delivery", "stay"),
        ("available_for_pickup", "stay"),
        ("delivered", "arrived"),
        ("attempt_failed", "stay"),
        ("exception", "not_arrived"),
        ("return_to_sender", "not_arrived"),
        ("expired", "not_arrived"),
        ("unknown", "stay"),
    ]


def test_a_journey_without_a_mapping_draws_no_carrier_table() -> None:
    path = library_file("walk-in-warranty")
    assert path is not None
    assert "The carrier's news" not in render_html(load_journey(path).journey)


# --- whatever a mapping holds, the checker agrees with the engine --------------------------------

STATUS_KEYS = [*CANONICAL_STATUSES, "gone"]
TARGETS = ["arrived", "not_arrived", "overdue", "given_up", "nowhere", STAY]


GOOD = {"delivered": "arrived", "exception": "not_arrived", "return_to_sender": "not_arrived", "expired": "not_arrived"}
# a good mapping with some of it dropped and some of it rewritten: clean and broken ones both come up
mappings = st.builds(
    lambda dropped, extra: {**{k: v for k, v in GOOD.items() if k not in dropped}, **extra},
    st.sets(st.sampled_from(sorted(GOOD)), max_size=2),
    st.dictionaries(st.sampled_from(STATUS_KEYS), st.sampled_from(TARGETS), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    mapping=mappings,
    owner=st.sampled_from(["carrier", "carrier", "team:care"]),
    late_by=st.sampled_from(["[carrier, system]", "[carrier, system]", "team:care"]),
)
def test_a_mapping_is_clean_exactly_when_the_carrier_can_make_every_move_it_names(
    mapping: dict[str, str], owner: str, late_by: str
) -> None:
    flow = ", ".join(f"{k}: {v}" for k, v in mapping.items())
    text = "\n".join(line for line in PARCEL.splitlines() if not line.startswith("      "))
    text = text.replace("    carrier:\n", f"    carrier: {{ {flow} }}\n" if mapping else "")
    text = text.replace("  in_post:\n    owner: carrier", f"  in_post:\n    owner: {owner}")
    text = text.replace("by: [carrier, system], touchpoint: late", f"by: {late_by}, touchpoint: late")
    loaded = load(text)
    found = {d.code for d in check(loaded) if d.code.startswith("J23")}
    journey = loaded.journey
    state = journey.states["in_post"]
    canonical = set(mapping) <= set(CANONICAL_STATUSES)
    if owner != "carrier":
        # not the carrier's: a mapping is misplaced, and it hears nothing
        assert ("J231" in found) == bool(mapping)
        assert all(carrier_event(journey, state="in_post", status=s) is None for s in CANONICAL_STATUSES)
        return
    moves = True
    for status in ("delivered", "exception", "return_to_sender", "expired"):
        event = carrier_event(journey, state="in_post", status=status)
        result = (
            None if event is None else advance(journey, state="in_post", event=event, data={}, actor=Actor("carrier"))
        )
        moves = moves and isinstance(result, Advanced)
    named_move = all(
        isinstance(advance(journey, state="in_post", event=e, data={}, actor=Actor("carrier")), Advanced)
        for s, e in (state.carrier or {}).items()
        if e != STAY and s in CANONICAL_STATUSES
    )
    # and its bad news reaches a person (J235): not the delivery's event, into a state a team owns
    written = state.carrier or {}
    attended = all(
        event != written.get("delivered")
        and all(
            journey.states[journey.transitions[i].to].owner_kind == "team"
            for i in journey.index.get(("in_post", event), [])
        )
        for status, event in written.items()
        if status in ("exception", "return_to_sender", "expired") and event != STAY
    )
    assert (found == set()) == (canonical and moves and named_move and attended), (mapping, found)
