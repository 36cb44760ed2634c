"""The scan station's one-step arrival and dispatch, on the shipped journeys: every state/event pair
the scan table maps, an unknown code, a refusal that says why, and the same scan twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.quotes.repair import customer_says, pay_offline, scan, walk_to
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order, register_library
from tests.support.timers import in_turn, time_runs_out
from touchpoint.cases.actors import CUSTOMER, staff_actor
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.customers.services import Contact
from touchpoint.flows.advance import case_advance
from touchpoint.flows.walkins import NewCustomer, WalkIn, walkin_open
from touchpoint.inbox.reports import Report, report_place
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.selectors import case_by_code
from touchpoint.shipping.services import scan_record
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db

ALL_TEAMS = ["intake", "shipping", "bench", "care", "warehouse", "counter", "workshop"]


@pytest.fixture(autouse=True)
def journeys(db: Any) -> None:
    for name in ("mail-in-repair", "order-problem", "walk-in-warranty"):
        register_library(name)


@pytest.fixture
def alex(db: Any) -> StaffUser:
    return StaffFactory(username="alex", first_name="Alex", last_name="", role=Role.LEAD, teams=["intake", "shipping"])


def repair(*, prepaid_box: bool = False) -> Case:
    return place_repair_order(CustomerFactory(name="Ian Kearns"), prepaid_box=prepaid_box)


TOLD = {
    "device_arrived": "arrived_resting",
    "box_dispatched": "box_on_its_way",
    "box_resent": "new_box_on_its_way",
    "return_shipped": "on_the_way_home",
    "replacement_sent": "replacement_on_its_way",
}
POSTED = [pay_offline, lambda c: customer_says(c, "device_posted")]
# How a mail-in-repair case really gets to each state: by the order page, the payments panel, the
# customer's page, the scan station, the console and the worker's timers.
PATHS: dict[str, tuple[bool, list[Callable[[Case], Case]]]] = {
    "awaiting_payment": (False, []),
    "awaiting_device": (False, [pay_offline]),
    "device_reminded": (False, [pay_offline, time_runs_out]),
    "device_not_sent": (False, [pay_offline, time_runs_out, time_runs_out]),
    "device_in_transit": (False, POSTED),
    "device_lost": (False, [*POSTED, time_runs_out]),
    "box_to_send": (True, [pay_offline]),
    "box_lost": (True, [pay_offline, lambda c: scan(c, "dispatched"), time_runs_out]),
    "resting": (False, [lambda c: walk_to(c, "resting")]),
    "return_to_pack": (False, [lambda c: walk_to(c, "return_to_pack")]),
    "return_lost": (False, [lambda c: walk_to(c, "return_in_post"), time_runs_out]),
    "completed": (False, [lambda c: walk_to(c, "feedback_asked"), time_runs_out]),
}


def to_state(state: str) -> Case:
    """A mail-in-repair case walked to ``state`` through the product, as it would really get there."""
    prepaid_box, steps = PATHS[state]
    with at(now() - timedelta(days=30)):  # so every wait limit on the way has run out by now
        case = repair(prepaid_box=prepaid_box)
    case = in_turn(case, steps)
    assert case.state == state
    return case


@pytest.mark.parametrize(
    ("state", "action", "event", "target", "leg"),
    [
        ("awaiting_device", "arrived", "device_arrived", "resting", None),
        ("device_reminded", "arrived", "device_arrived", "resting", None),
        ("device_not_sent", "arrived", "device_arrived", "resting", None),
        ("device_in_transit", "arrived", "device_arrived", "resting", None),
        ("device_lost", "arrived", "device_arrived", "resting", None),
        ("box_to_send", "dispatched", "box_dispatched", "box_in_post", Leg.BOX),
        ("box_lost", "dispatched", "box_resent", "box_in_post", Leg.BOX),
        ("return_to_pack", "dispatched", "return_shipped", "return_in_post", Leg.RETURN),
        ("return_lost", "dispatched", "replacement_sent", "return_in_post", Leg.RETURN),
    ],
)
def test_a_scan_moves_a_mail_in_repair_case_with_the_event_its_state_allows(
    alex: StaffUser, state: str, action: Any, event: str, target: str, leg: Leg | None
) -> None:
    # Given a case waiting in `state`, and Alex (lead, intake and shipping) at the scan station
    case = to_state(state)
    parcels_before = Shipment.objects.filter(case=case).count()
    # When Alex scans its reference, as a person might type it
    result = scan_record(
        code=f"  {case.reference.lower()} ", action=action, user=alex, carrier="Royal Mail", tracking_number="rm 123 gb"
    )
    # Then the case moved with that event, by Alex, the customer was told, and the answer says so
    moved = Case.objects.get(pk=case.pk)
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert (moved.state, moved.version, entry.event, entry.actor_user) == (target, case.version + 1, event, alex)
    assert entry.idempotency_key == f"scan:{case.pk}:{action}:{case.state_seq}"
    told = OutboxMessage.objects.filter(case=case).order_by("-created_at", "-id").values_list("touchpoint", flat=True)
    assert told[0] == TOLD[event]
    assert result.outcome == "recorded"
    assert (result.reference, result.customer, result.state_label) == (case.reference, "Ian Kearns", result.state_label)
    assert (
        result.state_label
        == {
            "resting": "Resting before surgery",
            "box_in_post": "Your repair kit is in the post",
            "return_in_post": "On its way home",
        }[target]
    )
    verb = "arrived" if action == "arrived" else "dispatched"
    assert result.message == f"{case.reference} {verb}: now “{result.state_label}”."
    # and a dispatch recorded its parcel in the same step; an arrival recorded none
    parcels = list(Shipment.objects.filter(case=case).order_by("-id").values_list("leg", "carrier", "tracking_number"))
    if leg is None:
        assert len(parcels) == parcels_before
        assert result.next_step == "Put it on the resting shelf: surgery starts tomorrow."
    else:
        assert len(parcels) == parcels_before + 1
        assert parcels[0] == (leg, "Royal Mail", "RM123GB")


def test_an_order_problem_return_arrives_and_a_walk_in_goes_home_by_post() -> None:
    care = staff_actor(StaffFactory(username="care", teams=["care"]))
    warehouse = StaffFactory(username="wh", teams=["warehouse"])
    counter = StaffFactory(username="desk", teams=["counter"])
    workshop = staff_actor(StaffFactory(username="shop", teams=["workshop"]))
    # Given an order-problem case, reported on the public form (the wrong item came), waiting for
    # the wrong item back once the replacement arrived
    contact = Contact(name="Maya Okafor", email="maya@example.com")
    report = Report(order_number="100234", what_happened="wrong_item", order_total=Decimal("24.99"), contact=contact)
    order = report_place(report=report, photos=[], nonce="report-1")
    order = case_advance(case=order, event="replacement_requested", actor=care).case
    order = case_advance(case=order, event="acknowledged", actor=staff_actor(warehouse)).case
    checked = {"sku_matches_order": True, "repeat_wrong_part": False}  # the packer's check of the part
    order = case_advance(case=order, event="packed", actor=staff_actor(warehouse), given=checked).case
    order = case_advance(case=order, event="delivered", actor=CUSTOMER).case
    order = case_advance(case=order, event="confirmed_right", actor=CUSTOMER).case
    assert order.state == "awaiting_return"
    # and a walk-in the workshop couldn't fix on the spot, resolved later, and never collected
    item = WalkIn(
        device="Nano Player 4G", serial="N4G-1", problem_notes="No sound", in_warranty=False, has_receipt=True
    )
    walk_in = walkin_open(
        walkin=item, by=counter, nonce="walkin-1", new_customer=NewCustomer("Ian Kearns", "ian@example.com")
    )
    walk_in = case_advance(case=walk_in, event="repair_now", actor=staff_actor(counter)).case
    walk_in = case_advance(case=walk_in, event="cant_fix_here", actor=workshop).case
    walk_in = case_advance(case=walk_in, event="resolved", actor=workshop).case
    walk_in = time_runs_out(time_runs_out(walk_in))  # a reminder, then uncollected
    assert walk_in.state == "uncollected"
    # When the warehouse scans the return in and the counter scans the walk-in out
    arrived = scan_record(code=order.reference, action="arrived", user=warehouse)
    posted = scan_record(code=walk_in.reference, action="dispatched", user=counter, tracking_number="JD0001")
    # Then each moved with its journey's event
    assert (arrived.outcome, Case.objects.get(pk=order.pk).state) == ("recorded", "feedback_asked")
    assert arrived.next_step == "Put the returned item on the returns shelf for checking."
    assert (posted.outcome, Case.objects.get(pk=walk_in.pk).state) == ("recorded", "feedback_asked")
    assert list(Shipment.objects.filter(case=walk_in).values_list("leg", "tracking_number")) == [("return", "JD0001")]


def test_a_tracking_number_finds_its_case(alex: StaffUser) -> None:
    # Given a repair kit that went out with its tracking number and was lost on the way
    def dispatched(case: Case) -> Case:
        first = scan_record(
            code=case.reference, action="dispatched", user=alex, carrier="DPD", tracking_number="15 5012 3456"
        )
        assert first.outcome == "recorded"
        return case

    case = in_turn(to_state("box_to_send"), [dispatched, time_runs_out])
    assert case.state == "box_lost"
    # When the lost parcel's label is scanned to send a new kit
    result = scan_record(code="1550123456", action="dispatched", user=alex, carrier="DPD", tracking_number="DPD 2")
    # Then it found the case by the parcel's number and recorded the new parcel
    assert (result.outcome, result.reference, Case.objects.get(pk=case.pk).state) == (
        "recorded",
        case.reference,
        "box_in_post",
    )
    assert list(Shipment.objects.filter(case=case).order_by("id").values_list("tracking_number", flat=True)) == [
        "1550123456",
        "DPD2",
    ]


def test_case_by_code_reads_references_as_people_type_them() -> None:
    case = repair()
    Case.objects.filter(pk=case.pk).update(reference="TP-10K7Q")  # a reference with every look-alike in it
    assert [getattr(case_by_code(code), "pk", None) for code in ("TP-10K7Q", "tp 10k7q", "TPlOK7Q", "tp-iok7q")] == [
        case.pk
    ] * 4
    assert case_by_code("TP-10K7R") is None
    assert case_by_code("   ") is None


def test_an_unknown_code_changes_nothing_and_says_what_to_do(alex: StaffUser) -> None:
    case = repair()
    result = scan_record(code="XYZ 999", action="arrived", user=alex)
    assert (result.outcome, result.reference) == ("unknown", "")
    assert result.message == "No case or parcel has the code XYZ 999 — check the label, or search the queues."
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (
            "awaiting_payment",
            "arrived",
            "{ref} is waiting for payment: nothing has been sent to us yet, so nothing was recorded.",
        ),
        (
            "box_to_send",
            "arrived",
            "{ref} is waiting for its repair kit to go out: the customer has nothing to send us yet, "
            "so nothing was recorded.",
        ),
        (
            "awaiting_device",
            "dispatched",
            "{ref} is at “Waiting for your device”: nothing is ready to go out at this step, so nothing was "
            "recorded. Open the case to see what it is waiting for.",
        ),
        (
            "return_to_pack",
            "arrived",
            "{ref} is at “Getting ready for the trip home”: we aren't expecting a parcel from the customer at "
            "this step, so nothing was recorded. Open the case to see what it is waiting for.",
        ),
        (
            "completed",
            "dispatched",
            "{ref} has ended (“All done”): nothing can be recorded on it. Open the case to see why.",
        ),
    ],
)
def test_a_case_not_expecting_the_scan_is_refused_with_the_reason(
    alex: StaffUser, state: str, action: Any, message: str
) -> None:
    case = to_state(state)
    parcels = Shipment.objects.count()
    result = scan_record(code=case.reference, action=action, user=alex, tracking_number="X1")
    assert (result.outcome, result.message) == ("refused", message.format(ref=case.reference))
    assert Case.objects.get(pk=case.pk).version == case.version
    assert Shipment.objects.count() == parcels


def test_someone_the_journey_does_not_allow_is_told_who_can() -> None:
    # Given a device on its way in, and Jo from the bench (an agent) at the scan station
    case = to_state("device_in_transit")
    jo = StaffFactory(username="jo", role=Role.AGENT, teams=["bench"])
    # When Jo scans it in
    result = scan_record(code=case.reference, action="arrived", user=jo)
    # Then nothing changed, and the answer names who may
    assert result.outcome == "refused"
    assert result.message == (
        f"{case.reference}: only the intake team can record an arrival here (you are in bench, as agent). "
        "Ask one of them, or an admin to add you to the team."
    )
    assert Case.objects.get(pk=case.pk).version == case.version
    # and a lost parcel home is replaced by a lead, so an agent in shipping is refused too
    lost = to_state("return_lost")
    parcels = Shipment.objects.filter(case=lost).count()
    sam = StaffFactory(username="sam", role=Role.AGENT, teams=["shipping"])
    refused = scan_record(code=lost.reference, action="dispatched", user=sam, tracking_number="RM2")
    assert refused.message == (
        f"{lost.reference}: only a lead or above can record a dispatch here (you are in shipping, as agent). "
        "Ask one of them, or an admin to add you to the team."
    )
    assert (Case.objects.get(pk=lost.pk).version, Shipment.objects.filter(case=lost).count()) == (lost.version, parcels)


def test_the_same_scan_twice_is_answered_not_repeated(alex: StaffUser) -> None:
    # Given a kit Alex has just dispatched
    case = to_state("box_to_send")
    first = scan_record(code=case.reference, action="dispatched", user=alex, tracking_number="RM1")
    moved = Case.objects.get(pk=case.pk)
    # When the same label is scanned again
    again = scan_record(code=case.reference, action="dispatched", user=alex, tracking_number="RM1")
    # Then it says when and by whom, and nothing more was written
    assert first.at is not None
    from django.utils import timezone

    clock = timezone.localtime(first.at).strftime("%H:%M")
    assert (again.outcome, again.message) == (
        "duplicate",
        f"{case.reference}: already recorded at {clock} by Alex — nothing more to do.",
    )
    assert Case.objects.get(pk=case.pk).version == moved.version
    assert Shipment.objects.filter(case=case).count() == 1


def test_a_replayed_key_from_a_double_submit_records_one_move(alex: StaffUser) -> None:
    # Given two submissions that both read the case before either wrote (a double click)
    case = to_state("awaiting_device")
    stale = Case.objects.get(pk=case.pk)
    first = scan_record(code=case.reference, action="arrived", user=alex)
    # When the second one's advance runs with the same key on the stale read
    replay = case_advance(
        case=stale,
        event="device_arrived",
        actor=staff_actor(alex),
        idempotency_key=(f"scan:{case.pk}:arrived:{stale.state_seq}"),
    )
    # Then it is the first one's result, and the case moved once
    assert first.outcome == "recorded"
    assert replay.replayed is True
    assert TimelineEntry.objects.filter(case=case, event="device_arrived").count() == 1
