"""The customer context card: tier, lifetime value, earlier cases and outcomes, last feedback, open
complaints, sentiment trend, channel preferences, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, TaskKind
from touchpoint.cases.selectors.context import customer_context, sparkline
from touchpoint.cases.services.advance import case_advance, case_open
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.feedback.models import Feedback
from touchpoint.inbox.models import InboundMessage
from touchpoint.journeys.library import library_file
from touchpoint.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_in_repair(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def open_repair(customer: Customer) -> Case:
    data = {"model": "nano-4g", "prepaid_box": False}
    return case_open(journey="mail-in-repair", customer=customer, actor=SYSTEM, data=data).case


def paid(case: Case, amount: str, refunded: str = "0") -> None:
    moment = now()
    Payment.objects.create(
        case=case,
        provider="offline",
        amount=Decimal(amount),
        amount_refunded=Decimal(refunded),
        currency="gbp",
        status=PaymentStatus.PAID,
        created_at=moment,
        updated_at=moment,
        paid_at=moment,
    )


def wrote(customer: Customer, case: Case, sentiment: float, minutes: int) -> None:
    InboundMessage.objects.create(
        source="webhook",
        raw_sha256=f"{case.pk}-{minutes}",
        raw=b"",
        kind="reply",
        case=case,
        customer=customer,
        sentiment=sentiment,
        received_at=now() + timedelta(minutes=minutes),
        subject="Re: repair",
    )


def test_a_returning_customer_with_history(django_assert_max_num_queries: Any) -> None:
    # Given a gold customer with a cancelled order last month, a paid repair with feedback, and this case
    ian = CustomerFactory(name="Ian Kearns", tier="gold", preferred_channel="sms", plain_messages=True)
    start = now() - timedelta(days=40)
    with at(start):
        cancelled = open_repair(ian)
    with at(start + timedelta(days=1)):
        cancelled = case_advance(case=cancelled, event="payment_overdue", actor=SYSTEM).case
        cancelled = case_advance(case=cancelled, event="payment_given_up", actor=SYSTEM).case
    with at(start + timedelta(days=10)):
        earlier = open_repair(ian)
    paid(earlier, "49.00")
    paid(earlier, "20.00", refunded="5.00")
    Feedback.objects.create(case=earlier, customer=ian, csat=2, comment="Took ages.", created_at=now())
    current = open_repair(ian)
    for i, score in enumerate([-0.6, -0.2, 0.4]):
        wrote(ian, current, score, i)
    # When the card is read for the current case
    customer_context(customer=ian, exclude_case=current)  # warm the process's journey parse cache
    with django_assert_max_num_queries(3):  # the customer's cases, their complaint tasks, their sentiments
        card = customer_context(customer=ian, exclude_case=current)
    # Then it says who they are and what happened before
    assert (card.tier, card.preferred_channel, card.customer.plain_messages) == ("Gold", "SMS", True)
    assert card.lifetime_value == Decimal("64.00")
    assert card.lifetime_value_display == "£64.00"
    assert [(c.reference, c.outcome, c.state_label) for c in card.earlier_cases] == [
        (earlier.reference, "", "Waiting for your payment"),
        (cancelled.reference, "failure", "Order cancelled"),
    ]
    assert (card.earlier_total, card.successes, card.failures) == (2, 0, 1)
    assert card.earlier_cases[1].journey == "Mail-in repair"
    assert card.earlier_cases[1].closed_at == start + timedelta(days=1)
    assert card.last_feedback is not None
    assert (card.last_feedback.csat, card.last_feedback.comment) == (2, "Took ages.")
    assert card.open_complaints == []
    assert card.sentiment is not None
    assert card.sentiment.values == [-0.6, -0.2, 0.4]
    assert card.sentiment.trend == "improving"
    assert (
        card.sentiment.description
        == "Sentiment of the last 3 messages, oldest to newest: from -0.60 to +0.40 (improving)"
    )


def test_open_complaints_come_from_complaint_states_and_urgent_customer_messages() -> None:
    ian = CustomerFactory()
    case = open_repair(ian)
    case = case_advance(case=case, event="card_submitted", actor=CUSTOMER).case
    case = case_advance(case=case, event="payment_succeeded", actor=SYSTEM).case
    case = case_advance(case=case, event="device_posted", actor=CUSTOMER).case
    other = open_repair(ian)
    task_open(
        kind=TaskKind.CUSTOMER_MESSAGE,
        owner="team:care",
        title=f"{other.reference}: angry email",
        case=other,
        priority=1,
    )
    card = customer_context(customer=ian, exclude_case=case)
    assert card.open_complaints == [f"{other.reference}: open task “{other.reference}: angry email”"]


def test_a_case_in_a_complaint_state_is_named_once_not_again_for_its_own_tasks() -> None:
    ian = CustomerFactory()
    case = open_repair(ian)
    for event, actor in [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM), ("device_posted", CUSTOMER)]:
        case = case_advance(case=case, event=event, actor=actor).case
    case = case_advance(case=case, event="device_arrived", actor=staff_actor(StaffFactory(teams=["intake"]))).case
    case = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    viewing = open_repair(ian)
    card = customer_context(customer=ian, exclude_case=viewing)
    assert card.open_complaints == [f"{case.reference} is in “We're looking into your complaint”"]
    assert [c.complaint for c in card.earlier_cases] == [True]


def test_a_new_customer_has_an_empty_card() -> None:
    ian = CustomerFactory()
    case = open_repair(ian)
    card = customer_context(customer=ian, exclude_case=case)
    assert (card.earlier_cases, card.earlier_total, card.last_feedback, card.sentiment) == ([], 0, None, None)
    assert card.lifetime_value == Decimal("0")
    assert card.tier == "Standard"


def test_the_sparkline_maps_scores_into_its_box() -> None:
    line = sparkline([-1.0, 0.0, 1.0])
    assert line is not None
    assert line.points == "3,29 60,16 117,3"  # −1 at the bottom, +1 at the top, 3 px padding
    assert (line.zero_y, line.last_x, line.last_y) == (16.0, 117.0, 3.0)
    single = sparkline([0.5])
    assert single is not None
    assert (single.points, single.trend) == ("60,9.5", "steady")
    assert sparkline([]) is None
