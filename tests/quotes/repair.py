"""Real mail-in-repair cases walked to a given state with the journey's own events, for the tests
of quotes, feedback and the tracking page (no state is written by hand)."""

from __future__ import annotations

from tests.support.factories import StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, CaseActor, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.customers.models import Customer
from touchpoint.journeys.library import library_file
from touchpoint.staff.models import StaffUser


def register_mail_in_repair() -> JourneyVersion:
    path = library_file("mail-in-repair")
    assert path is not None
    return journey_register(source=path.read_text(), filename=str(path))


def crew() -> StaffUser:
    """One person in every team the walk needs (intake, bench, shipping, care)."""
    existing = StaffUser.objects.filter(username="crew").first()
    return existing or StaffFactory(username="crew", teams=["intake", "bench", "shipping", "care"])


# (from state, event, who, data) along the happy path, no prepaid box and no extra work.
_WALK: list[tuple[str, str, str, dict[str, object]]] = [
    ("awaiting_payment", "card_submitted", "customer", {}),
    ("payment_processing", "payment_succeeded", "system", {}),
    ("awaiting_device", "device_posted", "customer", {}),
    ("device_in_transit", "device_arrived", "staff", {}),
    ("resting", "surgery_started", "staff", {}),
    ("in_surgery", "diagnosed", "staff", {"quote_total": 0}),
    ("repairing", "repair_done", "staff", {}),
    ("quality_check", "qc_passed", "staff", {"repaired": True}),
    ("return_to_pack", "return_shipped", "staff", {}),
    ("return_in_post", "return_delivered", "carrier", {}),
]


def _actor(who: str) -> CaseActor:
    return {"customer": CUSTOMER, "system": SYSTEM, "carrier": CARRIER}.get(who) or staff_actor(crew())


def walk_to(case: Case, state: str) -> Case:
    """Advance ``case`` along the happy path from wherever it is on it until it is in ``state``."""
    for source, event, who, data in _WALK:
        if case.state == state:
            return case
        if case.state == source:
            case = case_advance(case=case, event=event, actor=_actor(who), data=data).case
    assert case.state == state, f"the happy path doesn't lead from here to {state}"
    return case


def repair_case(customer: Customer, state: str = "awaiting_payment") -> Case:
    register_mail_in_repair()
    case = case_open(
        journey="mail-in-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g", "prepaid_box": False}
    ).case
    return walk_to(case, state)
