"""CSAT, message kinds and remedies figures against a hand-made history on the mini journey.

X  paid, arrived, repaired by Sam (bench), delivered; rated 5; a lead-approved refund of 40 and
   a goodwill credit of 10 given by Jo.
Y  paid, never sent the device (exception), Jo gave up the case and wrote in her own words; rated 1;
   a goodwill credit of 15 by Jo.
Z  never paid (cancelled); an automatic notice went out; rated 3."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
from touchpoint.cases.models import Case
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.cases.services.replies import case_reply_send
from touchpoint.core.clock import now
from touchpoint.feedback.models import Feedback
from touchpoint.insights.figures import Scope
from touchpoint.insights.figures_feedback import (
    csat_by_agent,
    csat_by_journey,
    csat_by_step,
    messages_by_kind,
    remedies_cost,
)
from touchpoint.outbox.services import notice_enqueue
from touchpoint.remedies.models import Remedy
from touchpoint.remedies.services.policies import policy_active
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db


def walk(case: Case, *steps: tuple[str, Any]) -> Case:
    for event, actor in steps:
        case = case_advance(case=case, event=event, actor=actor).case
    return case


def rate(case: Case, csat: int) -> None:
    Feedback.objects.create(case=case, customer=case.customer, csat=csat, created_at=now())


def give(case: Case, kind: str, amount: str, by: Any, approved_by: Any = None) -> None:
    version, _ = policy_active()
    Remedy.objects.create(
        case=case,
        kind=kind,
        amount=Decimal(amount),
        currency="gbp",
        reason="because",
        applied_by=by,
        approved_by=approved_by,
        policy=version,
        rule=f"{kind}.test",
        applied_at=now(),
        idempotency_key=f"{case.pk}:{kind}:{amount}",
    )


@pytest.fixture
def history(mini_journey: Any, bench_tech: Any) -> dict[str, Case]:
    jo = StaffFactory(username="jo", first_name="Jo", teams=["care"])
    lead = StaffFactory(username="lead", first_name="Priya", role=Role.LEAD)
    opened = {name: case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM).case for name in "XYZ"}
    x = walk(
        opened["X"],
        ("payment_received", SYSTEM),
        ("device_arrived", CARRIER),
        ("repaired", staff_actor(bench_tech)),
        ("delivered", CARRIER),
    )
    y = walk(opened["Y"], ("payment_received", SYSTEM), ("not_sent", SYSTEM), ("give_up", staff_actor(jo)))
    case_reply_send(case=y, author=jo, idempotency_key="reply-1", text="So sorry it didn't work out.")
    z = walk(opened["Z"], ("payment_timeout", SYSTEM))
    notice_enqueue(recipient=z.customer.email, subject="x", body_text="x", idempotency_key="notice-1", case=z)
    rate(x, 5), rate(y, 1), rate(z, 3)
    give(x, "refund", "40.00", jo, approved_by=lead)
    give(x, "goodwill_credit", "10.00", jo)
    give(y, "goodwill_credit", "15.00", jo)
    return {"X": x, "Y": y, "Z": z}


def test_csat_by_journey(history: Any) -> None:
    assert csat_by_journey(Scope()).rows == [("mini-repair", 3, 3.0, 33.3)]


def test_csat_by_step_counts_each_rating_for_every_step_its_case_went_through(history: Any) -> None:
    assert csat_by_step(Scope()).rows == [
        ("mini-repair", "chasing_device", "We are looking into it", 1, 1.0, 0.0),
        ("mini-repair", "awaiting_device", "Waiting for your device", 2, 3.0, 50.0),
        ("mini-repair", "ordered", "Order received", 3, 3.0, 33.3),
        ("mini-repair", "on_bench", "On the bench", 1, 5.0, 100.0),
        ("mini-repair", "shipped", "On its way home", 1, 5.0, 100.0),
    ]


def test_csat_by_agent_counts_the_cases_each_person_acted_on(history: Any) -> None:
    assert csat_by_agent(Scope()).rows == [("Sam", 1, 5.0, 100.0), ("Jo", 1, 1.0, 0.0)]


def test_messages_are_split_into_journey_notices_persona_and_own_words(history: Any) -> None:
    # X: send_device, arrived, fixed, home; Y: send_device, device_not_sent, closed_unsent; Z: cancelled_unpaid
    assert messages_by_kind(Scope()).rows == [("mini-repair", 8, 1, 0, 1, 10.0)]


def test_remedies_and_their_cost(history: Any) -> None:
    assert remedies_cost(Scope()).rows == [
        ("refund", 1, 40.0, "GBP", 0, 1),
        ("goodwill credit", 2, 25.0, "GBP", 2, 0),
    ]
