"""CSAT, message kinds and remedies figures against a history made through the product, on
rated-repair (mini-repair with the customer asked how we did once the device is home).

X  paid, arrived, repaired by Sam (bench), delivered; rated 5 on the feedback form; Jo gave a
   goodwill credit of 10, and asked for a refund of 40, which Priya (lead) approved.
Y  paid, never sent the device (the worker's timer: an exception); Jo booked it in when it turned
   up; repaired by Sam, delivered; Jo wrote to the customer in her own words; rated 1 (a
   complaint); Jo gave a goodwill credit of 10 (all an agent may, for a standard customer).
Z  never paid (cancelled by the timer); the customer emailed a program, which our automatic answer
   refused; not rated (nobody asks a cancelled order how we did)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.inbox.mails import mail
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.timers import time_runs_out
from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.inbox.services import inbound_receive
from touchpoint.insights.figures import Scope
from touchpoint.insights.figures_feedback import (
    csat_by_agent,
    csat_by_journey,
    csat_by_step,
    messages_by_kind,
    remedies_cost,
)
from touchpoint.outbox.replies import case_reply_send
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.remedies.services.requests import remedy_request, remedy_request_decide
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db
JOURNEY = Path(__file__).parent / "rated-repair.yaml"


def move(case: Case, event: str, actor: Any, given: dict[str, Any] | None = None) -> Case:
    return case_advance(case=case, event=event, actor=actor, given=given).case


def fresh(case: Case) -> Case:
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def rate(case: Case, csat: int) -> None:
    case = fresh(case)
    feedback_give(case=case, version=case.version, csat=csat)


def give(case: Case, kind: str, amount: str, by: Any) -> None:
    case = fresh(case)
    remedy_apply(
        case=case,
        user=by,
        kind=kind,
        amount=Decimal(amount),
        reason="because",
        expected_version=case.version,
        idempotency_key=f"{case.pk}:{kind}:{amount}",
    )


@pytest.fixture
def history(db: Any) -> dict[str, Case]:
    journey_register(source=JOURNEY.read_text(), filename=str(JOURNEY))
    sam = staff_actor(StaffFactory(username="sam", first_name="Sam", teams=["bench"]))
    jo = StaffFactory(username="jo", first_name="Jo", teams=["care"])
    lead = StaffFactory(username="lead", first_name="Priya", role=Role.LEAD)
    opened = {
        name: case_open(
            journey="rated-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}
        ).case
        for name in "XYZ"
    }
    x = move(move(opened["X"], "payment_received", SYSTEM), "device_arrived", CARRIER)
    x = move(move(x, "repaired", sam, {"needs_ok": False}), "delivered", CARRIER)
    rate(x, 5)
    give(x, "goodwill_credit", "10.00", jo)
    x = fresh(x)
    asked = remedy_request(
        case=x,
        user=jo,
        kind="refund",
        amount="40.00",
        reason="because",
        expected_version=x.version,
        idempotency_key="r",
    )
    remedy_request_decide(request=asked, lead=lead, approve=True, reason="fair")
    y = time_runs_out(move(opened["Y"], "payment_received", SYSTEM))  # the device never came
    assert y.state == "chasing_device"
    y = move(move(y, "device_arrived", staff_actor(jo)), "repaired", sam, {"needs_ok": False})
    y = move(y, "delivered", CARRIER)
    case_reply_send(case=fresh(y), author=jo, idempotency_key="reply-1", text="So sorry it took so long.")
    rate(y, 1)
    give(y, "goodwill_credit", "10.00", jo)
    z = time_runs_out(opened["Z"])
    assert z.state == "cancelled"
    program = ("tool.exe", "application/octet-stream", b"MZ\x90\x00")
    raw = mail(sender=f"x <{z.customer.email}>", subject=f"Re: {z.reference}", attachments=[program])
    inbound_receive(raw=raw, source="webhook")
    return {"X": fresh(x), "Y": fresh(y), "Z": fresh(z)}


def test_csat_by_journey(history: Any) -> None:
    assert csat_by_journey(Scope()).rows == [("rated-repair", 2, 3.0, 50.0)]


def test_csat_by_step_counts_each_rating_for_every_step_its_case_went_through(history: Any) -> None:
    # X (5): ordered, awaiting_device, on_bench, shipped, feedback_asked; Y (1): the same, and
    # chasing_device before and complaint after; ends (done) are not steps
    assert csat_by_step(Scope()).rows == [
        ("rated-repair", "chasing_device", "We are looking into it", 1, 1.0, 0.0),
        ("rated-repair", "complaint", "We're looking into your complaint", 1, 1.0, 0.0),
        ("rated-repair", "awaiting_device", "Waiting for your device", 2, 3.0, 50.0),
        ("rated-repair", "feedback_asked", "Home safe", 2, 3.0, 50.0),
        ("rated-repair", "on_bench", "On the bench", 2, 3.0, 50.0),
        ("rated-repair", "ordered", "Order received", 2, 3.0, 50.0),
        ("rated-repair", "shipped", "On its way home", 2, 3.0, 50.0),
    ]


def test_csat_by_agent_counts_the_cases_each_person_acted_on(history: Any) -> None:
    # Priya decided on X's refund; Jo and Sam acted on both
    assert csat_by_agent(Scope()).rows == [("Priya", 1, 5.0, 100.0), ("Jo", 2, 3.0, 50.0), ("Sam", 2, 3.0, 50.0)]


def test_messages_are_split_into_journey_notices_persona_and_own_words(history: Any) -> None:
    # journey: X send_device, arrived, fixed, home, thanks; Y send_device, device_not_sent, arrived,
    # fixed, home, complaint; Z cancelled_unpaid (12). Notices: X's credit, the refund asked and
    # given, Y's credit, the answer to Z's email (5). Jo's own words on Y (1): 1 of 18.
    assert messages_by_kind(Scope()).rows == [("rated-repair", 12, 5, 0, 1, 5.6)]


def test_remedies_and_their_cost(history: Any) -> None:
    assert remedies_cost(Scope()).rows == [
        ("refund", 1, 40.0, "GBP", 0, 1),
        ("goodwill credit", 2, 20.0, "GBP", 2, 0),
    ]
