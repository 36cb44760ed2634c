"""The scan station's one-step arrival and dispatch, on the shipped journeys: every state/event pair
the scan table maps, an unknown code, a refusal that says why, and the same scan twice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.selectors import case_by_code
from touchpoint.shipping.services import scan_record, shipment_record
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db

ALL_TEAMS = ["intake", "shipping", "bench", "care", "warehouse", "counter", "workshop"]


@pytest.fixture(autouse=True)
def journeys(db: Any) -> None:
    for name in ("mail-in-repair", "order-problem", "walk-in-warranty"):
        path = library_file(name)
        assert path is not None
        journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def boss(db: Any) -> StaffUser:
    """Walks cases to the state a test needs (every team, admin role)."""
    return StaffFactory(username="boss", role=Role.ADMIN, teams=ALL_TEAMS)


@pytest.fixture
def alex(db: Any) -> StaffUser:
    return StaffFactory(username="alex", first_name="Alex", last_name="", role=Role.LEAD, teams=["intake", "shipping"])


def walk(case: Case, steps: list[tuple[str, Any]]) -> Case:
    for event, actor in steps:
        case = case_advance(case=case, event=event, actor=actor).case
    return Case.objects.get(pk=case.pk)


def repair(data: dict[str, Any]) -> Case:
    customer = CustomerFactory(name="Ian Kearns")
    return case_open(journey="mail-in-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g", **data}).case


TOLD = {
    "device_arrived": "arrived_resting",
    "box_dispatched": "box_on_its_way",
    "box_resent": "new_box_on_its_way",
    "return_shipped": "on_the_way_home",
    "replacement_sent": "replacement_on_its_way",
}
PAID = [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM)]


def to_state(state: str, boss: StaffUser) -> Case:
    """A mail-in-repair case walked to ``state`` through the journey, as it would really get there."""
    b = staff_actor(boss)
    by_post = [*PAID, ("device_posted", CUSTOMER)]
    at_bench = [*by_post, ("device_arrived", b), ("surgery_started", b), ("diagnosed", b)]
    packing = [*at_bench, ("repair_done", b), ("qc_passed", b)]
    paths: dict[str, tuple[dict[str, Any], list[tuple[str, Any]]]] = {
        "awaiting_payment": ({"prepaid_box": False}, []),
        "awaiting_device": ({"prepaid_box": False}, PAID),
        "device_reminded": ({"prepaid_box": False}, [*PAID, ("device_not_sent_yet", SYSTEM)]),
        "device_not_sent": (
            {"prepaid_box": False},
            [*PAID, ("device_not_sent_yet", SYSTEM), ("device_never_sent", SYSTEM)],
        ),
        "device_in_transit": ({"prepaid_box": False}, by_post),
        "device_lost": ({"prepaid_box": False}, [*by_post, ("device_overdue", SYSTEM)]),
        "box_to_send": ({"prepaid_box": True}, PAID),
        "box_lost": ({"prepaid_box": True}, [*PAID, ("box_dispatched", b), ("box_not_delivered", SYSTEM)]),
        "resting": ({"prepaid_box": False, "quote_total": 0}, [*by_post, ("device_arrived", b)]),
        "return_to_pack": ({"prepaid_box": False, "quote_total": 0, "repaired": True}, packing),
        "return_lost": (
            {"prepaid_box": False, "quote_total": 0, "repaired": True},
            [*packing, ("return_shipped", b), ("return_overdue", SYSTEM)],
        ),
        "completed": (
            {"prepaid_box": False, "quote_total": 0, "repaired": True},
            [*packing, ("return_shipped", b), ("return_delivered", CARRIER), ("feedback_not_given", SYSTEM)],
        ),
    }
    data, steps = paths[state]
    case = walk(repair(data), steps)
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
    boss: StaffUser, alex: StaffUser, state: str, action: Any, event: str, target: str, leg: Leg | None
) -> None:
    # Given a case waiting in `state`, and Alex (lead, intake and shipping) at the scan station
    case = to_state(state, boss)
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


def test_an_order_problem_return_arrives_and_a_walk_in_goes_home_by_post(boss: StaffUser) -> None:
    b = staff_actor(boss)
    warehouse = StaffFactory(username="wh", teams=["warehouse"])
    counter = StaffFactory(username="desk", teams=["counter"])
    # Given an order-problem case waiting for the old item back
    order = case_open(
        journey="order-problem",
        customer=CustomerFactory(),
        actor=SYSTEM,
        data={"return_needed": True, "sku_matches_order": True, "repeat_wrong_part": False},
    ).case
    order = walk(
        order,
        [
            ("replacement_requested", b),
            ("acknowledged", b),
            ("packed", b),
            ("delivered", CARRIER),
            ("confirmed_right", CUSTOMER),
        ],
    )
    assert order.state == "awaiting_return"
    # and a walk-in nobody collected
    walk_in = case_open(journey="walk-in-warranty", customer=CustomerFactory(), actor=SYSTEM).case
    walk_in = walk(
        walk_in,
        [
            ("repair_now", b),
            ("cant_fix_here", b),
            ("resolved", b),
            ("not_picked_up", SYSTEM),
            ("still_not_picked_up", SYSTEM),
        ],
    )
    assert walk_in.state == "uncollected"
    # When the warehouse scans the return in and the counter scans the walk-in out
    arrived = scan_record(code=order.reference, action="arrived", user=warehouse)
    posted = scan_record(code=walk_in.reference, action="dispatched", user=counter, tracking_number="JD0001")
    # Then each moved with its journey's event
    assert (arrived.outcome, Case.objects.get(pk=order.pk).state) == ("recorded", "feedback_asked")
    assert arrived.next_step == "Put the returned item on the returns shelf for checking."
    assert (posted.outcome, Case.objects.get(pk=walk_in.pk).state) == ("recorded", "feedback_asked")
    assert list(Shipment.objects.filter(case=walk_in).values_list("leg", "tracking_number")) == [("return", "JD0001")]


def test_a_tracking_number_finds_its_case_and_marks_the_inbound_parcel_delivered(
    boss: StaffUser, alex: StaffUser
) -> None:
    # Given a device on its way in, with its tracking number on record
    case = to_state("device_in_transit", boss)
    parcel = shipment_record(case=case, leg=Leg.INBOUND, carrier="DPD", tracking_number="15 5012 3456")
    assert parcel.tracking_number == "1550123456"
    # When the parcel's label is scanned
    result = scan_record(code="1550123456", action="arrived", user=alex)
    # Then the case arrived and its inbound parcel is delivered at the moment of the scan
    parcel.refresh_from_db()
    assert (result.outcome, result.reference) == ("recorded", case.reference)
    assert (
        parcel.delivered_at == TimelineEntry.objects.filter(case=case).order_by("-seq").values_list("at", flat=True)[0]
    )


def test_case_by_code_reads_references_as_people_type_them(boss: StaffUser) -> None:
    case = repair({"prepaid_box": False})
    Case.objects.filter(pk=case.pk).update(reference="TP-10K7Q")
    assert [getattr(case_by_code(code), "pk", None) for code in ("TP-10K7Q", "tp 10k7q", "TPlOK7Q", "tp-iok7q")] == [
        case.pk
    ] * 4
    assert case_by_code("TP-10K7R") is None
    assert case_by_code("   ") is None


def test_an_unknown_code_changes_nothing_and_says_what_to_do(alex: StaffUser) -> None:
    case = repair({"prepaid_box": False})
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
    boss: StaffUser, alex: StaffUser, state: str, action: Any, message: str
) -> None:
    case = to_state(state, boss)
    parcels = Shipment.objects.count()
    result = scan_record(code=case.reference, action=action, user=alex, tracking_number="X1")
    assert (result.outcome, result.message) == ("refused", message.format(ref=case.reference))
    assert Case.objects.get(pk=case.pk).version == case.version
    assert Shipment.objects.count() == parcels


def test_someone_the_journey_does_not_allow_is_told_who_can(boss: StaffUser) -> None:
    # Given a device on its way in, and Jo from the bench (an agent) at the scan station
    case = to_state("device_in_transit", boss)
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
    lost = to_state("return_lost", boss)
    sam = StaffFactory(username="sam", role=Role.AGENT, teams=["shipping"])
    refused = scan_record(code=lost.reference, action="dispatched", user=sam, tracking_number="RM2")
    assert refused.message == (
        f"{lost.reference}: only a lead or above can record a dispatch here (you are in shipping, as agent). "
        "Ask one of them, or an admin to add you to the team."
    )
    assert (Case.objects.get(pk=lost.pk).version, Shipment.objects.filter(case=lost).count()) == (lost.version, 0)


def test_the_same_scan_twice_is_answered_not_repeated(boss: StaffUser, alex: StaffUser) -> None:
    # Given a kit Alex has just dispatched
    case = to_state("box_to_send", boss)
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


def test_a_replayed_key_from_a_double_submit_records_one_move(boss: StaffUser, alex: StaffUser) -> None:
    # Given two submissions that both read the case before either wrote (a double click)
    case = to_state("awaiting_device", boss)
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
