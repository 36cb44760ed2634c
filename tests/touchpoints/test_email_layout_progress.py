"""Where a case is on its way, as its emails say it (touchpoint.journeys.progress): the shipped
journeys' milestones and each kind of state's place among them. Pure: no database."""

from __future__ import annotations

from touchpoint.journeys import Journey, load_journey
from touchpoint.journeys.library import library_file
from touchpoint.journeys.progress import DONE, LATER, NEXT, NOW, case_progress, milestones


def shipped(name: str) -> Journey:
    path = library_file(name)
    assert path is not None
    return load_journey(path).journey


MAIL_IN = [
    "Waiting for your payment",
    "Checking your payment",
    "Packing your repair kit",
    "Your repair kit is in the post",
    "Waiting for your device",
    "Your device is on its way to us",
    "Resting before surgery",
    "In surgery",
    "Being repaired",
    "Final check-up",
    "Getting ready for the trip home",
    "On its way home",
    "Back home",
    "All done",
]


def test_the_milestones_are_the_route_most_repairs_take() -> None:
    journey = shipped("mail-in-repair")
    assert list(milestones(journey).labels) == MAIL_IN
    assert milestones(journey) is milestones(journey)  # worked out once per journey


def test_a_new_order_is_at_the_first_step() -> None:
    progress = case_progress(shipped("mail-in-repair"), "awaiting_payment")
    assert progress is not None
    assert progress.line == "Step 1 of 14: Waiting for your payment"
    assert progress.next_label == "Checking your payment"
    assert [step.status for step in progress.steps] == [NOW, NEXT] + [LATER] * 12


def test_a_device_in_surgery_has_seven_steps_behind_it() -> None:
    progress = case_progress(shipped("mail-in-repair"), "in_surgery")
    assert progress is not None
    assert progress.line == "Step 8 of 14: In surgery"
    assert [step.status for step in progress.steps][:9] == [DONE] * 7 + [NOW, NEXT]


def test_a_state_off_the_route_shows_at_the_step_it_comes_after_in_its_own_words() -> None:
    progress = case_progress(shipped("mail-in-repair"), "awaiting_approval")
    assert progress is not None
    assert progress.line == "Step 8 of 14: Waiting for your OK on the extra work"
    assert progress.next_label == "Being repaired"


def test_exceptions_and_failed_ends_show_no_progress() -> None:
    journey = shipped("mail-in-repair")
    for state in ("device_lost", "complaint", "payment_failed", "cancelled_unpaid", "recycled"):
        assert case_progress(journey, state) is None, state


def test_the_end_has_every_step_done() -> None:
    progress = case_progress(shipped("mail-in-repair"), "completed")
    assert progress is not None and progress.finished
    assert progress.line == "Step 14 of 14: All done"
    assert {step.status for step in progress.steps} == {DONE}
    assert progress.next_label == ""


def test_neighbouring_states_with_one_label_are_one_step() -> None:
    journey = shipped("order-problem")
    assert len(milestones(journey).labels) == 5
    at_warehouse, picking = case_progress(journey, "sent_to_warehouse"), case_progress(journey, "picking")
    assert at_warehouse is not None and picking is not None
    assert at_warehouse.line == picking.line == "Step 2 of 5: Preparing your replacement"
